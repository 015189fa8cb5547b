from datetime import timedelta

from toolkit.audit.models import AuditEvent
from toolkit.extensions import db
from toolkit.auth.models import BrowserSession
from toolkit.partners.models import PartnerLink
from toolkit.timeutil import utcnow


def _partner_sessions() -> int:
    return db.session.execute(
        db.select(db.func.count(BrowserSession.id)).where(BrowserSession.link_id.is_not(None))
    ).scalar_one()


def test_opening_a_link_changes_nothing_until_continue(app, couple_with_links):
    token = couple_with_links["ana_token"]
    browser = app.test_client()
    sessions_before = _partner_sessions()
    page = browser.get(f"/p/{token}")
    assert page.status_code == 200 and "Continue" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    assert _partner_sessions() == sessions_before
    assert "partner_token" not in (browser.get_cookie("toolkit_session").value if browser.get_cookie("toolkit_session") else "")
    assert browser.get("/me/").status_code == 404  # nothing opened yet
    response = browser.post(f"/p/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    assert token not in response.headers["Location"]
    assert browser.get("/me/").headers["Location"] == "/me/policy"  # the policy comes first
    browser.post("/me/policy", data={"agree": "y"})
    browser.post("/me/passcode", data={"action": "skip"})
    home = browser.get("/me/")
    assert home.status_code == 200 and "Three, two, one" in home.get_data(as_text=True)
    assert _partner_sessions() == sessions_before + 1


def test_token_is_long_random_and_only_its_hash_is_stored(couple_with_links):
    token = couple_with_links["ana_token"]
    assert len(token) >= 32 and len(bytes.fromhex(token)) * 8 >= 128
    link = db.session.execute(db.select(PartnerLink).filter_by(partner_id=couple_with_links["ana"].id)).scalar_one()
    stored = " ".join(str(v) for v in (link.nonce, link.token_hash, link.created_at, link.expires_at))
    assert token not in stored


def test_reissue_kills_the_old_link_and_its_sessions_at_once(app, make, couple_with_links, partner_client):
    old = couple_with_links["ana_token"]
    browser = partner_client(old)
    new = make.link(couple_with_links["ana"])
    assert new != old
    assert browser.get("/me/").status_code == 404
    dead = app.test_client().get(f"/p/{old}")
    assert dead.status_code == 404 and "ask your therapist" in dead.get_data(as_text=True)
    assert partner_client(new).get("/me/").status_code == 200


def test_revoke_from_the_couple_page(app, client, login, couple_with_links, partner_client):
    browser = partner_client(couple_with_links["ana_token"])
    login(couple_with_links["therapist"])
    couple, ana = couple_with_links["couple"], couple_with_links["ana"]
    assert client.post(f"/couples/{couple.id}/partners/{ana.id}/link/revoke").status_code == 302
    assert browser.get("/me/").status_code == 404
    assert app.test_client().post(f"/p/{couple_with_links['ana_token']}").status_code == 404


def test_the_links_page_shows_each_link_to_copy_and_is_audited(client, login, couple_with_links):
    login(couple_with_links["therapist"])
    couple_id = couple_with_links["couple"].id
    assert f"/couples/{couple_id}/links" in client.get(f"/couples/{couple_id}").get_data(as_text=True)
    page = client.get(f"/couples/{couple_id}/links").get_data(as_text=True)
    assert f"http://toolkit.test/p/{couple_with_links['ana_token']}" in page
    assert 'data-copy="link-' in page
    assert db.session.execute(db.select(AuditEvent).filter_by(action="partner_links.view", object_id=couple_id)).scalar()


def test_expired_links_get_the_same_clear_page(app, couple_with_links):
    for link in db.session.execute(db.select(PartnerLink)).scalars():
        link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    for method in ("get", "post"):
        response = getattr(app.test_client(), method)(f"/p/{couple_with_links['ana_token']}")
        assert response.status_code == 404
        assert "ask your therapist" in response.get_data(as_text=True)


def test_links_expire_sixty_days_after_issue_by_default(couple_with_links):
    link = db.session.execute(db.select(PartnerLink).filter_by(partner_id=couple_with_links["ana"].id)).scalar_one()
    assert timedelta(days=59, hours=23) < link.expires_at - link.created_at <= timedelta(days=60)


def test_guessing_links_is_rate_limited(app, couple_with_links):
    app.config["PARTNER_LINK_FAILURES_PER_ADDRESS"] = 5
    guesser = app.test_client()
    for n in range(5):
        assert guesser.get(f"/p/{'0' * 63}{n}").status_code == 404
    # Even the right token is refused from this address now.
    assert guesser.post(f"/p/{couple_with_links['ana_token']}").status_code == 429
    elsewhere = app.test_client()
    ok = elsewhere.post(f"/p/{couple_with_links['ana_token']}", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert ok.status_code == 302


def test_the_token_never_reaches_the_audit_log_or_request_logs(app, couple_with_links):
    import logging

    from toolkit.security import RedactPartnerTokens

    token = couple_with_links["ana_token"]
    app.test_client().post(f"/p/{token}")
    app.test_client().get(f"/p/{token}x")
    for event in db.session.execute(db.select(AuditEvent)).scalars():
        assert token not in " ".join(str(v) for v in vars(event).values())
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s', ("127.0.0.1", f"GET /p/{token} HTTP/1.1", "200"), None)
    RedactPartnerTokens().filter(record)
    assert token not in record.getMessage() and "/p/[redacted]" in record.getMessage()
    assert any(isinstance(f, RedactPartnerTokens) for f in logging.getLogger("werkzeug").filters)
