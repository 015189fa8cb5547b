"""A minimal page for benchmarks: the floor any real page stands on.

One query for 50 rows, a small template extending the base layout, the same sign-in and
headers as every page. Registered only when BENCH_FLOOR is set (never in a practice's app).
"""
from flask import Blueprint, render_template
from flask_login import current_user

from .audit.models import AuditEvent
from .extensions import db

bp = Blueprint("floor", __name__)


@bp.get("/_floor")
def floor():
    """Fifty rows, one query, one small template."""
    rows = db.session.execute(
        db.select(AuditEvent.id, AuditEvent.action, AuditEvent.at)
        .where(AuditEvent.actor == f"therapist:{current_user.id}").order_by(AuditEvent.id.desc()).limit(50)
    ).all()
    return render_template("floor.html", rows=rows)
