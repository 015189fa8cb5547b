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

    def session(self, couple, days_from_now=7, status="planned", modules=()):
        from datetime import timedelta

        from toolkit.sessions.services import add_module, create_session
        from toolkit.timeutil import utcnow

        session = create_session(couple.id, utcnow().replace(microsecond=0) + timedelta(days=days_from_now))
        session.status = status
        for slug in modules:
            add_module(session, slug)
        db.session.commit()
        return session

    def assignment(self, couple, template_key="weekly-check-in/three-two-one", who="each", session=None, due_in_days=7):
        from datetime import timedelta

        from flask import current_app

        from toolkit.homework.services import assign
        from toolkit.timeutil import utcnow

        template = current_app.extensions["library"].template(template_key)
        made = assign(couple, template, who=who, due_on=(utcnow() + timedelta(days=due_in_days)).date(),
                      instructions=None, session_id=session.id if session else None)
        db.session.commit()
        return made

    def link(self, partner):
        """Issue a link and return its raw token."""
        from flask import current_app

        from toolkit.partners.services import issue_link

        link = issue_link(partner)
        db.session.commit()
        return link.token(current_app.config["SECRET_KEY"])
