"""Sessions added at once get each their own number (on PostgreSQL, max + 1 without a lock did not)."""
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from tests.helpers import csrf_token, hidden
from tests.reliability.conftest import Browser, at_once
from toolkit.extensions import db
from toolkit.sessions.models import TherapySession
from toolkit.timeutil import utcnow

AT_ONCE = 8


def test_sessions_added_at_once_are_numbered_one_to_n(served):
    app, base, make = served
    therapist = make.therapist()
    couple = make.couple(therapist)
    db.session.close()
    browser = Browser(base)
    browser.sign_in(therapist)
    path = f"/couples/{couple.id}/sessions/new"
    sendings = []
    for n in range(AT_ONCE):  # separate forms (each its own key): separate sessions, not a double click
        page = browser.get(path)
        when = (utcnow() + timedelta(days=n + 1)).strftime("%Y-%m-%dT%H:%M")
        sendings.append({"csrf_token": csrf_token(page), "submission_key": hidden(page, "submission_key"),
                         "starts_at": when, "status": "planned", "note_to_couple": ""})
    replies = at_once([lambda data=data: browser.post(path, data) for data in sendings])
    assert [r.status for r in replies] == [302] * AT_ONCE, [(r.status, r.body[:300]) for r in replies]
    db.session.commit()
    numbers = db.session.execute(db.select(TherapySession.number)
                                 .where(TherapySession.couple_id == couple.id)).scalars().all()
    assert sorted(numbers) == list(range(1, AT_ONCE + 1))


def test_the_database_refuses_a_second_session_with_the_same_number(app, make):
    couple = make.couple(make.therapist())
    first = make.session(couple)
    db.session.add(TherapySession(couple_id=couple.id, number=first.number, starts_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
