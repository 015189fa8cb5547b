"""Writing and checking the audit trail."""
from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from ..timeutil import utcnow
from .models import AuditEvent

GENESIS = "0" * 64
# Read on every audited request: built once.
_LAST_HASH = db.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)


def current_actor() -> str:
    """Who is acting: a partner, a therapist, an anonymous visitor, or the system (CLI)."""
    if not has_request_context():
        return "system"
    if getattr(g, "partner", None) is not None:
        return f"partner:{g.partner.id}"
    if current_user and current_user.is_authenticated:
        return f"therapist:{current_user.id}"
    return "anonymous"


def record(action: str, obj=None, *, actor: str | None = None, subject: str | None = None,
           detail: str | None = None, object_type: str | None = None, object_id: int | None = None) -> AuditEvent:
    """Add an audit row to the current transaction; the caller commits."""
    if obj is not None:
        object_type = object_type or obj.__tablename__.rstrip("s")
        object_id = object_id or obj.id
    _lock_chain()
    last = db.session.execute(_LAST_HASH).scalar()
    event = AuditEvent(
        at=utcnow(),
        actor=actor or current_actor(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        ip=request.remote_addr if has_request_context() else None,
        detail=detail,
        prev_hash=last or GENESIS,
    )
    event.hash = event.compute_hash()
    db.session.add(event)
    db.session.flush()
    return event


def _lock_chain() -> None:
    """Serialise appends so two writers cannot both chain onto the same row.

    SQLite already holds the write lock (BEGIN IMMEDIATE); PostgreSQL needs a lock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(727274)"))


def verify_chain() -> int | None:
    """The id of the first row whose hash does not match, or None when intact."""
    prev = GENESIS
    for event in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars():
        if event.prev_hash != prev or event.compute_hash() != event.hash:
            return event.id
        prev = event.hash
    return None
