"""A note per session, and the dated addenda added after signing."""
import hashlib
import json
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

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

    addenda: Mapped[list["Addendum"]] = relationship(
        back_populates="note", order_by="Addendum.created_at", cascade="all, delete-orphan", lazy="selectin")
    session = relationship("TherapySession", lazy="raise")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def fields(self) -> list[tuple[str, str]]:
        return FORMATS[self.format]

    def compute_hash(self) -> str:
        """SHA-256 over everything the signature vouches for."""
        payload = {
            "session_id": self.session_id,
            "format": self.format,
            "sections": {key: (self.sections or {}).get(key, "") for key, _ in self.fields},
            "signed_at": self.signed_at.isoformat(timespec="microseconds") if self.signed_at else None,
            "signed_by_id": self.signed_by_id,
            "signed_by_name": self.signed_by_name,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    @property
    def is_intact(self) -> bool:
        """A signed note whose content still matches its signature hash."""
        return not self.is_signed or self.content_hash == self.compute_hash()


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

    note: Mapped[SessionNote] = relationship(back_populates="addenda")

    def compute_hash(self) -> str:
        payload = f"{self.note_id}\x1f{self.author_id}\x1f{self.author_name}\x1f{self.created_at.isoformat(timespec='microseconds')}\x1f{self.text}"
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def is_intact(self) -> bool:
        return self.content_hash == self.compute_hash()
