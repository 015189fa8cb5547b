"""Sign and lock sends the editor's text: it is saved and signed in one step."""
from toolkit.audit.models import AuditEvent
from toolkit.extensions import db
from toolkit.notes.forms import SECTION_MAX
from toolkit.notes.models import SessionNote
from toolkit.notes.views import SIGNED_NOT_SAVED


def _note():
    db.session.expire_all()
    return db.session.execute(db.select(SessionNote)).scalar_one()


def _started(client, make, login):
    therapist = make.therapist()
    session = make.session(make.couple(therapist), days_from_now=-1, status="held")
    login(therapist)
    url = f"/couples/{session.couple_id}/sessions/{session.id}/note"
    client.post(url + "/start", data={"format": "DAP"})
    client.post(url, data={"data_section": "Saved draft.", "assessment": "Engaged.", "plan": "Weekly."})
    return url


def test_the_text_sent_with_sign_is_what_is_signed(client, make, login):
    url = _started(client, make, login)
    response = client.post(url + "/sign", data={"data_section": "Last keystrokes.", "assessment": "Engaged.",
                                                "plan": ""})
    assert response.status_code == 302
    note = _note()
    assert note.sections == {"data_section": "Last keystrokes.", "assessment": "Engaged.", "plan": ""}
    assert note.is_signed and note.is_intact
    actions = db.session.execute(db.select(AuditEvent.action).where(AuditEvent.object_type == "note")
                                 .order_by(AuditEvent.seq)).scalars().all()
    assert actions[-2:] == ["note.update", "note.sign"]  # the text that changed at signing is recorded too


def test_a_section_not_sent_keeps_its_text(client, make, login):
    url = _started(client, make, login)
    client.post(url + "/sign", data={"plan": "Fortnightly."})
    assert _note().sections == {"data_section": "Saved draft.", "assessment": "Engaged.", "plan": "Fortnightly."}


def test_a_sign_with_text_too_long_signs_nothing_and_keeps_the_text_on_the_page(client, make, login):
    url = _started(client, make, login)
    response = client.post(url + "/sign", data={"data_section": "x" * (SECTION_MAX + 1), "assessment": "Kept here",
                                                "plan": ""})
    assert response.status_code == 400 and "Kept here" in response.get_data(as_text=True)
    note = _note()
    assert not note.is_signed and note.sections["data_section"] == "Saved draft."


def test_an_autosave_to_a_signed_note_gets_409_in_plain_words(client, make, login):
    url = _started(client, make, login)
    client.post(url + "/sign")
    response = client.post(url, data={"data_section": "More", "assessment": "", "plan": ""},
                           headers={"X-Autosave": "1"})
    assert response.status_code == 409
    assert response.get_json() == {"saved": False, "signed": True, "message": SIGNED_NOT_SAVED}
    assert _note().sections["data_section"] == "Saved draft."
