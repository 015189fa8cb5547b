"""PDF downloads for the therapist; the bytes come from the printing services."""
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from ..audit.services import record
from ..couples.services import get_owned_couple, partner_of
from ..extensions import db
from ..homework.services import confirm_joint_work_safe, get_assignment_of, open_flags
from ..library import get_library
from ..notes.services import note_of
from ..sessions.services import get_session_of
from . import services

bp = Blueprint("printing", __name__, url_prefix="/couples/<int:couple_id>")


@bp.before_request
@login_required
def require_login():
    """Printed documents carry clinical data: therapists only."""


def _large() -> bool:
    return request.args.get("large") == "1"


def _pdf(data: bytes, filename: str, hit: bool) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


def _suffix() -> str:
    return "-large-print" if _large() else ""


@bp.get("/handouts/<slug>.pdf")
def handout(couple_id: int, slug: str):
    """One module's client handout, with the couple's names."""
    couple = get_owned_couple(couple_id, current_user.id)
    get_library().get(slug) or abort(404)
    data, hit = services.module_handout(couple, current_user, slug, _large())
    record("print.handout", couple, detail=slug)
    db.session.commit()
    return _pdf(data, f"{slug}{_suffix()}.pdf", hit)


@bp.route("/sessions/<int:session_id>/packet.pdf", methods=["GET", "POST"])
def packet(couple_id: int, session_id: int):
    """The couple's packet: cover, handouts and joint worksheets, with no personal link.

    While a partner has an open safety flag, the therapist first confirms (a POST, audited)
    that joint work is safe.
    """
    couple = get_owned_couple(couple_id, current_user.id)
    session = get_session_of(couple.id, session_id)
    if request.method == "POST":
        confirm_joint_work_safe(couple, "couple packet")
    elif flags := open_flags(couple.id):
        return render_template("printing/confirm_joint.html", couple=couple, session=session, flags=flags,
                               large=_large())
    data, hit = services.session_packet(session, couple, current_user, _large())
    record("print.packet", session, object_type="session", detail="couple")
    db.session.commit()
    return _pdf(data, f"session-{session.number}-packet-for-the-couple{_suffix()}.pdf", hit)


@bp.get("/sessions/<int:session_id>/packet-for/<int:partner_id>.pdf")
def partner_packet(couple_id: int, session_id: int, partner_id: int):
    """One partner's own packet: the handouts and their own worksheets with their link, for them alone."""
    couple = get_owned_couple(couple_id, current_user.id)
    session = get_session_of(couple.id, session_id)
    partner = partner_of(couple, partner_id)
    data, hit = services.session_packet(session, couple, current_user, _large(), partner=partner)
    record("print.packet", session, object_type="session", detail=f"partner:{partner.id}")
    db.session.commit()
    return _pdf(data, f"session-{session.number}-packet-for-{partner.position}{_suffix()}.pdf", hit)


@bp.get("/sessions/<int:session_id>/guide.pdf")
def guide(couple_id: int, session_id: int):
    """The facilitator guides for the session's modules (therapist only)."""
    couple = get_owned_couple(couple_id, current_user.id)
    session = get_session_of(couple.id, session_id)
    data, hit = services.session_guide(session, couple, current_user)
    record("print.guide", session, object_type="session")
    db.session.commit()
    return _pdf(data, f"session-{session.number}-guide.pdf", hit)


@bp.get("/homework/<int:assignment_id>/worksheet.pdf")
def worksheet(couple_id: int, assignment_id: int):
    """A homework worksheet for the partner (or both), with a QR code of their link.

    ?office=1 gives the full sheet, safety questions included, to fill in during a session.
    """
    couple = get_owned_couple(couple_id, current_user.id)
    assignment = get_assignment_of(couple.id, assignment_id)
    fillable = request.args.get("fillable") == "1"
    in_office = request.args.get("office") == "1"
    data, hit = services.assignment_worksheet(assignment, couple, current_user, _large(), fillable, in_office)
    record("print.worksheet", assignment, detail="in office" if in_office else None)
    db.session.commit()
    kind = ("in-office-" if in_office else "") + ("fillable-" if fillable else "")
    return _pdf(data, f"{assignment.template_id}-{kind}worksheet{_suffix()}.pdf", hit)


@bp.get("/sessions/<int:session_id>/note.pdf")
def note(couple_id: int, session_id: int):
    """The session note with its signature line and addenda."""
    couple = get_owned_couple(couple_id, current_user.id)
    session = get_session_of(couple.id, session_id)
    found = note_of(session) or abort(404)
    data = services.session_note(found, session, couple, current_user)
    record("note.print", found, object_type="note")
    db.session.commit()
    return _pdf(data, f"session-{session.number}-note.pdf", False)


@bp.get("/progress.pdf")
def progress(couple_id: int):
    """The progress summary; ?client=1 gives the version for the couple, without individual scores."""
    couple = get_owned_couple(couple_id, current_user.id)
    client_safe = request.args.get("client") == "1"
    data = services.couple_progress(couple, current_user, client_safe)
    record("print.progress", couple, detail="client" if client_safe else "record")
    db.session.commit()
    return _pdf(data, f"progress-{'for-the-couple' if client_safe else 'record'}.pdf", False)
