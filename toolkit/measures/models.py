"""Stored measure answers: one per partner per session."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Measure(db.Model):
    """One partner's answers to the couple measure before (or at) a session."""

    __tablename__ = "measures"
    __table_args__ = (UniqueConstraint("partner_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_sessions.id", ondelete="CASCADE"), index=True)
    answers: Mapped[list] = mapped_column(JSON)
    # The check-in's private safety questions, {name: "yes" | "no"}; for the therapist alone.
    safety_answers: Mapped[dict | None] = mapped_column(JSON)
    score: Mapped[int]
    source: Mapped[str] = mapped_column(String(8))  # "online" or "paper"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner = relationship("Partner", lazy="joined")
    session = relationship("TherapySession", lazy="joined")
