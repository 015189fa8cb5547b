"""Client couples and the two partners of each."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Couple(db.Model):
    """A couple in therapy with one therapist."""

    __tablename__ = "couples"

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"), index=True)
    started_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None]
    checkin_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The check-in's private safety questions are asked unless the therapist turned them off,
    # and a reason is always given when they do (kept here and in the audit log).
    safety_questions_off_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    therapist = relationship("Therapist", back_populates="couples", lazy="raise")
    partners: Mapped[list["Partner"]] = relationship(
        back_populates="couple", order_by="Partner.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def name(self) -> str:
        """The partners' first names, as the therapist says them: "Maya & Jordan"."""
        return " & ".join(p.first_name for p in self.partners)

    @property
    def safety_questions_on(self) -> bool:
        return self.safety_questions_off_reason is None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Partner(db.Model):
    """One person of a couple."""

    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("couple_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # 1 or 2: a stable order for columns side by side
    first_name: Mapped[str] = mapped_column(String(80))
    pronouns: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(255))
    # The two most recent check-in scores, kept here by measures.services.save_measure so the
    # home page finds low or falling scores without reading every measure of the practice.
    latest_score: Mapped[int | None]
    previous_score: Mapped[int | None]

    # The partner's own protection of their link: a passcode (argon2id, like therapist passwords),
    # when they agreed to the practice's confidentiality policy, and when they were offered a
    # passcode (so a partner who chose not to set one is not asked at every visit).
    passcode_hash: Mapped[str | None] = mapped_column(String(200))
    passcode_offered_at: Mapped[datetime | None]
    policy_agreed_at: Mapped[datetime | None]

    couple: Mapped[Couple] = relationship(back_populates="partners")

    @property
    def has_passcode(self) -> bool:
        return self.passcode_hash is not None

