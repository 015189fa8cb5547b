"""Writing, signing, amending and printing a session's note."""
from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..audit.services import record
from ..extensions import db
from ..library import get_library
from ..sessions.services import get_session_of
from .forms import AddendumForm, StartNoteForm, note_form_class
from .services import (NoteLocked, add_addendum, draft_of, existing_note, missing_addenda, note_of, save_draft, sign,
                       start_note)

# What the editor says when an autosave reaches a note signed meanwhile (its text stays on the page).
SIGNED_NOT_SAVED = "This note is signed; your last changes were not saved."

bp = Blueprint("notes", __name__, url_prefix="/couples/<int:couple_id>/sessions/<int:session_id>/note")



def _load(session_id: int):
    couple = g.couple
    return couple, get_session_of(couple.id, session_id)


def _here(couple, session):
    return url_for("notes.show", couple_id=couple.id, session_id=session.id)


@bp.get("")
def show(session_id: int):
    """The note: a draft to edit, or the signed note with its addenda."""
    couple, session = _load(session_id)
    note = note_of(session)
    if note is None:
        return render_template("notes/start.html", couple=couple, session=session, form=StartNoteForm())
    record("note.view", note, object_type="note")
    missing = missing_addenda(note) if note.is_signed else 0
    db.session.commit()
    form = None if note.is_signed else note_form_class(note.format)(data=note.sections)
    return render_template("notes/show.html", couple=couple, session=session, note=note, form=form,
                           addendum_form=AddendumForm(), missing_addenda=missing,
                           note_pdf_url=url_for("printing.note", couple_id=couple.id, session_id=session.id))


@bp.post("/start")
def start(session_id: int):
    """Start the note in the chosen format, pre-filled with what the app knows."""
    couple, session = _load(session_id)
    form = StartNoteForm()
    if form.validate_on_submit() and note_of(session) is None:
        start_note(session, form.format.data, get_library())
        db.session.commit()
    return redirect(_here(couple, session))


@bp.post("")
def save(session_id: int):
    """Save the draft; autosave posts here too and gets JSON back."""
    couple, session = _load(session_id)
    autosave = request.headers.get("X-Autosave") == "1"
    try:
        note = draft_of(session)
        form = note_form_class(note.format)()
        if not form.validate_on_submit():
            if autosave:
                return jsonify(saved=False, errors=form.errors), 400
            return _editor(couple, session, note, form), 400
        save_draft(note, form.sections_sent())
    except NoteLocked:
        if autosave:  # the editor keeps the typed text on the page and says why it was not saved
            return jsonify(saved=False, signed=True, message=SIGNED_NOT_SAVED), 409
        raise
    db.session.commit()
    if autosave:
        return jsonify(saved=True, at=note.updated_at.strftime("%-I:%M %p"))
    flash("Draft saved.", "success")
    return redirect(_here(couple, session))


@bp.post("/sign")
def sign_note(session_id: int):
    """Sign and lock the note with the text sent with the button: the editor's last keystrokes."""
    couple, session = _load(session_id)
    note = draft_of(session)
    form = note_form_class(note.format)()
    if not form.validate_on_submit():
        return _editor(couple, session, note, form), 400
    sign(note, current_user, form.sections_sent())
    db.session.commit()
    flash("Signed and locked.", "success")
    return redirect(_here(couple, session))


def _editor(couple, session, note, form):
    """The draft's editor again, showing what was sent and what is wrong with it."""
    return render_template("notes/show.html", couple=couple, session=session, note=note, form=form,
                           addendum_form=AddendumForm())


@bp.post("/addenda")
def addendum(session_id: int):
    """Add a dated addendum beneath a signed note."""
    couple, session = _load(session_id)
    note = existing_note(session)
    form = AddendumForm()
    if not form.validate_on_submit():
        return render_template("notes/show.html", couple=couple, session=session, note=note, form=None,
                               addendum_form=form), 400
    add_addendum(note, current_user, form.text.data)
    db.session.commit()
    flash("Addendum added.", "success")
    return redirect(_here(couple, session))
