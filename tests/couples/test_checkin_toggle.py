"""The check-in switch on the couple's page: on, each partner is asked before every planned session; off, no one is."""
from toolkit.audit.models import AuditEvent
from toolkit.extensions import db

ASKED = "Before your next session"


def _events(action: str) -> list[AuditEvent]:
    return db.session.execute(db.select(AuditEvent).filter_by(action=action, object_type="couple")).scalars().all()


def test_turning_the_check_in_on_asks_each_partner_and_off_stops_asking(client, make, login, partner_client):
    therapist = make.therapist()
    couple = make.couple(therapist)
    make.session(couple, days_from_now=3)
    ana_token, sam_token = make.link(couple.partners[0]), make.link(couple.partners[1])
    login(therapist)
    page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert "Ask for the check-in before each session</button>" in page and "Check-in on" not in page
    ana = partner_client(ana_token)
    assert ASKED not in ana.get("/me/").get_data(as_text=True)
    assert ana.get("/me/checkin").headers["Location"] == "/me/"  # nothing to answer yet

    on = client.post(f"/couples/{couple.id}/checkin")
    assert on.headers["Location"] == f"/couples/{couple.id}#progress"
    page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert "Each partner will be asked for the check-in before every planned session." in page
    assert '<span class="badge badge-ok">Check-in on</span>' in page and "Turn the check-in off</button>" in page
    for token in (ana_token, sam_token):
        home = partner_client(token).get("/me/").get_data(as_text=True)
        assert ASKED in home and 'href="/me/checkin">Start the check-in</a>' in home
    assert ana.get("/me/checkin").status_code == 200

    client.post(f"/couples/{couple.id}/checkin")
    page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert "The check-in is off." in page and "Check-in on" not in page
    assert ASKED not in ana.get("/me/").get_data(as_text=True)
    assert ana.get("/me/checkin").headers["Location"] == "/me/"
    assert len(_events("couple.checkin_on")) == len(_events("couple.checkin_off")) == 1


def test_with_no_planned_session_the_check_in_asks_nothing_yet(client, make, login, partner_client):
    therapist = make.therapist()
    couple = make.couple(therapist)
    make.session(couple, days_from_now=-7, status="held")
    token = make.link(couple.partners[0])
    login(therapist)
    client.post(f"/couples/{couple.id}/checkin")
    assert ASKED not in partner_client(token).get("/me/").get_data(as_text=True)
    make.session(couple, days_from_now=5)
    assert ASKED in partner_client(token).get("/me/").get_data(as_text=True)
