"""Small helpers that create committed rows with sensible defaults.

They write through the app whose context is pushed (the `make` fixture pushes the test's app).
Times are the app's own (toolkit.timeutil.utcnow), so a test that moves the clock moves them too.
"""
import itertools
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app

from toolkit.auth.services import create_therapist
from toolkit.couples.services import create_couple
from toolkit.extensions import db
from toolkit.timeutil import utcnow

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


class Factories:
    _batched = False

    def _commit(self):
        if self._batched:
            db.session.flush()
        else:
            db.session.commit()

    @contextmanager
    def one_commit(self):
        """Rows made in the block are committed together at its end: a practice of hundreds of couples
        is then one write to disk, not thousands (each commit is synced)."""
        self._batched = True
        try:
            yield self
        finally:
            self._batched = False
        db.session.commit()

    def therapist(self, **overrides):
        n = next(_seq)
        therapist = create_therapist(
            overrides.pop("email", f"therapist{n}@example.org"),
            overrides.pop("name", f"Therapist {n}"),
            overrides.pop("password", PASSWORD),
            practice_name=overrides.pop("practice_name", "Test Practice"),
            **overrides,
        )
        self._commit()
        return therapist

    def couple(self, therapist, first="Ana", second="Sam", *, notes=None, checkin=False):
        """A couple of two partners; `checkin=True` asks each for the check-in before every planned session."""
        data = {
            "partner_1": {"first_name": first, "pronouns": "she/her", "email": f"{first.lower()}@example.org"},
            "partner_2": {"first_name": second, "pronouns": "they/them", "email": None},
            "started_on": None,
            "notes": notes,
        }
        couple = create_couple(therapist.id, data)
        couple.checkin_enabled = checkin
        self._commit()
        return couple

    def session(self, couple, days_from_now=7, status="planned", modules=(), note_to_couple=None):
        from toolkit.sessions.services import add_module, create_session

        session = create_session(couple.id, utcnow().replace(microsecond=0) + timedelta(days=days_from_now),
                                 note_to_couple)
        session.status = status
        for slug in modules:
            add_module(session, slug)
        self._commit()
        return session

    def assignment(self, couple, template_key="weekly-check-in/three-two-one", who="each", session=None, due_in_days=7):
        """Homework from a library template: one per partner (`who="each"`), or one for both (`"joint"`)."""
        from toolkit.homework.services import assign

        template = current_app.extensions["library"].template(template_key)
        made = assign(couple, template, who=who, due_on=(utcnow() + timedelta(days=due_in_days)).date(),
                      instructions=None, session_id=session.id if session else None)
        self._commit()
        return made

    def sent(self, *assignments):
        """Mark homework as sent by the partner now (no answers: for pages that list what was sent)."""
        for assignment in assignments:
            assignment.status, assignment.submitted_at = "submitted", utcnow()
        self._commit()
        return assignments

    def flag(self, partner, assignment=None, *, question="Are you safe at home?", answer="no", field_name="x"):
        """An open safety flag on a partner's answer, as an answer of concern raises one."""
        from toolkit.homework.models import SafetyFlag

        flag = SafetyFlag(couple_id=partner.couple_id, partner_id=partner.id,
                          assignment_id=assignment.id if assignment else None,
                          field_name=field_name, question=question, answer=answer)
        db.session.add(flag)
        self._commit()
        return flag

    def measure(self, partner, session, answers=(3, 3, 3, 3), source="paper"):
        """A partner's check-in (the four answers) for a session, as the therapist enters it from paper."""
        from toolkit.measures.services import save_measure

        measure = save_measure(partner.couple, partner, session, list(answers), source)
        self._commit()
        return measure

    def note(self, session, note_format="SOAP"):
        """A draft note of a held session, pre-filled as the app starts one."""
        from toolkit.library import get_library
        from toolkit.notes.services import start_note

        note = start_note(session, note_format, get_library())
        self._commit()
        return note

    def link(self, partner):
        """Issue a link and return its raw token."""
        from toolkit.partners.services import issue_link

        link = issue_link(partner)
        self._commit()
        return link.token(current_app.config["SECRET_KEY"])
