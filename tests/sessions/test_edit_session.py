"""Editing a session: its time, its status (marking it held) and its note to the couple, as the therapist does it."""
import re
from datetime import datetime, timedelta

from tests.helpers import inputs
from toolkit.extensions import db
from toolkit.sessions.models import TherapySession

MONDAY = datetime(2026, 11, 16, 9, 0)


def _status(page: str) -> str:
    """The status the session page shows beside its heading."""
    return re.search(r'<h1>Session \d+ <span class="badge[^"]*">([^<]+)</span>', page).group(1)


def _stored(session) -> TherapySession:
    db.session.expire_all()
    return db.session.get(TherapySession, session.id)


def test_the_edit_form_opens_with_what_the_session_holds(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple, note_to_couple="Bring the calendar.")
    login(therapist)
    page = client.get(f"/couples/{couple.id}/sessions/{session.id}").get_data(as_text=True)
    edit_url = f"/couples/{couple.id}/sessions/{session.id}/edit"
    assert f'href="{edit_url}">Edit time, status, note</a>' in page
    form = client.get(edit_url).get_data(as_text=True)
    assert "Edit session 1" in form
    [starts_at] = inputs(form, "starts_at")
    assert starts_at["value"] == session.starts_at.strftime("%Y-%m-%dT%H:%M")
    assert '<option selected value="planned">Planned</option>' in form
    assert "Bring the calendar." in form


def test_marking_a_session_held_shows_on_its_page_and_opens_its_note(client, make, login, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple, days_from_now=0, modules=["weekly-check-in"])
    login(therapist)
    url = f"/couples/{couple.id}/sessions/{session.id}"
    before = client.get(url).get_data(as_text=True)
    assert _status(before) == "Planned" and "Session note" not in before

    moved = datetime(2026, 11, 16, 17, 30)
    response = client.post(url + "/edit", data={"starts_at": moved.strftime("%Y-%m-%dT%H:%M"), "status": "held",
                                                 "note_to_couple": "Go gently this week."}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.request.path == url
    assert "Session saved." in page
    assert _status(page) == "Held" and '<span class="badge badge-ok">Held</span>' in page
    assert "Monday November 16, 2026 at 5:30 PM" in page
    assert "Go gently this week." in page
    assert f'href="{url}/note">Session note</a>' in page  # a held session gets its note
    assert "Choose a format" in client.get(url + "/note").get_data(as_text=True)
    stored = _stored(session)
    assert (stored.starts_at, stored.status, stored.note_to_couple) == (moved, "held", "Go gently this week.")
    # The couple's page counts it among the sessions held.
    assert 'badge badge-ok">Held' in client.get(f"/couples/{couple.id}").get_data(as_text=True)


def test_a_session_edit_with_an_error_keeps_what_was_typed_and_changes_nothing(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple)
    login(therapist)
    response = client.post(f"/couples/{couple.id}/sessions/{session.id}/edit",
                           data={"starts_at": "", "status": "held", "note_to_couple": "Typed before the error"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please check the highlighted answers." in page and "This field is required." in page
    assert "Typed before the error" in page and '<option selected value="held">Held</option>' in page
    stored = _stored(session)
    assert (stored.status, stored.note_to_couple) == ("planned", None)


def test_a_cancelled_session_says_so_and_has_no_note(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple, days_from_now=-1)
    login(therapist)
    url = f"/couples/{couple.id}/sessions/{session.id}"
    when = (session.starts_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url + "/edit", data={"starts_at": when, "status": "cancelled"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert _status(page) == "Cancelled" and "Session note" not in page
    assert client.post(url + "/note/start", data={"format": "SOAP"}).status_code == 409
