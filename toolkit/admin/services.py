"""What a practice admin does: accounts, moving couples between therapists, reading the audit log."""
import csv
import io
from datetime import datetime, time, timedelta

from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.models import Therapist
from ..couples.models import Couple
from ..extensions import db

AUDIT_PAGE = 200
# The actions whose `detail` is about accounts, not clients: an admin may read it. Every other
# detail (a module slug, a reason about a couple) stays out of the admin's view.
ACCOUNT_ACTIONS = ("login", "logout", "therapist.", "account.", "mfa.", "password.", "admin.")


def therapists() -> list[tuple[Therapist, int]]:
    """Every account with how many couples it holds (not who they are)."""
    counts = dict(db.session.execute(
        db.select(Couple.therapist_id, db.func.count(Couple.id)).group_by(Couple.therapist_id)).all())
    accounts = db.session.execute(db.select(Therapist).order_by(Therapist.name)).scalars().all()
    return [(t, counts.get(t.id, 0)) for t in accounts]


def reassign_couples(source: Therapist, target: Therapist) -> int:
    """Move every couple of one therapist to another; partner links keep working (they name the partner)."""
    ids = db.session.execute(db.select(Couple.id).where(Couple.therapist_id == source.id)).scalars().all()
    if ids:
        db.session.execute(db.update(Couple).where(Couple.id.in_(ids)).values(therapist_id=target.id))
    for couple_id in ids:
        record("couple.reassign", object_type="couple", object_id=couple_id,
               detail=f"therapist:{source.id} to therapist:{target.id}")
    return len(ids)


def _filtered(filters: dict):
    query = db.select(AuditEvent)
    if filters.get("actor"):
        query = query.where(AuditEvent.actor == filters["actor"].strip())
    if filters.get("object_type"):
        query = query.where(AuditEvent.object_type == filters["object_type"].strip())
    if filters.get("object_id"):
        query = query.where(AuditEvent.object_id == int(filters["object_id"]))
    if filters.get("since"):
        query = query.where(AuditEvent.at >= datetime.combine(filters["since"], time.min))
    if filters.get("until"):
        query = query.where(AuditEvent.at < datetime.combine(filters["until"] + timedelta(days=1), time.min))
    return query.order_by(AuditEvent.id.desc())


def shown_detail(event: AuditEvent) -> str:
    """The event's detail when it is about accounts; never a detail about a couple's care."""
    return (event.detail or "") if event.action.startswith(ACCOUNT_ACTIONS) else ""


def audit_events(filters: dict, limit: int | None = AUDIT_PAGE) -> list[AuditEvent]:
    query = _filtered(filters)
    if limit:
        query = query.limit(limit)
    return db.session.execute(query).scalars().all()


CSV_COLUMNS = ("id", "at (UTC)", "person", "action", "record type", "record id", "account", "address", "detail")


def audit_csv(filters: dict) -> str:
    """The filtered audit log as CSV: who did what to which record, when, from where."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in audit_events(filters, limit=None):
        writer.writerow([e.id, e.at.isoformat(sep=" ", timespec="seconds"), e.actor, e.action, e.object_type or "",
                         e.object_id or "", _safe_cell(e.subject or ""), e.ip or "", _safe_cell(shown_detail(e))])
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """No spreadsheet formulas from stored text (an email typed at the sign-in page, say)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
