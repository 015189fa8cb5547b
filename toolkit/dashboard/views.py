"""The therapist's home page."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..audit.services import record
from ..extensions import db
from ..timeutil import utcnow
from .services import Home, home_for

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home():
    """Today, this week, and everything waiting for the therapist, each linking to where to act."""
    now = utcnow()
    found = home_for(current_user.id, now)
    # The page shows partners' safety answers and check-in scores: a read of clinical records.
    record("home.view", detail=clinical_items_shown(found))
    db.session.commit()
    return render_template("dashboard/home.html", home=found, today=now.date(), now=now)


def clinical_items_shown(found: Home) -> str | None:
    """Which safety flags and whose scores the page showed, by id only (never their content)."""
    parts = []
    if found.flags:
        parts.append("safety_flags " + ",".join(str(flag.id) for flag in found.flags))
    if found.scores:
        parts.append("scores of couples " + ",".join(str(couple_id) for couple_id in
                                                     sorted({score.couple_id for score in found.scores})))
    return "; ".join(parts) or None
