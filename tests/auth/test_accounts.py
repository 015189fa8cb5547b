"""Accounts a group practice can trust: the second factor, passwords, throttling that cannot lock the
real user out, and the practice admin's flows."""
import re
from datetime import timedelta

import pyotp
import pytest

from tests.factories import PASSWORD
from toolkit.audit.models import AuditEvent
from toolkit.auth.models import BrowserSession, RecoveryCode, Therapist
from toolkit.extensions import db
from toolkit.timeutil import utcnow

NEW_PASSWORD = "a quiet harbour in june"


@pytest.fixture
def mfa_on(app):
    app.config["REQUIRE_MFA"] = True
    return app


def _events(action: str) -> list[AuditEvent]:
    return db.session.execute(db.select(AuditEvent).filter_by(action=action)).scalars().all()


def _sessions(therapist) -> int:
    return db.session.execute(db.select(db.func.count(BrowserSession.id)).filter_by(therapist_id=therapist.id)).scalar_one()


def _enrol(client, therapist, password=PASSWORD):
    """Sign in with the password, scan (read) the key, answer with a code; returns (secret, recovery codes)."""
    response = client.post("/login", data={"email": therapist.email, "password": password})
    assert response.status_code == 302 and response.headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, served inline (CSP allows only 'self' and data:)
    secret = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    done = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def _next_code(secret: str) -> str:
    """A code of the next 30-second step: accepted (a phone's clock may run ahead), and not the one just used."""
    return pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))


# --- the second factor ----------------------------------------------------------------------

def make_client(app):
    return app.test_client()


def test_a_new_account_sets_up_the_second_factor_at_its_first_sign_in(mfa_on, client, make):
    therapist = make.therapist()
    assert client.post("/login", data={"email": therapist.email, "password": PASSWORD}).headers["Location"] == "/login/enrol"
    assert client.get("/").status_code == 302  # not signed in before the second factor
    bad = client.post("/login/enrol", data={"code": "000000"})
    assert "did not match" in bad.get_data(as_text=True) and client.get("/").status_code == 302
    browser = make_client(mfa_on)
    secret, codes = _enrol(browser, therapist)
    assert browser.get("/").status_code == 200
    db.session.refresh(therapist)
    assert therapist.has_mfa and secret not in (therapist.mfa_secret or "")  # stored encrypted
    stored = db.session.execute(db.select(RecoveryCode.code_hash)).scalars().all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only keyed hashes are kept
    assert _events("mfa.enrol")


def test_sign_in_with_a_code_and_a_code_works_once(mfa_on, make):
    therapist = make.therapist()
    secret, _ = _enrol(make_client(mfa_on), therapist)
    browser = make_client(mfa_on)
    assert browser.post("/login", data={"email": therapist.email, "password": PASSWORD}).headers["Location"] == "/login/code"
    assert browser.get("/").status_code == 302
    wrong = browser.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 401 and _events("login.failed")[-1].detail == "wrong code"
    code = _next_code(secret)
    assert browser.post("/login/code", data={"code": code}).status_code == 302
    assert browser.get("/").status_code == 200
    # The same code again, in another browser, is refused: a code is good once.
    thief = make_client(mfa_on)
    thief.post("/login", data={"email": therapist.email, "password": PASSWORD})
    assert thief.post("/login/code", data={"code": code}).status_code == 401


def test_sign_in_with_a_recovery_code_each_works_once(mfa_on, make):
    therapist = make.therapist()
    _, codes = _enrol(make_client(mfa_on), therapist)
    for attempt, expected in ((codes[0], 302), (codes[0], 401), (codes[1].upper(), 302)):
        browser = make_client(mfa_on)
        browser.post("/login", data={"email": therapist.email, "password": PASSWORD})
        assert browser.post("/login/code", data={"code": attempt}).status_code == expected, attempt
    assert len(_events("mfa.recovery_code_used")) == 2


def test_the_password_alone_never_signs_in_an_enrolled_account(mfa_on, app, make):
    therapist = make.therapist()
    _enrol(make_client(mfa_on), therapist)
    app.config["REQUIRE_MFA"] = False  # even if the practice turned the requirement off later
    browser = make_client(app)
    assert browser.post("/login", data={"email": therapist.email, "password": PASSWORD}).headers["Location"] == "/login/code"


def test_the_pending_sign_in_expires(mfa_on, make):
    therapist = make.therapist()
    secret, _ = _enrol(make_client(mfa_on), therapist)
    browser = make_client(mfa_on)
    browser.post("/login", data={"email": therapist.email, "password": PASSWORD})
    with browser.session_transaction() as s:
        s["sign_in_pending"] = dict(s["sign_in_pending"], at=(utcnow() - timedelta(minutes=11)).isoformat())
    assert browser.post("/login/code", data={"code": _next_code(secret)}).headers["Location"] == "/login"


