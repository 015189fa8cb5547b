"""Times are stored as naive UTC: SQLite has no time zones, and one rule is simpler."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
