"""A signed note is sealed with a keyed HMAC over all it states, and its session cannot change after."""
from datetime import timedelta

import pytest

from toolkit.extensions import db
from toolkit.notes.models import Addendum, SessionNote
from toolkit.sessions.models import TherapySession

from ..audit.tamper import as_database_owner


@pytest.fixture
def signed(make, login, client):
    therapist = make.therapist(name="Robin Hale")
    couple = make.couple(therapist)
    session = make.session(couple, days_from_now=-1, status="held", modules=["weekly-check-in"])
    login(therapist)
    url = f"/couples/{couple.id}/sessions/{session.id}"
    client.post(url + "/note/start", data={"format": "SOAP"})
    client.post(url + "/note", data={"subjective": "Both tired.", "objective": "", "assessment": "", "plan": ""})
    client.post(url + "/note/sign")
    return {"couple": couple, "session": session, "url": url, "note": _note()}


def _note() -> SessionNote:
    db.session.expire_all()
    return db.session.execute(db.select(SessionNote)).scalar_one()


def _verdict(client, signed) -> str:
    page = client.get(signed["url"] + "/note").get_data(as_text=True)
    if "This note has been altered" in page and "Tampered" in page:
        return "tampered"
    assert "Locked · verified" in page
    return "verified"


def test_a_signed_note_is_sealed_with_the_key(app, client, signed):
    note = signed["note"]
    assert note.hash_scheme == "hmac-sha256" and note.content_hash == note.keyed_hash() != note.legacy_hash()
    assert _verdict(client, signed) == "verified"
    app.config["RECORDS_KEY"] = "a different key"
    assert not _note().is_intact


def test_changed_text_with_the_old_unkeyed_hash_recomputed_shows_tampered(client, signed):
    note = signed["note"]
    note.sections = dict(note.sections, subjective="Rewritten behind the app's back")
    note.content_hash = note.legacy_hash()
    db.session.commit()
    assert _verdict(client, signed) == "tampered"


def test_passing_a_note_off_as_signed_before_keying_shows_tampered(client, signed):
    note = signed["note"]
    note.sections = dict(note.sections, subjective="Rewritten behind the app's back")
    note.hash_scheme = "sha256"
    note.content_hash = note.legacy_hash()
    db.session.commit()
    # The old rule holds, but no signing with that hash is in the sealed audit log.
    assert _verdict(client, signed) == "tampered"


@pytest.mark.parametrize("what", ["date of service", "couple"])
def test_the_date_of_service_and_the_couple_are_sealed_too(client, make, signed, what):
    session = db.session.get(TherapySession, signed["session"].id)
    if what == "date of service":
        session.starts_at -= timedelta(days=7)  # changed behind the app's back
    else:
        session.couple_id = make.couple(make.therapist()).id
    db.session.commit()
    assert not _note().is_intact


def test_changing_the_session_after_signing_is_refused_and_the_note_still_verifies(client, signed):
    session = signed["session"]
    response = client.post(signed["url"] + "/edit", data={
        "starts_at": (session.starts_at - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "status": "held", "note_to_couple": ""})
    assert response.status_code == 409
    assert "note is signed" in response.get_data(as_text=True)
    assert client.get(signed["url"] + "/edit").status_code == 409
    for status in ("planned", "cancelled"):
        refused = client.post(signed["url"] + "/edit", data={
            "starts_at": session.starts_at.strftime("%Y-%m-%dT%H:%M"), "status": status, "note_to_couple": ""})
        assert refused.status_code == 409
    db.session.expire_all()
    stored = db.session.get(TherapySession, session.id)
    assert (stored.starts_at, stored.status) == (session.starts_at, "held")
    assert _verdict(client, signed) == "verified"


def test_the_plan_of_a_signed_session_can_be_read_but_not_changed(client, signed):
    session = db.session.get(TherapySession, signed["session"].id)
    page = client.get(signed["url"]).get_data(as_text=True)
    assert '<a href="/library/weekly-check-in">The weekly check-in</a>' in page
    assert "Edit time, status, note" not in page and "Add from the library" not in page
    assert client.post(signed["url"] + "/plan", data={"slug": "fighting-fair"}).status_code == 409
    item = session.plan[0]
    assert client.post(signed["url"] + f"/plan/{item.id}/remove").status_code == 409
    assert client.post(signed["url"] + f"/plan/{item.id}/move", data={"direction": "down"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(TherapySession, session.id).module_slugs == ["weekly-check-in"]


def test_a_session_whose_note_is_a_draft_can_still_change(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple, days_from_now=-1, status="held")
    login(therapist)
    url = f"/couples/{couple.id}/sessions/{session.id}"
    client.post(url + "/note/start", data={"format": "SOAP"})
    moved = session.starts_at - timedelta(hours=1)
    response = client.post(url + "/edit", data={"starts_at": moved.strftime("%Y-%m-%dT%H:%M"), "status": "held",
                                                "note_to_couple": ""})
    assert response.status_code == 302


def test_addenda_are_keyed_and_a_removed_one_shows(client, signed):
    client.post(signed["url"] + "/note/addenda", data={"text": "Called Sam on Friday."})
    addendum = db.session.execute(db.select(Addendum)).scalar_one()
    assert addendum.hash_scheme == "hmac-sha256" and addendum.is_intact
    addendum.text = "Never called."
    addendum.content_hash = addendum.legacy_hash()
    db.session.commit()
    page = client.get(signed["url"] + "/note").get_data(as_text=True)
    assert "Never called." in page and "Tampered" in page
    with as_database_owner():
        db.session.execute(db.delete(Addendum))
    page = client.get(signed["url"] + "/note").get_data(as_text=True)
    assert "An addendum is missing" in page
