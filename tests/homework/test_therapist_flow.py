from datetime import datetime, timedelta

import pytest

from toolkit.extensions import db
from toolkit.homework.models import Assignment
from toolkit.sessions.models import TherapySession
from toolkit.timeutil import utcnow
from tests.homework.conftest import CHECK_IN


def test_from_session_plan_to_reviewed_submission(app, client, make, login, partner_client):
    therapist = make.therapist()
    couple = make.couple(therapist)
    login(therapist)
    when = (utcnow() + timedelta(days=3)).replace(hour=17, minute=0, second=0, microsecond=0)
    response = client.post(f"/couples/{couple.id}/sessions/new",
                           data={"starts_at": when.strftime("%Y-%m-%dT%H:%M"), "status": "planned",
                                 "note_to_couple": "Go gently this week."})
    session = db.session.execute(db.select(TherapySession)).scalar_one()
    assert response.headers["Location"].endswith(f"/sessions/{session.id}")
    # Search the library from the plan page, then pick modules.
    page = client.get(f"/couples/{couple.id}/sessions/{session.id}?q=gratitude").get_data(as_text=True)
    assert 'value="daily-gratitude"' in page and 'value="fighting-fair"' not in page
    for slug in ("daily-gratitude", "weekly-check-in", "fighting-fair"):
        client.post(f"/couples/{couple.id}/sessions/{session.id}/plan", data={"slug": slug})
    db.session.expire_all()
    assert session.module_slugs == ["daily-gratitude", "weekly-check-in", "fighting-fair"]
    last = session.plan[2]
    client.post(f"/couples/{couple.id}/sessions/{session.id}/plan/{last.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert session.module_slugs == ["daily-gratitude", "fighting-fair", "weekly-check-in"]
    client.post(f"/couples/{couple.id}/sessions/{session.id}/plan/{session.plan[0].id}/remove")
    db.session.expire_all()
    assert session.module_slugs == ["fighting-fair", "weekly-check-in"]
    # Assign: the due date defaults to the next planned session.
    next_session = make.session(couple, days_from_now=10)
    url = f"/couples/{couple.id}/sessions/{session.id}/assign?template=weekly-check-in/three-two-one"
    form_page = client.get(url).get_data(as_text=True)
    assert f'value="{next_session.starts_at.date().isoformat()}"' in form_page
    client.post(url, data={"who": "each", "due_on": next_session.starts_at.date().isoformat(),
                           "instructions": "Do it on Sunday evening."})
    ana_hw, sam_hw = db.session.execute(db.select(Assignment).order_by(Assignment.id)).scalars().all()
    assert {ana_hw.partner_id, sam_hw.partner_id} == {p.id for p in couple.partners}
    assert ana_hw.batch == sam_hw.batch and ana_hw.due_on == next_session.starts_at.date()
    # Both partners answer.
    ana, sam = couple.partners
    partner_client(make.link(ana)).post(f"/me/homework/{ana_hw.id}", data=dict(CHECK_IN, action="submit"))
    partner_client(make.link(sam)).post(f"/me/homework/{sam_hw.id}",
                                        data=dict(CHECK_IN, connected="2", therapist_only="", action="submit"))
    # The couple page shows what happened since last time: each partner's sending, under their name.
    overview = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    since = overview[overview.index('id="since-h"'):overview.index('id="up-h"')]
    assert "<h3>Ana</h3>" in since and "<h3>Sam</h3>" in since
    assert since.count(">Three, two, one</a>") == 2 and "Nothing new." not in since
    # Side by side, with the gap on the rating.
    review = client.get(f"/couples/{couple.id}/homework/{ana_hw.id}").get_data(as_text=True)
    assert "Ana" in review and "Sam" in review
    assert '<span class="gap gap-big">4</span>' in review
    assert "I feel lonely sometimes" in review  # the therapist sees private answers
    client.post(f"/couples/{couple.id}/homework/{ana_hw.id}/review", data={f"review-{ana_hw.id}-comment": "Talk about the gap."})
    db.session.expire_all()
    assert db.session.get(Assignment, ana_hw.id).status == "reviewed"
    assert db.session.get(Assignment, ana_hw.id).review_comment == "Talk about the gap."


WEDNESDAY = datetime(2026, 11, 18, 9, 30)


def _overdue_list(page: str) -> str:
    """The couple page's "Overdue" box: what is late and not sent."""
    start = page.index("<h3>Overdue</h3>")
    return page[start:page.index("</div>", start)]


def test_overdue_shows_when_past_due_and_not_submitted(client, make, login, time_machine):
    time_machine.move_to(WEDNESDAY, tick=False)
    therapist = make.therapist()
    couple = make.couple(therapist)
    make.assignment(couple, due_in_days=-2)
    login(therapist)
    page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    late = _overdue_list(page)
    for partner in ("Ana", "Sam"):
        assert f'Three, two, one — {partner} <span class="due due-late">Due Mon Nov 16 (2 days ago)</span>' in late
    assert page.count('<span class="badge badge-danger">Overdue</span>') == 2


@pytest.mark.parametrize("days_later, says, late", [
    (0, "Due Thu Nov 19 (tomorrow)", False),
    (1, "Due Thu Nov 19 (today)", False),
    (2, "Due Thu Nov 19 (1 day ago)", True),
])
def test_homework_becomes_overdue_the_day_after_it_is_due(client, make, login, time_machine, days_later, says, late):
    time_machine.move_to(WEDNESDAY, tick=False)
    therapist = make.therapist()
    couple = make.couple(therapist)
    make.assignment(couple, due_in_days=1)
    time_machine.shift(timedelta(days=days_later))
    login(therapist)
    page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert says in page
    assert ("Three, two, one" in _overdue_list(page)) is late
    assert ('<span class="badge badge-danger">Overdue</span>' in page) is late


def test_cannot_review_what_was_not_submitted(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    hw, _ = make.assignment(couple)
    login(therapist)
    assert client.post(f"/couples/{couple.id}/homework/{hw.id}/review", data={}).status_code == 409
