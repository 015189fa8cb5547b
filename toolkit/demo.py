"""The demo practice: one therapist and three couples at different stages (all invented)."""
from datetime import date, timedelta

from .auth.models import Therapist
from .auth.services import create_therapist
from .couples.services import create_couple
from .extensions import db

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-practice-2026"

COUPLES = [
    {
        "partner_1": {"first_name": "Maya", "pronouns": "she/her", "email": "maya@example.org"},
        "partner_2": {"first_name": "Jordan", "pronouns": "he/him", "email": "jordan@example.org"},
        "weeks_ago": 2,
        "notes": "Referred by their GP. Both work shifts; evenings are hard to schedule.",
    },
    {
        "partner_1": {"first_name": "Sam", "pronouns": "they/them", "email": None},
        "partner_2": {"first_name": "Alex", "pronouns": "he/him", "email": "alex@example.org"},
        "weeks_ago": 10,
        "notes": "Together 12 years, two children. Prefer paper worksheets for Sam.",
    },
    {
        "partner_1": {"first_name": "Priya", "pronouns": "she/her", "email": "priya@example.org"},
        "partner_2": {"first_name": "Dana", "pronouns": "she/her", "email": "dana@example.org"},
        "weeks_ago": 24,
        "notes": "Moving to monthly sessions; planning to end in the spring.",
    },
]


def database_is_empty() -> bool:
    return db.session.execute(db.select(Therapist.id).limit(1)).first() is None


def load_demo() -> Therapist:
    """Create the demo practice; the caller commits."""
    therapist = create_therapist(DEMO_EMAIL, "Dr. Robin Hale", DEMO_PASSWORD, credentials="LMFT",
                                 practice_name="Harbor Couples Counseling")
    today = date.today()
    for spec in COUPLES:
        data = {k: v for k, v in spec.items() if k != "weeks_ago"}
        data["started_on"] = today - timedelta(weeks=spec["weeks_ago"])
        create_couple(therapist.id, data)
    return therapist
