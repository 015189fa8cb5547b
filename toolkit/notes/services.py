"""Writing, signing and amending notes."""
from ..audit.models import AuditEvent
from ..audit.services import record
from ..errors import Locked, NotFound
from ..extensions import db
from ..homework.models import Assignment
from ..library.loader import Library
from ..measures.models import Measure
from ..sessions.models import TherapySession
from ..timeutil import utcnow
from .models import FORMATS, KEYED, Addendum, SessionNote

LOCKED = "This note is signed and locked. Add an addendum instead."


class NoteLocked(Locked):
    """A change refused because the note is signed (a 409 wherever it is not caught)."""

    default_message = LOCKED


def note_of(session: TherapySession) -> SessionNote | None:
    return db.session.execute(db.select(SessionNote).filter_by(session_id=session.id)).scalar()


def existing_note(session: TherapySession) -> SessionNote:
    """The session's note; NotFound when none was started."""
    note = note_of(session)
    if note is None:
        raise NotFound()
    return note


def draft_of(session: TherapySession) -> SessionNote:
    """The session's note while it is a draft; NoteLocked once it is signed."""
    note = existing_note(session)
    if note.is_signed:
        raise NoteLocked()
    return note


def lock_for_writing(note: SessionNote) -> SessionNote:
    """Lock the session, then the note, and reload the note as stored.

    On PostgreSQL a sign racing an autosave, or a session edit racing a sign, would otherwise each
    act on what it read before the other committed. The session comes first, as in
    sessions.services, so the two never wait on each other in opposite orders.
    """
    # Reloaded too: the seal covers the session's date, which must be the one now stored.
    db.session.execute(db.select(TherapySession).where(TherapySession.id == note.session_id).with_for_update(),
                       execution_options={"populate_existing": True}).scalar_one()
    return db.session.execute(db.select(SessionNote).where(SessionNote.id == note.id).with_for_update(),
                              execution_options={"populate_existing": True}).scalar_one()


def missing_addenda(note: SessionNote) -> int:
    """How many addenda the audit log records for this note that are no longer there."""
    recorded = db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.object_type == "note", AuditEvent.object_id == note.id,
                                                      AuditEvent.action == "note.addendum")
    ).scalar_one()
    return max(recorded - len(note.addenda), 0)


def prefill(session: TherapySession, note_format: str, library: Library) -> dict:
    """What the app already knows, placed in the section where a clinician would write it."""
    modules = [library.get(s).title for s in session.module_slugs if library.get(s)]
    assignments = db.session.execute(
        db.select(Assignment).where(Assignment.couple_id == session.couple_id)
    ).scalars().all()
    reviewed = sorted({f"{a.title} ({a.partner.first_name if a.partner else 'joint'})"
                       for a in assignments if a.is_done and a.session_id != session.id})
    assigned = sorted({f"{a.title}, due {a.due_on.strftime('%b %-d')}" for a in assignments if a.session_id == session.id})
    covered = "Modules covered: " + (", ".join(modules) if modules else "none recorded") + "."
    scores = _latest_scores(session)
    homework = "Homework reviewed: " + (", ".join(reviewed) if reviewed else "none") + "."
    plan = "Homework assigned: " + ("; ".join(assigned) if assigned else "none") + "."
    where = {"SOAP": {"objective": f"{covered}\n{homework}\n{scores}", "plan": plan},
             "DAP": {"data_section": f"{covered}\n{homework}\n{scores}", "plan": plan},
             "BIRP": {"intervention": covered, "response": f"{homework}\n{scores}", "plan": plan}}[note_format]
    return {key: where.get(key, "") for key, _ in FORMATS[note_format]}


def _latest_scores(session: TherapySession) -> str:
    """Each partner's most recent check-in at or before this session (CSI-4, 0 to 21)."""
    rows = db.session.execute(
        db.select(Measure).join(TherapySession, TherapySession.id == Measure.session_id)
        .where(Measure.couple_id == session.couple_id, TherapySession.starts_at <= session.starts_at)
        .order_by(TherapySession.starts_at)
    ).scalars().all()
    latest = {m.partner.first_name: m.score for m in rows}
    if not latest:
        return "Check-in (CSI-4): none recorded."
    return "Check-in (CSI-4, 0-21, cut-off 13.5): " + ", ".join(f"{name} {score}" for name, score in latest.items()) + "."


def start_note(session: TherapySession, note_format: str, library: Library) -> SessionNote:
    if session.status != "held":
        raise Locked("Notes are written for held sessions. Mark the session held first.")
    note = SessionNote(session_id=session.id, format=note_format, sections=prefill(session, note_format, library))
    db.session.add(note)
    db.session.flush()
    record("note.create", note, object_type="note")
    return note


def save_draft(note: SessionNote, sections: dict) -> None:
    """Save the sections of an unsigned note (also what autosave calls); NoteLocked once signed."""
    note = _unsigned_for_writing(note)
    _write_sections(note, sections)


def sign(note: SessionNote, therapist, sections: dict | None = None) -> None:
    """Save the sections sent with Sign and lock, then sign: records who and when, and a keyed seal.

    Both happen under the note's lock, in one transaction, so what is signed is what the editor
    held as Sign was pressed, and an autosave arriving at the same moment is saved before the
    signature or refused after it, never written over it.
    """
    note = _unsigned_for_writing(note)
    if sections:
        _write_sections(note, sections)
    note.signed_at = utcnow()
    note.signed_by_id = therapist.id
    note.signed_by_name = therapist.display_name
    note.hash_scheme = KEYED
    note.content_hash = note.compute_hash()
    record("note.sign", note, object_type="note", detail=note.content_hash)


def _unsigned_for_writing(note: SessionNote) -> SessionNote:
    """The note locked and as stored, or NoteLocked when it is signed by now."""
    note = lock_for_writing(note)
    if note.is_signed:
        raise NoteLocked()
    return note


def _write_sections(note: SessionNote, sections: dict) -> None:
    """Replace the sections sent; a section not sent keeps its text (recorded only when text changed)."""
    stored = note.sections or {}
    written = {key: (sections[key] if key in sections else stored.get(key)) or "" for key, _ in note.fields}
    if written != stored:
        note.sections = written
        record("note.update", note, object_type="note")


def add_addendum(note: SessionNote, therapist, text: str) -> Addendum:
    note = lock_for_writing(note)
    if not note.is_signed:
        raise Locked("Addenda are for signed notes. Edit the draft instead.")
    addendum = Addendum(note_id=note.id, text=text.strip(), author_id=therapist.id,
                        author_name=therapist.display_name, created_at=utcnow(), hash_scheme=KEYED)
    addendum.content_hash = addendum.compute_hash()
    note.addenda.append(addendum)
    db.session.flush()
    record("note.addendum", note, object_type="note", detail=f"addendum {addendum.id}")
    return addendum