def test_wrong_codes_are_throttled(mfa_on, app, make):
    therapist = make.therapist()
    secret, _ = _enrol(make_client(mfa_on), therapist)
    browser = make_client(mfa_on)
    browser.post("/login", data={"email": therapist.email, "password": PASSWORD})
    for _ in range(app.config["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"]):
        browser.post("/login/code", data={"code": "000000"})
    assert browser.post("/login/code", data={"code": _next_code(secret)}).status_code == 401


# --- throttling that cannot lock the real user out ------------------------------------------

def test_someone_failing_elsewhere_cannot_lock_the_therapist_out(app, make):
    therapist = make.therapist()
    attacker = app.test_client()
    for _ in range(12):
        attacker.post("/login", data={"email": therapist.email, "password": "guess"},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert attacker.post("/login", data={"email": therapist.email, "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 401
    own = app.test_client()
    assert own.post("/login", data={"email": therapist.email, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "198.51.100.4"}).status_code == 302


def test_refused_tries_are_not_counted_so_the_wait_ends(app, make):
    therapist = make.therapist()
    browser = app.test_client()
    for _ in range(5):
        browser.post("/login", data={"email": therapist.email, "password": "guess"})
    failures = len(_events("login.failed"))
    for _ in range(5):  # one try a minute, say: refused, and not counted
        browser.post("/login", data={"email": therapist.email, "password": "guess"})
    assert len(_events("login.failed")) == failures and len(_events("login.refused")) == 5


def test_a_spread_out_attack_meets_the_per_account_ceiling(app, make):
    therapist = make.therapist()
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 8
    for n in range(8):
        app.test_client().post("/login", data={"email": therapist.email, "password": "guess"},
                               environ_base={"REMOTE_ADDR": f"203.0.113.{n}"})
    assert app.test_client().post("/login", data={"email": therapist.email, "password": PASSWORD},
                                  environ_base={"REMOTE_ADDR": "198.51.100.4"}).status_code == 401


# --- passwords ---------------------------------------------------------------------------------

def test_changing_the_password_asks_the_current_one_and_ends_every_other_session(app, client, make, login):
    therapist = make.therapist()
    other = app.test_client()
    other.post("/login", data={"email": therapist.email, "password": PASSWORD})
    login(therapist)
    assert _sessions(therapist) == 2
    wrong = client.post("/account", data={"current": "nope", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "not your current password" in wrong.get_data(as_text=True)
    done = client.post("/account", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/").status_code == 200 and other.get("/").status_code == 302
    assert _sessions(therapist) == 1 and _events("password.change")
    assert app.test_client().post("/login", data={"email": therapist.email, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize("password, message", [
    ("password123", "leaked in breaches"),
    ("iloveyou", "leaked in breaches"),
    ("therapist@example.org", "cannot be your email"),
    ("short", "8 to 128 characters"),
])
def test_a_new_password_is_refused_when_breached_or_the_email(client, make, login, password, message):
    therapist = make.therapist(email="therapist@example.org")
    login(therapist)
    page = client.post("/account", data={"current": PASSWORD, "password": password, "confirm": password})
    assert message in page.get_data(as_text=True)
    db.session.refresh(therapist)
    assert therapist.check_password(PASSWORD)


def test_create_therapist_refuses_a_breached_password(runner):
    result = runner.invoke(args=["create-therapist", "--email", "x@example.org", "--name", "X"],
                           input="password1\npassword1\n")
    assert result.exit_code != 0 and "breaches" in result.output


# --- the practice admin --------------------------------------------------------------------------

@pytest.fixture
def admin(make, login):
    account = make.therapist(role="admin", name="Casey Admin")
    login(account)
    return account


def _link_path(html: str) -> str:
    return re.search(r'value="http://toolkit\.test(/account/set-password/[^"]+)"', html).group(1)


def test_an_admin_invites_a_therapist_who_sets_a_password_and_a_second_factor(client, admin, mfa_on):
    page = client.post("/admin/therapists/new", data={"name": "Jo Rivera", "email": "jo@example.org",
                                                        "credentials": "LMFT", "role": "therapist"})
    path = _link_path(page.get_data(as_text=True))
    jo = db.session.execute(db.select(Therapist).filter_by(email="jo@example.org")).scalar_one()
    assert not jo.is_admin and _events("account.invite_issue")
    browser = make_client(mfa_on)
    assert "Welcome, Jo Rivera" in browser.get(path).get_data(as_text=True)
    assert "leaked" in browser.post(path, data={"password": "password1", "confirm": "password1"}).get_data(as_text=True)
    assert browser.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert browser.get(path).status_code == 404  # a link works once
    _enrol(browser, jo, NEW_PASSWORD)
    assert browser.get("/").status_code == 200


def test_deactivating_ends_the_accounts_sessions_at_once(app, client, make, admin):
    therapist = make.therapist()
    theirs = app.test_client()
    theirs.post("/login", data={"email": therapist.email, "password": PASSWORD})
    assert theirs.get("/").status_code == 200
    client.post(f"/admin/therapists/{therapist.id}/active")
    assert theirs.get("/").status_code == 302 and _sessions(therapist) == 0
    assert app.test_client().post("/login", data={"email": therapist.email, "password": PASSWORD}).status_code == 401
    client.post(f"/admin/therapists/{therapist.id}/active")
    assert app.test_client().post("/login", data={"email": therapist.email, "password": PASSWORD}).status_code == 302
    assert _events("therapist.deactivate") and _events("therapist.activate")


def test_an_admin_cannot_deactivate_themselves(client, admin):
    client.post(f"/admin/therapists/{admin.id}/active")
    db.session.refresh(admin)
    assert admin.is_active_account


def test_an_admin_resets_a_lost_second_factor(client, make, admin, mfa_on):
    therapist = make.therapist()
    _enrol(make_client(mfa_on), therapist)
    client.post(f"/admin/therapists/{therapist.id}/reset-mfa")
    db.session.refresh(therapist)
    assert not therapist.has_mfa and _events("mfa.reset")
    assert db.session.execute(db.select(RecoveryCode).filter_by(therapist_id=therapist.id)).first() is None
    again = make_client(mfa_on).post("/login", data={"email": therapist.email, "password": PASSWORD})
    assert again.headers["Location"] == "/login/enrol"


def test_an_admin_gives_a_password_reset_link(app, client, make, admin):
    therapist = make.therapist()
    path = _link_path(client.post(f"/admin/therapists/{therapist.id}/reset-password").get_data(as_text=True))
    signed_in = app.test_client()
    signed_in.post("/login", data={"email": therapist.email, "password": PASSWORD})
    browser = app.test_client()
    assert browser.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert signed_in.get("/").status_code == 302  # every session of the account ended
    assert app.test_client().post("/login", data={"email": therapist.email, "password": NEW_PASSWORD}).status_code == 302
    assert _events("account.reset_used")


def test_reassigning_moves_the_couples_and_their_links_keep_working(app, client, make, admin, partner_client):
    leaving, staying = make.therapist(name="Leaving"), make.therapist(name="Staying")
    couple = make.couple(leaving, first="Maya", second="Jordan")
    token = make.link(couple.partners[0])
    client.post("/admin/reassign", data={"from_id": leaving.id, "to_id": staying.id})
    db.session.refresh(couple)
    assert couple.therapist_id == staying.id
    assert _events("couple.reassign")[0].object_id == couple.id
    assert partner_client(token).get("/me/").status_code == 200
    same = client.post("/admin/reassign", data={"from_id": staying.id, "to_id": staying.id})
    assert "two different therapists" in same.get_data(as_text=True)


def test_the_audit_log_is_filterable_exportable_and_holds_no_clinical_content(client, make, admin):
    therapist = make.therapist()
    couple = make.couple(therapist)
    from toolkit.measures.services import turn_safety_questions_off
    turn_safety_questions_off(couple, "Disclosed abuse in session 2")  # a detail about care
    db.session.commit()
    page = client.get(f"/admin/audit?object_type=couple&object_id={couple.id}").get_data(as_text=True)
    assert "couple.safety_questions_off" in page and "Disclosed abuse" not in page
    assert "admin.view_accounts" not in page  # filtered to the couple
    csv = client.get(f"/admin/audit?object_type=couple&object_id={couple.id}&format=csv")
    assert csv.mimetype == "text/csv" and "couple.safety_questions_off" in csv.get_data(as_text=True)
    assert "Disclosed abuse" not in csv.get_data(as_text=True)
    by_person = client.get(f"/admin/audit?actor=therapist:{admin.id}").get_data(as_text=True)
    assert "admin.view_audit" in by_person
    assert "whole number" in client.get("/admin/audit?object_id=abc").get_data(as_text=True)


def test_a_therapist_is_not_an_admin(client, make, login):
    login(make.therapist())
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/audit").status_code == 404


def test_create_admin_makes_the_first_admin(runner):
    result = runner.invoke(args=["create-admin", "--email", "boss@example.org", "--name", "Boss"],
                           input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(Therapist).filter_by(email="boss@example.org")).scalar_one().is_admin
