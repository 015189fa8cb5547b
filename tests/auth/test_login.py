from datetime import timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy.exc import IntegrityError

from toolkit.audit.models import AuditEvent
from toolkit.auth.models import BrowserSession, Therapist
from toolkit.auth.services import end_session, load_session, start_session
from toolkit.auth.views import FAILED_LOGIN
from toolkit.extensions import db
from toolkit.partners.models import PartnerLink
from toolkit.partners.services import close_session, find_live_link, load_partner, open_session
from toolkit.tokens import hash_token
from tests.factories import PASSWORD


def test_login_then_logout(client, make, login):
    therapist = make.therapist()
    login(therapist)
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_a_cookie_copied_before_logout_no_longer_works(app, make, login, client):
    therapist = make.therapist()
    login(therapist)
    copied = client.get_cookie("toolkit_session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("toolkit_session", copied)
    response = thief.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_session_is_renewed_at_login(app, make, client):
    therapist = make.therapist()
    client.get("/login")
    client.post("/login", data={"email": therapist.email, "password": "wrong password"})
    before = client.get_cookie("toolkit_session")
    client.post("/login", data={"email": therapist.email, "password": PASSWORD})
    after = client.get_cookie("toolkit_session")
    assert after is not None and (before is None or before.value != after.value)
    assert db.session.execute(db.select(db.func.count(BrowserSession.id))).scalar_one() == 1


def test_wrong_password_and_unknown_email_get_the_same_message(client, make):
    therapist = make.therapist()
    wrong = client.post("/login", data={"email": therapist.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert FAILED_LOGIN in wrong.get_data(as_text=True)
    assert FAILED_LOGIN in unknown.get_data(as_text=True)


def test_failed_logins_are_throttled_per_account(client, make):
    therapist = make.therapist()
    for _ in range(5):
        client.post("/login", data={"email": therapist.email, "password": "wrong password"})
    # Even the right password is refused now, with the same message.
    response = client.post("/login", data={"email": therapist.email, "password": PASSWORD})
    assert response.status_code == 401
    assert FAILED_LOGIN in response.get_data(as_text=True)


def test_failed_logins_are_throttled_per_address(app, client, make):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = 3
    therapist = make.therapist()
    for n in range(3):
        client.post("/login", data={"email": f"guess{n}@example.org", "password": "wrong password"})
    response = client.post("/login", data={"email": therapist.email, "password": PASSWORD})
    assert response.status_code == 401
    other_address = app.test_client()
    ok = other_address.post("/login", data={"email": therapist.email, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert ok.status_code == 302


def test_throttle_lifts_after_the_window(app, client, make, monkeypatch):
    from toolkit.timeutil import utcnow

    therapist = make.therapist()
    with monkeypatch.context() as earlier:  # the failures happened 16 minutes ago (the log is append-only)
        earlier.setattr("toolkit.audit.services.utcnow", lambda: utcnow() - timedelta(minutes=16))
        for _ in range(5):
            client.post("/login", data={"email": therapist.email, "password": "wrong password"})
    assert client.post("/login", data={"email": therapist.email, "password": PASSWORD}).status_code == 302


def test_idle_sessions_expire(app, client, make, login):
    therapist = make.therapist()
    login(therapist)
    for login_session in db.session.execute(db.select(BrowserSession)).scalars():
        login_session.last_seen_at -= timedelta(minutes=31)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_sessions_expire_after_twelve_hours_even_when_active(app, client, make, login):
    therapist = make.therapist()
    login(therapist)
    for login_session in db.session.execute(db.select(BrowserSession)).scalars():
        login_session.created_at -= timedelta(hours=12, minutes=1)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_passwords_are_argon2id_at_owasp_strength(make):
    therapist = make.therapist(password="x" * 128)
    params = extract_parameters(therapist.password_hash)
    assert therapist.password_hash.startswith("$argon2id$")
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2
    assert therapist.check_password("x" * 128)
    assert not therapist.check_password("x" * 127)
    assert PasswordHasher().verify(therapist.password_hash, "x" * 128)


def test_next_only_follows_local_paths(client, make):
    therapist = make.therapist()
    response = client.post("/login?next=https://evil.example/", data={"email": therapist.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_logins_and_failures_are_audited(client, make):
    therapist = make.therapist()
    client.post("/login", data={"email": therapist.email, "password": "wrong password"})
    client.post("/login", data={"email": therapist.email, "password": PASSWORD})
    actions = db.session.execute(db.select(AuditEvent.action, AuditEvent.actor)).all()
    assert ("login.failed", "anonymous") in actions
    assert ("login", f"therapist:{therapist.id}") in actions
    assert db.session.get(Therapist, therapist.id).email == therapist.email


def test_a_partners_token_never_opens_a_therapists_session_nor_the_other_way_round(app, make):
    """Both kinds of browser session are rows of one table: each kind is looked up and ended as itself."""
    therapist = make.therapist()
    partner = make.couple(therapist).partners[0]
    therapists_token = start_session(therapist)
    partners_token = open_session(find_live_link(make.link(partner)))
    db.session.commit()

    assert load_session(partners_token) is None and load_partner(therapists_token) is None
    end_session(partners_token)
    close_session(therapists_token)
    db.session.commit()
    assert load_session(therapists_token).id == therapist.id
    assert load_partner(partners_token).id == partner.id


def test_a_browser_session_has_exactly_one_owner(app, make):
    therapist = make.therapist()
    make.link(make.couple(therapist).partners[0])
    link_id = db.session.execute(db.select(PartnerLink.id)).scalar_one()
    for owners in ({}, {"therapist_id": therapist.id, "link_id": link_id}):
        db.session.add(BrowserSession(token_hash=hash_token(repr(owners)), **owners))
        with pytest.raises(IntegrityError, match="one_owner|CHECK"):
            db.session.commit()
        db.session.rollback()
