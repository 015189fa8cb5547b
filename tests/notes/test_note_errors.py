"""A note's draft with an error keeps every word typed; an empty addendum is refused in plain words."""
import pytest

from toolkit.extensions import db
from toolkit.notes.forms import SECTION_MAX
from toolkit.notes.models import Addendum, SessionNote


@pytest.fixture
def note_url(make, login):
    therapist = make.therapist(name="Robin Hale")
    session = make.session(make.couple(therapist), days_from_now=-1, status="held")
    make.note(session, "SOAP")
    login(therapist)
    return f"/couples/{session.couple_id}/sessions/{session.id}/note"


def _note() -> SessionNote:
    db.session.expire_all()
    return db.session.execute(db.select(SessionNote)).scalar_one()


def test_a_draft_with_a_section_too_long_keeps_what_was_typed_and_saves_nothing(client, note_url):
    before = dict(_note().sections)
    response = client.post(note_url, data={"subjective": "Both tired, both willing.", "objective": "Calm.",
                                           "assessment": "x" * (SECTION_MAX + 1), "plan": "Weekly check-in."})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please check the highlighted answers." in page
    assert f"Field cannot be longer than {SECTION_MAX} characters." in page
    for typed in ("Both tired, both willing.", "Calm.", "Weekly check-in."):
        assert typed in page, typed
    assert "x" * (SECTION_MAX + 1) in page  # even the long text is there to shorten
    assert _note().sections == before


def test_an_autosave_with_an_error_says_which_section(client, note_url):
    response = client.post(note_url, data={"subjective": "x" * (SECTION_MAX + 1), "objective": "", "assessment": "",
                                           "plan": ""}, headers={"X-Autosave": "1"})
    assert response.status_code == 400
    assert response.get_json()["saved"] is False and list(response.get_json()["errors"]) == ["subjective"]


@pytest.mark.parametrize("text", ["", "   \n  "], ids=["empty", "only-spaces"])
def test_an_empty_addendum_is_refused_with_a_clear_message(client, note_url, text):
    client.post(note_url + "/sign")
    response = client.post(note_url + "/addenda", data={"text": text})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write the addendum first." in page
    assert "Locked · verified" in page  # the signed note is still shown above the form
    assert db.session.execute(db.select(db.func.count(Addendum.id))).scalar_one() == 0
    kept = client.post(note_url + "/addenda", data={"text": "Called Sam on Friday."}, follow_redirects=True)
    assert "Addendum added." in kept.get_data(as_text=True) and "Called Sam on Friday." in kept.get_data(as_text=True)
