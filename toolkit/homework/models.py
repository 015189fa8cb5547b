"""Homework assigned from a module's template, and the safety flags answers raise."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

STATUSES = {"assigned": "Assigned", "started": "Started", "submitted": "Submitted", "reviewed": "Reviewed"}


class AssignmentState:
    """Where a piece of homework stands, from its `status` and `due_on`: for the model and for list rows."""

    partner_id: int | None
    status: str
    due_on: date

    @property
    def is_joint(self) -> bool:
        return self.partner_id is None

    @property
    def is_done(self) -> bool:
        return self.status in ("submitted", "reviewed")

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_on < today

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


@dataclass
class HomeworkRow(AssignmentState):
    """An assignment as lists show it: no answers, the partner's first name ready (None when joint)."""

    id: int
    partner_id: int | None
    session_id: int | None
    title: str
    due_on: date
    status: str
    submitted_at: datetime | None
    partner_name: str | None = None


class Assignment(AssignmentState, db.Model):
    """Homework for one partner, or for the couple jointly (partner_id is None).

    Separate assignments made together share a `batch` so their answers can be read side by side.
    Answers a partner may share live in `answers`; private and safety answers live in
    `private_answers`, keyed by the partner who wrote them, and are shown to the therapist only.
    """

    __tablename__ = "assignments"
    # The home page's lists: newest submissions, and overdue work, across a whole practice.
    __table_args__ = (Index("ix_assignments_status_submitted_at", "status", "submitted_at"),
                      Index("ix_assignments_status_due_on", "status", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("therapy_sessions.id", ondelete="SET NULL"), index=True)
    batch: Mapped[str] = mapped_column(String(32), index=True)
    module_slug: Mapped[str] = mapped_column(String(80))
    template_id: Mapped[str] = mapped_column(String(80))
    # The form as it was assigned and answered: the record never depends on today's module files.
    form_digest: Mapped[str | None] = mapped_column(ForeignKey("form_versions.digest"))
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    private_answers: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    partner = relationship("Partner", foreign_keys=[partner_id], lazy="joined")
    submitted_by = relationship("Partner", foreign_keys=[submitted_by_id], lazy="joined")
    session = relationship("TherapySession", lazy="raise")

    @property
    def template_key(self) -> str:
        return f"{self.module_slug}/{self.template_id}"

    def private_answers_of(self, partner_id: int) -> dict:
        return (self.private_answers or {}).get(str(partner_id), {})


class FormVersion(db.Model):
    """A homework form's definition as it was when assigned, stored once per content digest.

    Assignments point at it, so answers stay readable (with their questions) when a module
    file later changes, breaks or is removed.
    """

    __tablename__ = "form_versions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    template_key: Mapped[str] = mapped_column(String(161))
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SafetyFlag(db.Model):
    """A safety answer of concern, open on the therapist's pages until acknowledged.

    It comes from a homework safety field (assignment_id) or from the check-in's safety
    questions (measure_id).
    """

    __tablename__ = "safety_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    field_name: Mapped[str] = mapped_column(String(80))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"))

    partner = relationship("Partner", lazy="joined")
