"""A couple's sessions and each session's plan."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from ..audit.services import record
from ..extensions import db
from ..homework.services import homework_rows
from ..library import get_library
from ..library.models import STAGES, THEMES
from ..library.services import search
from ..timeutil import utcnow
from .forms import NewSessionForm, SessionForm
from .services import (
    add_module,
    create_session,
    get_session_of,
    has_signed_note,
    move_module,
    next_session_slot,
    refuse_if_signed,
    remove_module,
    update_session,
)

bp = Blueprint("sessions", __name__, url_prefix="/couples/<int:couple_id>/sessions")



@bp.route("/new", methods=["GET", "POST"])
def new():
    """Schedule a session (once, however often the form is sent)."""
    couple = g.couple
    form = NewSessionForm()
    if request.method == "GET":
        form.starts_at.data = next_session_slot(couple.id, utcnow().date())
    if form.validate_on_submit():
        if (earlier := form.sent_before()) is not None:
            return earlier
        session = create_session(couple.id, form.starts_at.data, form.note_to_couple.data, form.status.data)
        shown_at = form.created(url_for("sessions.detail", couple_id=couple.id, session_id=session.id))
        db.session.commit()
        flash(f"Session {session.number} added.", "success")
        return redirect(shown_at)
    return render_template("sessions/form.html", couple=couple, form=form, session=None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
def edit(session_id: int):
    """Change a session's time, status or note; refused (409) once its note is signed."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    refuse_if_signed(session)
    form = SessionForm(obj=session)
    if form.validate_on_submit():
        update_session(session, form.starts_at.data, form.status.data, form.note_to_couple.data)
        db.session.commit()
        flash("Session saved.", "success")
        return redirect(url_for("sessions.detail", couple_id=couple.id, session_id=session.id))
    if request.method == "GET":
        record("session.edit_view", session, object_type="session")  # the form shows the note to the couple
        db.session.commit()
    return render_template("sessions/form.html", couple=couple, form=form, session=session)


@bp.get("/<int:session_id>")
def detail(session_id: int):
    """The session plan: chosen modules in order, the library to pick from, homework assigned here."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    library = get_library()
    query = request.args.get("q", "").strip()[:200]
    theme = request.args.get("theme") if request.args.get("theme") in THEMES else ""
    stage = request.args.get("stage") if request.args.get("stage") in STAGES else ""
    chosen = set(session.module_slugs)
    candidates = [m for m in search(library, query, theme, stage) if m.slug not in chosen]
    assigned = homework_rows(couple, session.id)
    locked = has_signed_note(session)
    record("session.view", session, object_type="session")
    db.session.commit()
    return render_template("sessions/detail.html", couple=couple, session=session, library=library,
                           candidates=candidates, query=query, theme=theme, stage=stage, themes=THEMES,
                           stages=STAGES, assigned=assigned, today=utcnow().date(), locked=locked,
                           total_minutes=sum(library.get(s).minutes for s in session.module_slugs if library.get(s)))


def _back(couple_id, session_id):
    args = {k: v for k, v in request.args.items() if k in ("q", "theme", "stage")}
    return redirect(url_for("sessions.detail", couple_id=couple_id, session_id=session_id, **args))


@bp.post("/<int:session_id>/plan")
def add_to_plan(session_id: int):
    """Add a module to the plan."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    slug = request.form.get("slug", "")
    module = get_library().get(slug) or abort(404)
    add_module(session, module.slug)
    db.session.commit()
    flash(f"Added “{module.title}”.", "success")
    return _back(couple.id, session.id)


@bp.post("/<int:session_id>/plan/<int:item_id>/move")
def move(session_id: int, item_id: int):
    """Move a module up or down the plan."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    move_module(session, item_id, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return _back(couple.id, session.id)


@bp.post("/<int:session_id>/plan/<int:item_id>/remove")
def remove(session_id: int, item_id: int):
    """Take a module out of the plan."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    remove_module(session, item_id)
    db.session.commit()
    return _back(couple.id, session.id)
