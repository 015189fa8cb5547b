"""Small helpers that create committed rows with sensible defaults."""
import itertools

from toolkit.auth.services import create_therapist
from toolkit.couples.services import create_couple
from toolkit.extensions import db

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


class Factories:
    def therapist(self, **overrides):
        n = next(_seq)
        therapist = create_therapist(
            overrides.pop("email", f"therapist{n}@example.org"),
            overrides.pop("name", f"Therapist {n}"),
            overrides.pop("password", PASSWORD),
            practice_name=overrides.pop("practice_name", "Test Practice"),
            **overrides,
        )
        db.session.commit()
        return therapist

    def couple(self, therapist, first="Ana", second="Sam", **overrides):
        data = {
            "partner_1": {"first_name": first, "pronouns": "she/her", "email": f"{first.lower()}@example.org"},
            "partner_2": {"first_name": second, "pronouns": "they/them", "email": None},
            "started_on": None,
            "notes": overrides.pop("notes", None),
        }
        couple = create_couple(therapist.id, data)
        db.session.commit()
        return couple
