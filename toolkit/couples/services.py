"""Couples belong to one therapist: every lookup goes through the owner."""
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..errors import NotFound
from ..extensions import db
from ..timeutil import utcnow
from .models import Couple, Partner


def couples_of(therapist_id: int, *, archived: bool = False) -> list[Couple]:
    """The therapist's couples, active or archived, newest first."""
    condition = Couple.archived_at.is_not(None) if archived else Couple.archived_at.is_(None)
    return list(
        db.session.execute(
            db.select(Couple).where(Couple.therapist_id == therapist_id, condition).order_by(Couple.created_at.desc())
        ).scalars()
    )


def get_owned_couple(couple_id: int, therapist_id: int) -> Couple:
    """The couple, its partners loaded, if this therapist owns it; NotFound otherwise, so others
    cannot tell it exists. Every page about a couple starts here (toolkit/access.py)."""
    couple = db.session.execute(
        db.select(Couple).where(Couple.id == couple_id, Couple.therapist_id == therapist_id)
        .options(joinedload(Couple.partners))
    ).unique().scalar()
    if couple is None:
        raise NotFound()
    return couple


def partner_of(couple: Couple, partner_id: int) -> Partner:
    """One of the couple's two partners; NotFound for any other id."""
    found = next((p for p in couple.partners if p.id == partner_id), None)
    if found is None:
        raise NotFound()
    return found


def _apply(couple: Couple, data: dict) -> None:
    couple.started_on = data.get("started_on")
    couple.notes = data.get("notes") or None
    by_position = {p.position: p for p in couple.partners}
    for position in (1, 2):
        fields = data[f"partner_{position}"]
        partner = by_position.get(position) or Partner(position=position)
        partner.first_name = fields["first_name"].strip()
        partner.pronouns = (fields.get("pronouns") or "").strip() or None
        partner.email = (fields.get("email") or "").strip().lower() or None
        if partner not in couple.partners:
            couple.partners.append(partner)


def create_couple(therapist_id: int, data: dict) -> Couple:
    """Add a couple with both partners; the caller commits."""
    couple = Couple(therapist_id=therapist_id)
    _apply(couple, data)
    db.session.add(couple)
    db.session.flush()
    record("couple.create", couple)
    return couple


def update_couple(couple: Couple, data: dict) -> None:
    _apply(couple, data)
    record("couple.update", couple)


def switch_checkin(couple: Couple) -> bool:
    """Ask (or stop asking) each partner for the check-in before every planned session; now on?"""
    couple.checkin_enabled = not couple.checkin_enabled
    record("couple.checkin_on" if couple.checkin_enabled else "couple.checkin_off", couple)
    return couple.checkin_enabled


def set_archived(couple: Couple, archived: bool) -> None:
    couple.archived_at = utcnow() if archived else None
    record("couple.archive" if archived else "couple.unarchive", couple)


def form_data(couple: Couple) -> dict:
    """The couple as the edit form's initial data."""
    data = {"started_on": couple.started_on, "notes": couple.notes}
    for p in couple.partners:
        data[f"partner_{p.position}"] = {"first_name": p.first_name, "pronouns": p.pronouns, "email": p.email}
    return data
