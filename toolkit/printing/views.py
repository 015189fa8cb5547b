"""PDF downloads for the therapist; the bytes come from the printing services."""
from flask import Blueprint, Response, abort, g, render_template, request
from flask_login import current_user

from ..audit.services import record
from ..couples.services import partner_of
from ..extensions import db
from ..homework.services import confirm_joint_work_safe, get_assignment_of, open_flags
from ..library import get_library
from ..notes.services import existing_note
from ..sessions.services import get_session_of
from . import services

bp = Blueprint("printing", __name__, url_prefix="/couples/<int:couple_id>")



def _large() -> bool:
    return request.args.get("large") == "1"


def _printed(rendered: tuple[bytes, bool], filename: str, action: str, target, **audit) -> Response:
    """Every download ends here: the print is recorded and committed, then the PDF is sent."""
    data, hit = rendered
    record(action, target, **audit)
    db.session.commit()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


def _suffix() -> str:
    return "-large-print" if _large() else ""


@bp.get("/handouts/<slug>.pdf")
def handout(slug: str):
    """One module's client handout, with the couple's names."""
    couple = g.couple
    get_library().get(slug) or abort(404)
    return _printed(services.module_handout(couple, current_user, slug, _large()), f"{slug}{_suffix()}.pdf",
                    "print.handout", couple, detail=slug)


@bp.route("/sessions/<int:session_id>/packet.pdf", methods=["GET", "POST"])
def packet(session_id: int):
    """The couple's packet: cover, handouts and joint worksheets, with no personal link.

    While a partner has an open safety flag, the therapist first confirms (a POST, audited)
    that joint work is safe.
    """
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    if request.method == "POST":
        confirm_joint_work_safe(couple, "couple packet")
    elif flags := open_flags(couple.id):
        return render_template("printing/confirm_joint.html", couple=couple, session=session, flags=flags,
                               large=_large())
    return _printed(services.session_packet(session, couple, current_user, _large()),
                    f"session-{session.number}-packet-for-the-couple{_suffix()}.pdf",
                    "print.packet", session, object_type="session", detail="couple")


@bp.get("/sessions/<int:session_id>/packet-for/<int:partner_id>.pdf")
def partner_packet(session_id: int, partner_id: int):
    """One partner's own packet: the handouts and their own worksheets with their link, for them alone."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    partner = partner_of(couple, partner_id)
    return _printed(services.session_packet(session, couple, current_user, _large(), partner=partner),
                    f"session-{session.number}-packet-for-{partner.position}{_suffix()}.pdf",
                    "print.packet", session, object_type="session", detail=f"partner:{partner.id}")


@bp.get("/sessions/<int:session_id>/guide.pdf")
def guide(session_id: int):
    """The facilitator guides for the session's modules (therapist only)."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    return _printed(services.session_guide(session, couple, current_user), f"session-{session.number}-guide.pdf",
                    "print.guide", session, object_type="session")


@bp.get("/homework/<int:assignment_id>/worksheet.pdf")
def worksheet(assignment_id: int):
    """A homework worksheet for the partner (or both), with a QR code of their link.

    ?office=1 gives the full sheet, safety questions included, to fill in during a session.
    """
    couple = g.couple
    assignment = get_assignment_of(couple.id, assignment_id)
    fillable = request.args.get("fillable") == "1"
    in_office = request.args.get("office") == "1"
    kind = ("in-office-" if in_office else "") + ("fillable-" if fillable else "")
    return _printed(services.assignment_worksheet(assignment, couple, current_user, _large(), fillable, in_office),
                    f"{assignment.template_id}-{kind}worksheet{_suffix()}.pdf",
                    "print.worksheet", assignment, detail="in office" if in_office else None)


@bp.get("/sessions/<int:session_id>/note.pdf")
def note(session_id: int):
    """The session note with its signature line and addenda."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    found = existing_note(session)
    return _printed((services.session_note(found, session, couple, current_user), False),
                    f"session-{session.number}-note.pdf", "note.print", found, object_type="note")


@bp.get("/progress.pdf")
def progress():
    """The progress summary; ?client=1 gives the version for the couple, without individual scores."""
    couple = g.couple
    client_safe = request.args.get("client") == "1"
    return _printed((services.couple_progress(couple, current_user, client_safe), False),
                    f"progress-{'for-the-couple' if client_safe else 'record'}.pdf",
                    "print.progress", couple, detail="client" if client_safe else "record")
