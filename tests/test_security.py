import pytest

from tests.audit.tamper import as_database_owner
from tests.factories import PASSWORD
from tests.helpers import csrf_token
from toolkit.audit.models import AuditEvent
from toolkit.audit.services import verify_chain
from toolkit.couples.models import Couple
from toolkit.extensions import db


def test_security_headers_on_every_kind_of_response(client):
    for path in ("/login", "/does-not-exist", "/static/css/app.css"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"):
            assert directive in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.app_config(HTTPS=True)
def test_https_turns_on_secure_cookies_and_hsts(client, make):
    therapist = make.therapist()
    response = client.post("/login", data={"email": therapist.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_session_cookie_is_httponly_and_lax(client, make):
    therapist = make.therapist()
    response = client.post("/login", data={"email": therapist.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_a_post_without_a_csrf_token_is_rejected(csrf_app, make):
    therapist = make.therapist()
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": therapist.email, "password": PASSWORD})
    assert response.status_code == 400
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": therapist.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    # Signed in, a form without the token still changes nothing.
    response = client.post("/couples/new", data={"partner_1-first_name": "A", "partner_2-first_name": "B"})
    assert response.status_code == 400
    assert db.session.execute(db.select(db.func.count(Couple.id))).scalar_one() == 0


def test_logout_is_post_only(client, make, login):
    login(make.therapist())
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_the_audit_chain_detects_an_edited_row(client, make, login):
    therapist = make.therapist()
    login(therapist)
    couple = make.couple(therapist)
    client.get(f"/couples/{couple.id}")
    assert verify_chain().ok
    victim = db.session.execute(db.select(AuditEvent).filter_by(action="couple.view")).scalar_one()
    with as_database_owner():
        db.session.execute(db.update(AuditEvent).where(AuditEvent.id == victim.id).values(actor="therapist:999"))
    result = verify_chain()
    assert not result.ok and result.first_bad_id == victim.id


@pytest.mark.parametrize("path", ["/", "/couples/new", "/couples/1", "/couples/1/edit"])
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
