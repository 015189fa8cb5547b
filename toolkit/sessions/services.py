"""Sessions and their plans."""
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import lazyload

from ..audit.services import record
from ..couples.models import Couple
from ..errors import Locked, NotFound
from ..extensions import db
from ..notes.models import SessionNote
from .models import PlanItem, SessionRow, TherapySession

LOCKED_BY_NOTE = ("This session's note is signed, so the session is part of the record: its time, status, note "
                  "to the couple and plan can no longer change. Add an addendum to the note to correct it.")


def sessions_of(couple_id: int) -> list[TherapySession]:
    """A couple's sessions, oldest first."""
    return list(db.session.execute(
        db.select(TherapySession).where(TherapySession.couple_id == couple_id).order_by(TherapySession.starts_at)
    ).scalars())


def session_rows(couple_id: int) -> list[SessionRow]:
    plan_size = db.select(db.func.count(PlanItem.id)).where(PlanItem.session_id == TherapySession.id).scalar_subquery()
    query = (db.select(TherapySession.id, TherapySession.number, TherapySession.starts_at, TherapySession.status,
                       plan_size)
             .where(TherapySession.couple_id == couple_id).order_by(TherapySession.starts_at))
    return [SessionRow(*row) for row in db.session.execute(query)]


def get_session_of(couple_id: int, session_id: int) -> TherapySession:
    """A session of this couple, or 404 (the couple's ownership is checked by the caller)."""
    found = db.session.execute(
        db.select(TherapySession).where(TherapySession.id == session_id, TherapySession.couple_id == couple_id)
    ).scalar()
    if found is None:
        raise NotFound()
    return found


def next_session_slot(couple_id: int, today: date) -> datetime:
    """A week after the latest session, or next week at 5 pm for a first one."""
    latest = db.session.execute(
        db.select(db.func.max(TherapySession.starts_at)).where(TherapySession.couple_id == couple_id)
    ).scalar()
    if latest:
        return latest + timedelta(days=7)
    return datetime.combine(today + timedelta(days=7), time(17, 0))


def create_session(couple_id: int, starts_at: datetime, note: str | None = None,
                   status: str = "planned") -> TherapySession:
    """Add a session (planned, or held when it is entered afterwards); numbers count up per couple."""
    session = TherapySession(couple_id=couple_id, number=_next_number(couple_id), starts_at=starts_at,
                             note_to_couple=note or None, status=status)
    db.session.add(session)
    db.session.flush()
    record("session.create", session, object_type="session")
    return session


def _next_number(couple_id: int) -> int:
    """The couple's next session number, read under a lock on the couple's row.

    On PostgreSQL two sessions added at once would otherwise both read the same max and both
    become "Session 3" (the unique constraint on couple and number would then refuse one). The
    lock lasts until the caller commits; SQLite's BEGIN IMMEDIATE already serialises writers.
    """
    db.session.execute(db.select(Couple.id).where(Couple.id == couple_id).with_for_update())
    return (db.session.execute(
        db.select(db.func.max(TherapySession.number)).where(TherapySession.couple_id == couple_id)
    ).scalar() or 0) + 1


def has_signed_note(session: TherapySession) -> bool:
    """A signed note seals the session's date and couple: the session is then read-only."""
    signed = db.select(SessionNote.id).where(SessionNote.session_id == session.id, SessionNote.signed_at.is_not(None))
    return db.session.execute(signed.limit(1)).first() is not None


def require_unsigned(session: TherapySession) -> None:
    """Lock the session row and refuse (409) when its note is signed.

    The lock is the one signing takes first (notes.services.lock_for_writing): an edit and a
    signature of the same session cannot interleave on PostgreSQL.
    """
    db.session.execute(db.select(TherapySession.id).where(TherapySession.id == session.id).with_for_update())
    refuse_if_signed(session)


def refuse_if_signed(session: TherapySession) -> None:
    """Locked once the session's note is signed: the session is then part of the record."""
    if has_signed_note(session):
        raise Locked(LOCKED_BY_NOTE)


def update_session(session: TherapySession, starts_at: datetime, status: str, note: str | None) -> None:
    require_unsigned(session)
    session.starts_at, session.status, session.note_to_couple = starts_at, status, note or None
    record("session.update", session, object_type="session")


def add_module(session: TherapySession, slug: str) -> None:
    """Put a module at the end of the plan (once)."""
    require_unsigned(session)
    if slug in session.module_slugs:
        return
    session.plan.append(PlanItem(module_slug=slug, position=len(session.plan)))
    record("session.plan_add", session, object_type="session", detail=slug)


def remove_module(session: TherapySession, item_id: int) -> None:
    require_unsigned(session)
    item = next((i for i in session.plan if i.id == item_id), None)
    if item is None:
        raise NotFound()
    session.plan.remove(item)
    _renumber(session)
    record("session.plan_remove", session, object_type="session", detail=item.module_slug)


def move_module(session: TherapySession, item_id: int, offset: int) -> None:
    """Move a plan item up (-1) or down (+1)."""
    require_unsigned(session)
    items = list(session.plan)
    index = next((n for n, i in enumerate(items) if i.id == item_id), None)
    if index is None:
        raise NotFound()
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        for n, item in enumerate(items):
            item.position = n
        session.plan.sort(key=lambda i: i.position)
        record("session.plan_reorder", session, object_type="session")


def _renumber(session: TherapySession) -> None:
    for n, item in enumerate(session.plan):
        item.position = n


def next_planned_session(couple_id: int, after: datetime) -> TherapySession | None:
    """Read on every partner page (the check-in): the plan is left unloaded until asked for."""
    return db.session.execute(
        db.select(TherapySession)
        .where(TherapySession.couple_id == couple_id, TherapySession.status == "planned", TherapySession.starts_at > after)
        .order_by(TherapySession.starts_at).limit(1).options(lazyload(TherapySession.plan))
    ).scalar()
