"""An append-only, hash-chained audit log."""
import hashlib
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class AuditEvent(db.Model):
    """One thing someone did: never updated, never deleted.

    Each row's hash covers its content and the previous row's hash, so editing or
    removing a row breaks the chain from there on (see `verify_chain`).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_action_subject_at", "action", "subject", "at"),
        Index("ix_audit_ip_action_at", "ip", "action", "at"),
        Index("ix_audit_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None]
    subject: Mapped[str | None] = mapped_column(String(255))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def compute_hash(self) -> str:
        """The SHA-256 of this row's content chained to the previous hash."""
        parts = [
            self.prev_hash,
            self.at.isoformat(timespec="microseconds"),
            self.actor,
            self.action,
            self.object_type or "",
            str(self.object_id or ""),
            self.subject or "",
            self.ip or "",
            self.detail or "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
