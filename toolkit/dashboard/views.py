"""The therapist's home page."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..timeutil import utcnow
from .services import home_for

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def home():
    """Today, this week, and everything waiting for the therapist, each linking to where to act."""
    now = utcnow()
    return render_template("dashboard/home.html", home=home_for(current_user.id, now), today=now.date(), now=now)
