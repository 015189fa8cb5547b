"""Therapy sessions and their plans (modules in order)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

STATUSES = {"planned": "Planned", "held": "Held", "cancelled": "Cancelled"}


class SessionLabels:
    """How a session is named on a page: for the model and for list rows."""

    number: int
    starts_at: datetime
    status: str

    @property
    def label(self) -> str:
        return f"Session {self.number}, {self.starts_at.strftime('%a %b %-d, %Y at %-I:%M %p')}"

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


@dataclass
class SessionRow(SessionLabels):
    """A session as lists show it, with the number of modules in its plan."""

    id: int
    number: int
    starts_at: datetime
    status: str
    plan_size: int


class TherapySession(SessionLabels, db.Model):
    """One appointment with a couple."""

    __tablename__ = "therapy_sessions"
    __table_args__ = (
        # The home page's "today" and "this week": planned sessions in a time range, across couples.
        Index("ix_therapy_sessions_status_starts_at", "status", "starts_at"),
        # Each number once per couple: backs up the lock create_session takes to count up.
        UniqueConstraint("couple_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    starts_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="planned")
    note_to_couple: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    couple = relationship("Couple", lazy="raise")
    plan: Mapped[list["PlanItem"]] = relationship(
        back_populates="session", order_by="PlanItem.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def module_slugs(self) -> list[str]:
        return [item.module_slug for item in self.plan]


class PlanItem(db.Model):
    """A module chosen for a session, at a position in the plan."""

    __tablename__ = "plan_items"
    __table_args__ = (UniqueConstraint("session_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_sessions.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]

    session: Mapped[TherapySession] = relationship(back_populates="plan")
