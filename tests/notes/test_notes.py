import pytest

from toolkit.audit.models import AuditEvent
from toolkit.extensions import db
from toolkit.notes.models import SessionNote


@pytest.fixture
def held(make, login, client):
    therapist = make.therapist(name="Robin Hale", credentials="LMFT")
    couple = make.couple(therapist)
    session = make.session(couple, days_from_now=-1, status="held", modules=["weekly-check-in", "fighting-fair"])
    make.assignment(couple, session=session)
    login(therapist)
    return {"therapist": therapist, "couple": couple, "session": session,
            "url": f"/couples/{couple.id}/sessions/{session.id}/note"}


def _note():
    db.session.expire_all()
    return db.session.execute(db.select(SessionNote)).scalar_one()


def test_a_note_starts_prefilled_in_the_chosen_format(client, held):
    assert "Choose a format" in client.get(held["url"]).get_data(as_text=True)
    client.post(held["url"] + "/start", data={"format": "BIRP"})
    note = _note()
    assert note.format == "BIRP" and list(note.sections) == ["behavior", "intervention", "response", "plan"]
    assert note.sections["intervention"] == "Modules covered: The weekly check-in, Fighting fair."  # the plan, in order
    assert "Three, two, one" in note.sections["plan"]
    page = client.get(held["url"]).get_data(as_text=True)
    assert "Behavior" in page and "Sign and lock" in page


def test_autosave_keeps_the_draft(client, held):
    client.post(held["url"] + "/start", data={"format": "SOAP"})
    response = client.post(held["url"], data={"subjective": "Both tired.", "objective": "", "assessment": "",
                                              "plan": "Continue."}, headers={"X-Autosave": "1"})
    assert response.status_code == 200 and response.get_json()["saved"] is True
    assert _note().sections["subjective"] == "Both tired."


def test_sign_locks_the_note_and_addenda_show_beneath(client, held):
    client.post(held["url"] + "/start", data={"format": "DAP"})
    client.post(held["url"], data={"data_section": "Talked about chores.", "assessment": "Engaged.", "plan": "Weekly check-in."})
    client.post(held["url"] + "/sign")
    note = _note()
    assert note.is_signed and note.signed_by_name == "Robin Hale, LMFT" and note.content_hash == note.compute_hash()
    # No route can change it now.
    response = client.post(held["url"], data={"data_section": "Rewritten", "assessment": "", "plan": ""})
    assert response.status_code == 409 and "Add an addendum instead" in response.get_data(as_text=True)
    assert client.post(held["url"] + "/sign").status_code == 409
    assert _note().sections["data_section"] == "Talked about chores."
    client.post(held["url"] + "/addenda", data={"text": "Called Sam on Friday; all fine."})
    page = client.get(held["url"]).get_data(as_text=True)
    assert "Addendum" in page and "Called Sam on Friday" in page and "Locked · verified" in page
    assert page.index("Talked about chores.") < page.index("Called Sam on Friday")


def test_a_tampered_note_is_shown_as_tampered(client, held):
    client.post(held["url"] + "/start", data={"format": "SOAP"})
    client.post(held["url"] + "/sign")
    note = _note()
    db.session.execute(db.update(SessionNote).where(SessionNote.id == note.id)
                       .values(sections=dict(note.sections, subjective="Edited behind the app's back")))
    db.session.commit()
    page = client.get(held["url"]).get_data(as_text=True)
    assert "This note has been altered" in page and "Tampered" in page


def test_notes_are_audited(client, held):
    client.post(held["url"] + "/start", data={"format": "SOAP"})
    client.get(held["url"])
    client.post(held["url"] + "/sign")
    client.post(held["url"] + "/addenda", data={"text": "More."})
    actions = [a for (a,) in db.session.execute(db.select(AuditEvent.action).where(AuditEvent.object_type == "note"))]
    assert {"note.create", "note.view", "note.sign", "note.addendum"} <= set(actions)


def test_notes_are_only_for_held_sessions(client, make, held):
    planned = make.session(held["couple"], days_from_now=5)
    url = f"/couples/{held['couple'].id}/sessions/{planned.id}/note"
    assert client.post(url + "/start", data={"format": "SOAP"}).status_code == 409


def test_the_note_prints_with_signature_time_and_addenda(client, held):
    import io

    from pypdf import PdfReader

    client.post(held["url"] + "/start", data={"format": "SOAP"})
    client.post(held["url"], data={"subjective": "Both tired.", "objective": "", "assessment": "", "plan": ""})
    client.post(held["url"] + "/sign")
    client.post(held["url"] + "/addenda", data={"text": "Called Sam on Friday."})
    response = client.get(held["url"] + ".pdf")
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("SOAP session note", "Both tired.", "Electronically signed by", "Robin Hale, LMFT",
                     "Addendum", "Called Sam on Friday.", "Ana & Sam"):
        assert expected in text, expected
    # Nothing a partner wrote privately reaches the note unless the therapist wrote it there.
    assert "I feel lonely" not in text
    actions = [a for (a,) in db.session.execute(db.select(AuditEvent.action).where(AuditEvent.object_type == "note"))]
    assert "note.print" in actions


def test_the_note_starts_with_each_partners_latest_check_in(client, make, held):
    couple, session = held["couple"], held["session"]
    make.measure(couple.partners[0], session, [3, 3, 3, 3])
    client.post(held["url"] + "/start", data={"format": "SOAP"})
    assert "Ana 12" in _note().sections["objective"]
