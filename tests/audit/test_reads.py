"""Every page that shows clinical records leaves a read in the audit trail."""
from toolkit.audit.models import AuditEvent
from toolkit.extensions import db


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.execute(db.select(AuditEvent).filter_by(action=action)).scalars())


def test_the_home_page_records_the_safety_answers_it_shows(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    _, assignment = make.assignment(couple)
    flag = make.flag(couple.partners[1], assignment, question="Are you safe at home?", answer="no")
    login(therapist)
    assert "Are you safe at home?" in client.get("/").get_data(as_text=True)
    [event] = _events("home.view")
    assert event.actor == f"therapist:{therapist.id}"
    assert event.detail == f"safety_flags {flag.id}"  # which flags, never what they say


def test_the_couple_edit_page_records_a_read_of_the_private_notes(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist, notes="Private: affair disclosed in session 2.")
    login(therapist)
    assert "affair disclosed" in client.get(f"/couples/{couple.id}/edit").get_data(as_text=True)
    [event] = _events("couple.edit_view")
    assert (event.object_type, event.object_id, event.actor) == ("couple", couple.id, f"therapist:{therapist.id}")


def test_session_pages_record_reads(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple)
    login(therapist)
    assert client.get(f"/couples/{couple.id}/sessions/{session.id}").status_code == 200
    assert client.get(f"/couples/{couple.id}/sessions/{session.id}/edit").status_code == 200
    for action in ("session.view", "session.edit_view"):
        [event] = _events(action)
        assert (event.object_type, event.object_id) == ("session", session.id)


def test_the_paper_check_in_page_records_a_read(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple)
    partner = couple.partners[0]
    login(therapist)
    assert client.get(f"/couples/{couple.id}/sessions/{session.id}/measure/{partner.id}").status_code == 200
    [event] = _events("measure.paper_form")
    assert (event.object_type, event.object_id, event.detail) == ("partner", partner.id, f"session {session.id}")
