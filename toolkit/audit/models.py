"""An append-only audit log, chained with a keyed hash and counted, so that edits and removals show."""
import hashlib
from datetime import datetime

from sqlalchemy import DDL, CheckConstraint, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow
from .keys import seal

KEYED = "hmac-sha256"
# Rows written before the chain was keyed (migration 0009). They are checked by their old rule,
# which only catches accidental damage; the first keyed row seals their last hash and their count.
LEGACY = "sha256"


class AuditEvent(db.Model):
    """One thing someone did: never updated, never deleted.

    `seq` counts the rows (1, 2, 3, ... with no gap) and `hash` is an HMAC, under a key kept outside
    the database, of the row's content, its `seq` and the previous row's hash. Editing a row,
    removing one, or reordering them breaks the chain; cutting rows off the end is caught by
    `AuditHead`. See `services.verify_chain`.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_action_subject_at", "action", "subject", "at"),
        Index("ix_audit_ip_action_at", "ip", "action", "at"),
        Index("ix_audit_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique, and NULL only in a row not written by `record` (a raw INSERT), which verify reports.
    seq: Mapped[int | None] = mapped_column(unique=True)
    # A row that claims nothing claims to be keyed, and must then prove it.
    scheme: Mapped[str] = mapped_column(String(16), default=KEYED, server_default=KEYED)
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

    def keyed_hash(self) -> str:
        return keyed_hash(self)

    def legacy_hash(self) -> str:
        return legacy_hash(self)


# Computed from anything with a row's attributes: a model, or a plain row when verify reads the log.
def keyed_hash(row) -> str:
    """The HMAC over everything the row states, its place in the chain (seq, prev_hash) included."""
    return seal("audit", [row.seq, row.prev_hash, row.at.isoformat(timespec="microseconds"), row.actor, row.action,
                          row.object_type, row.object_id, row.subject, row.ip, row.detail])


def legacy_hash(row) -> str:
    """The unkeyed SHA-256 of rows written before keying: their old rule, kept only to check them."""
    parts = [row.prev_hash, row.at.isoformat(timespec="microseconds"), row.actor, row.action, row.object_type or "",
             str(row.object_id or ""), row.subject or "", row.ip or "", row.detail or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def expected_hash(row) -> str:
    return legacy_hash(row) if row.scheme == LEGACY else keyed_hash(row)


class AuditHead(db.Model):
    """The newest row's `seq` and hash, sealed: the witness that no row was cut off the end.

    Deleting the newest rows leaves a chain that is intact and gapless, only shorter; the head,
    advanced in the same transaction as every append, still names the row that is gone. One row.
    """

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


def head_seal(seq: int, last_hash: str) -> str:
    return seal("audit head", [seq, last_hash])


# On PostgreSQL the database itself refuses to rewrite the log for the app's role: audit_events
# takes no UPDATE or DELETE, audit_head no DELETE and no UPDATE that does not move it forward.
# (TRUNCATE fires no row trigger: grant the app's role no TRUNCATE on these tables.) The same
# statements are in migration 0009; tests build the schema with create_all, hence the listeners.
APPEND_ONLY_DDL = (
    """CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit_events is append-only: ' || TG_OP || ' refused',
                          ERRCODE = 'insufficient_privilege';
END
$body$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()""",
)
HEAD_FORWARD_ONLY_DDL = (
    """CREATE OR REPLACE FUNCTION audit_head_refuse_rewind() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.seq <= OLD.seq THEN
        RAISE EXCEPTION USING MESSAGE = 'audit_head only moves forward: ' || TG_OP || ' refused',
                              ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$body$""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION audit_head_refuse_rewind()""",
)

for _table, _statements in ((AuditEvent.__table__, APPEND_ONLY_DDL), (AuditHead.__table__, HEAD_FORWARD_ONLY_DDL)):
    for _statement in _statements:
        event.listen(_table, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
