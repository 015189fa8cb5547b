"""A note per session, and the dated addenda added after signing."""
import hashlib
import json
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.keys import same, seal
from ..audit.models import LEGACY as AUDIT_LEGACY
from ..audit.models import AuditEvent
from ..extensions import db
from ..sessions.models import TherapySession
from ..timeutil import utcnow

KEYED = "hmac-sha256"
LEGACY = "sha256"  # signed before keying: the unkeyed SHA-256 of earlier releases

FORMATS = {
    "SOAP": [("subjective", "Subjective"), ("objective", "Objective"), ("assessment", "Assessment"), ("plan", "Plan")],
    "DAP": [("data_section", "Data"), ("assessment", "Assessment"), ("plan", "Plan")],
    "BIRP": [("behavior", "Behavior"), ("intervention", "Intervention"), ("response", "Response"), ("plan", "Plan")],
}


class SessionNote(db.Model):
    """The therapist's note of a held session. Once signed, its content never changes."""

    __tablename__ = "session_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_sessions.id", ondelete="CASCADE"), unique=True)
    format: Mapped[str] = mapped_column(String(8), default="SOAP")
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"))
    signed_by_name: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # KEYED when signed now; LEGACY for notes signed before keying (set by migration 0009).
    hash_scheme: Mapped[str | None] = mapped_column(String(16))

    addenda: Mapped[list["Addendum"]] = relationship(
        back_populates="note", order_by="Addendum.created_at", cascade="all, delete-orphan", lazy="selectin")
    session = relationship("TherapySession", lazy="raise")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def fields(self) -> list[tuple[str, str]]:
        return FORMATS[self.format]

    @property
    def signed_before_keying(self) -> bool:
        """Signed before signatures were keyed (migration 0009): checked by the old, unkeyed rule."""
        return self.is_signed and self.hash_scheme == LEGACY

    def compute_hash(self) -> str:
        """The signature over this note under its scheme: keyed, unless signed before keying."""
        return self.legacy_hash() if self.signed_before_keying else self.keyed_hash()

    def keyed_hash(self) -> str:
        """HMAC over everything the signed note states, the date of service and the couple included.

        The date and couple are the session's: changing the session after signing breaks the seal
        (which is why sessions.services refuses to change a session whose note is signed).
        """
        session = db.session.get(TherapySession, self.session_id)  # already loaded wherever a note is shown
        return seal("note", [self.id, self.session_id, session.couple_id, _iso(session.starts_at), self.format,
                             self._signed_sections(), _iso(self.signed_at), self.signed_by_id, self.signed_by_name])

    def legacy_hash(self) -> str:
        """The unkeyed SHA-256 that notes were signed with before keying (kept only to check them)."""
        payload = {
            "session_id": self.session_id,
            "format": self.format,
            "sections": self._signed_sections(),
            "signed_at": _iso(self.signed_at),
            "signed_by_id": self.signed_by_id,
            "signed_by_name": self.signed_by_name,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def _signed_sections(self) -> dict:
        return {key: (self.sections or {}).get(key, "") for key, _ in self.fields}

    @property
    def is_intact(self) -> bool:
        """A signed note whose content still matches its signature."""
        if not self.is_signed:
            return True
        if not same(self.content_hash, self.compute_hash()):
            return False
        # Anyone who can write the database can compute an unkeyed hash, so a note claiming the
        # old scheme must also have its signing in the sealed audit chain, with that very hash.
        return not self.signed_before_keying or _signed_in_audit_log("note.sign", self.id, self.content_hash)


class Addendum(db.Model):
    """A dated addition to a signed note, itself locked once written."""

    __tablename__ = "note_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_notes.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    # An addendum that claims nothing claims to be keyed, and must then prove it.
    hash_scheme: Mapped[str] = mapped_column(String(16), default=KEYED, server_default=KEYED)

    note: Mapped[SessionNote] = relationship(back_populates="addenda")

    @property
    def written_before_keying(self) -> bool:
        return self.hash_scheme == LEGACY

    def compute_hash(self) -> str:
        return self.legacy_hash() if self.written_before_keying else self.keyed_hash()

    def keyed_hash(self) -> str:
        return seal("addendum", [self.note_id, self.author_id, self.author_name, _iso(self.created_at), self.text])

    def legacy_hash(self) -> str:
        payload = f"{self.note_id}\x1f{self.author_id}\x1f{self.author_name}\x1f{_iso(self.created_at)}\x1f{self.text}"
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def is_intact(self) -> bool:
        if not same(self.content_hash, self.compute_hash()):
            return False
        # An old addendum's text was never recorded elsewhere; the sealed audit chain at least
        # proves it was written then, and not slipped in later under the old, unkeyed rule.
        return not self.written_before_keying or _signed_in_audit_log("note.addendum", self.note_id,
                                                                     f"addendum {self.id}")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="microseconds") if moment else None


def _signed_in_audit_log(action: str, note_id: int, detail: str) -> bool:
    """A row from before keying records this signing: such rows are sealed by the keyed rows after them."""
    return db.session.execute(
        db.select(AuditEvent.id).where(AuditEvent.object_type == "note", AuditEvent.object_id == note_id,
                                       AuditEvent.action == action, AuditEvent.detail == detail,
                                       AuditEvent.scheme == AUDIT_LEGACY).limit(1)
    ).first() is not None
