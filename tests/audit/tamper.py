"""What someone who can write the database (and knows the code, not the key) does to the audit log."""
import contextlib

from sqlalchemy import text

from toolkit.audit.models import AuditEvent
from toolkit.extensions import db


@contextlib.contextmanager
def as_database_owner():
    """On PostgreSQL, step past the append-only triggers the way an owner or superuser can.

    `SET LOCAL` ends with the transaction, so a failing test cannot leave the triggers off.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    yield
    db.session.commit()
    db.session.expire_all()


def rows() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars())


def rewrite(victim_id: int, **changes) -> None:
    """Edit one row, then recompute every hash from there on with the unkeyed SHA-256 of old."""
    events = rows()
    with as_database_owner():
        previous = None
        for event in events:
            if event.id == victim_id:
                for name, value in changes.items():
                    setattr(event, name, value)
            if previous is not None and event.id >= victim_id:
                event.prev_hash = previous
            if event.id >= victim_id:
                event.hash = event.legacy_hash()
            previous = event.hash
        db.session.flush()


def delete(event_id: int) -> None:
    with as_database_owner():
        db.session.execute(db.delete(AuditEvent).where(AuditEvent.id == event_id))
