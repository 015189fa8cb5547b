"""A partner's safety on their own pages: sealed answers, a quick exit, help, a passcode, the policy first,
the check-in's safety questions, and joint work only once the therapist confirmed it is safe."""
import re
from datetime import timedelta

import pytest
from markupsafe import escape

from toolkit.audit.models import AuditEvent
from toolkit.extensions import db
from toolkit.homework.models import Assignment, SafetyFlag
from toolkit.measures.models import Measure
from toolkit.partners.views import CRISIS_SECONDS
from toolkit.timeutil import utcnow

SCREENING = "is-it-worth-working-on/worth-working-on-reflection"
PRIVATE_TEXT = "I keep a bag packed at my sisters place"


def _screening_answers(library_template) -> dict:
    """Every question answered: 'yes' to each safety question, private text where it is private."""
    data = {"action": "submit"}
    for field in library_template.fields:
        if field.safety:
            data[field.name] = field.concern[0]
        elif field.options:
            data[field.name] = field.options[-1][0]
        else:
            data[field.name] = PRIVATE_TEXT if field.private else "Some words"
    return data


def _events(action: str) -> list[AuditEvent]:
    return db.session.execute(db.select(AuditEvent).filter_by(action=action)).scalars().all()


@pytest.fixture
def screening(app, make, couple_with_links):
    couple = couple_with_links["couple"]
    ana_hw, sam_hw = make.assignment(couple, SCREENING)
    template = app.extensions["library"].template(SCREENING)
    return dict(couple_with_links, hw=ana_hw, sam_screening=sam_hw, template=template)


# --- sealed after sending -------------------------------------------------------------

def test_safety_answers_are_sealed_after_sending_and_the_therapist_still_sees_them(
        client, login, screening, partner_client):
    ana = partner_client(screening["ana_token"])
    template, hw = screening["template"], screening["hw"]
    safety = [f for f in template.fields if f.safety]
    sent = ana.post(f"/me/homework/{hw.id}", data=_screening_answers(template), follow_redirects=True)
    page = sent.get_data(as_text=True)
    assert "Support is available now" in page  # at the moment of sending
    assert 'href="tel:988"' in page
    assert page.count("Sent to your therapist. It is not shown here") == len(safety)
    # Later, on this phone, whoever holds it: no safety answer, no crisis box that would give it away.
    later = ana.get(f"/me/homework/{hw.id}").get_data(as_text=True)
    assert "Support is available now" not in later
    for field in safety:
        assert str(escape(field.label)) not in later
    assert not re.search(r"<p>Yes</p>", later)
    private = next(f for f in template.fields if f.private and not f.safety)
    assert str(escape(private.label)) in later  # her own private (not safety) answer she may still read
    assert len(db.session.execute(db.select(SafetyFlag)).scalars().all()) == len(safety)
    # The therapist reads every answer.
    login(screening["therapist"])
    review = client.get(f"/couples/{screening['couple'].id}/homework/{hw.id}").get_data(as_text=True)
    for field in safety:
        assert str(escape(field.label)) in review


def test_a_draft_keeps_no_safety_answer(screening, partner_client):
    ana = partner_client(screening["ana_token"])
    hw = screening["hw"]
    answers = dict(_screening_answers(screening["template"]), action="draft")
    ana.post(f"/me/homework/{hw.id}", data=answers)
    db.session.refresh(hw)
    stored = hw.private_answers_of(screening["ana"].id)
    assert hw.status == "started" and stored["where_i_stand"] is not None
    assert all(stored[f.name] is None for f in screening["template"].fields if f.safety)
    page = ana.get(f"/me/homework/{hw.id}").get_data(as_text=True)
    assert 'value="yes" checked' not in page and "not kept in a draft" in page


# --- help and quick exit ----------------------------------------------------------------

def test_every_partner_page_has_a_quick_exit_first_and_help_and_safety(app, screening, partner_client):
    ana = partner_client(screening["ana_token"])
    pages = ["/me/", f"/me/homework/{screening['hw'].id}", "/help", "/me/policy"]
    assert "All homework" in ana.get("/help").get_data(as_text=True)  # the way back, when signed in
    for url in pages:
        html = ana.get(url).get_data(as_text=True)
        body = html.split("<body", 1)[1]
        first_control = re.search(r"<(a|button|input(?! type=\"hidden\"))[^>]*>", body).group(0)
        assert "quick-exit-button" in first_control, url
        assert f'data-quick-exit="{app.config["QUICK_EXIT_URL"]}"' in html
        assert 'href="/help"' in html
    # The Continue page and a dead link's page, before any session, have them too.
    continue_page = app.test_client().get(f"/p/{screening['sam_token']}").get_data(as_text=True)
    assert "Leave quickly" in continue_page and "Help and safety" in continue_page


def test_quick_exit_ends_the_partners_session_on_the_server(app, screening, partner_client):
    ana = partner_client(screening["ana_token"])
    assert ana.get("/me/").status_code == 200
    response = ana.post("/exit")
    assert response.status_code == 200
    assert f'content="0; url={app.config["QUICK_EXIT_URL"]}"' in response.get_data(as_text=True)
    assert ana.get("/me/").status_code == 404  # the same browser, even with an old cookie
    assert ana.get(f"/me/homework/{screening['hw'].id}").status_code == 404


@pytest.mark.app_config(QUICK_EXIT_URL="https://example.org/news")
def test_the_quick_exit_address_is_the_practices(client):
    html = client.get("/help").get_data(as_text=True)
    assert 'data-quick-exit="https://example.org/news"' in html


def test_help_and_safety_makes_each_number_a_tap_to_call_or_text(app):
    html = app.test_client().get("/help").get_data(as_text=True)
    assert '<a href="tel:911">911</a>' in html
    assert '<a href="tel:18007997233">1-800-799-7233</a>' in html
    assert 'href="sms:88788?&amp;body=START"' in html and 'href="sms:988"' in html


# --- the policy first ---------------------------------------------------------------------

def test_no_homework_opens_before_the_policy_is_agreed(client, login, screening, partner_client):
    ana = partner_client(screening["ana_token"], agree=False)
    for url in ("/me/", f"/me/homework/{screening['hw'].id}", "/me/read/weekly-check-in", "/me/checkin"):
        response = ana.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/me/policy", url
    policy = ana.get("/me/policy").get_data(as_text=True)
    assert "How your answers are kept" in policy and "limits" in policy
    refused = ana.post("/me/policy", data={})
    assert "Please tick the box" in refused.get_data(as_text=True)
    assert ana.post("/me/policy", data={"agree": "y"}).status_code == 302
    db.session.refresh(screening["ana"])
    assert screening["ana"].policy_agreed_at is not None and _events("partner.policy_agree")
    login(screening["therapist"])
    links = client.get(f"/couples/{screening['couple'].id}/links").get_data(as_text=True)
    assert links.count("Agreed</span>") == 1 and "Not yet agreed" in links  # Ana agreed, Sam not yet


# --- a passcode of their own ----------------------------------------------------------------

def _set_passcode(browser, code="4821"):
    response = browser.post("/me/passcode", data={"passcode": code, "confirm": code, "action": "set"})
    assert response.status_code == 302
    return code


def test_a_passcode_is_asked_in_a_new_browser_and_not_in_the_same_one(app, screening, partner_client):
    token = screening["ana_token"]
    ana = partner_client(token, agree=False)
    ana.post("/me/policy", data={"agree": "y"})
    assert ana.get("/me/").headers["Location"] == "/me/passcode"  # offered on the first visit
    code = _set_passcode(ana)
    assert screening["ana"].passcode_hash.startswith("$argon2id$")
    assert ana.post(f"/p/{token}").status_code == 302  # this browser is already hers
    other = app.test_client()
    assert "Your passcode" in other.get(f"/p/{token}").get_data(as_text=True)
    missing = other.post(f"/p/{token}")
    assert missing.status_code == 400 and "Type your passcode" in missing.get_data(as_text=True)
    assert not _events("partner.passcode_failed")  # an empty field is not a guess
    assert other.get("/me/").status_code == 404
    assert other.post(f"/p/{token}", data={"passcode": "0000"}).status_code == 400
    assert other.post(f"/p/{token}", data={"passcode": code}).status_code == 302
    assert other.get("/me/").status_code == 200


def test_the_passcode_must_be_4_to_8_digits_typed_twice(screening, partner_client):
    ana = partner_client(screening["ana_token"])
    for code, confirm, message in (("12a4", "12a4", "4 to 8 digits"), ("123", "123", "4 to 8 digits"),
                                   ("123456789", "123456789", "4 to 8 digits"), ("1234", "1243", "differ")):
        page = ana.post("/me/passcode", data={"passcode": code, "confirm": confirm, "action": "set"})
        assert message in page.get_data(as_text=True), code
    assert screening["ana"].passcode_hash is None


def test_wrong_passcodes_are_throttled_without_locking_the_partner_out_elsewhere(app, screening, partner_client):
    token = screening["ana_token"]
    code = _set_passcode(partner_client(token))
    guesser = app.test_client()
    for n in range(app.config["PASSCODE_FAILURES_PER_PARTNER_AND_ADDRESS"]):
        assert guesser.post(f"/p/{token}", data={"passcode": f"99{n:02d}"}).status_code == 400
    assert guesser.post(f"/p/{token}", data={"passcode": code}).status_code == 429  # even the right one waits
    refused = len(_events("partner.passcode_failed"))
    guesser.post(f"/p/{token}", data={"passcode": "1111"})
    assert len(_events("partner.passcode_failed")) == refused  # refused tries are not counted
    # Ana, on her own phone elsewhere, still gets in.
    phone = app.test_client()
    assert phone.post(f"/p/{token}", data={"passcode": code}, environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 302


def test_the_passcode_throttle_lifts_once_its_window_has_passed(app, screening, partner_client, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    token = screening["ana_token"]
    code = _set_passcode(partner_client(token))
    guesser = app.test_client()
    for n in range(app.config["PASSCODE_FAILURES_PER_PARTNER_AND_ADDRESS"]):
        assert guesser.post(f"/p/{token}", data={"passcode": f"99{n:02d}"}).status_code == 400
    window = timedelta(minutes=app.config["PASSCODE_THROTTLE_MINUTES"])
    time_machine.shift(window - timedelta(minutes=1))
    waiting = guesser.post(f"/p/{token}", data={"passcode": code})
    assert waiting.status_code == 429 and "Wait 15 minutes" in waiting.get_data(as_text=True)
    time_machine.shift(timedelta(minutes=2))  # the wrong tries are now older than the window
    assert guesser.post(f"/p/{token}", data={"passcode": code}).status_code == 302
    assert guesser.get("/me/").status_code == 200


def test_the_therapist_clears_a_forgotten_passcode(app, client, login, screening, partner_client):
    token, ana = screening["ana_token"], screening["ana"]
    _set_passcode(partner_client(token))
    login(screening["therapist"])
    links = client.get(f"/couples/{screening['couple'].id}/links").get_data(as_text=True)
    assert "Clear the passcode" in links
    client.post(f"/couples/{screening['couple'].id}/partners/{ana.id}/passcode/clear")
    db.session.refresh(ana)
    assert ana.passcode_hash is None and _events("partner.passcode_clear")
    assert app.test_client().post(f"/p/{token}").status_code == 302


@pytest.mark.parametrize("app, mode", [({"PARTNER_PASSCODE": "required"}, "required"),
                                       ({"PARTNER_PASSCODE": "off"}, "off")], indirect=["app"], ids=["required", "off"])
def test_the_practice_can_require_or_turn_off_passcodes(app, make, mode):
    couple = make.couple(make.therapist())
    token = make.link(couple.partners[0])
    browser = app.test_client()
    browser.post(f"/p/{token}")
    browser.post("/me/policy", data={"agree": "y"})
    skipped = browser.post("/me/passcode", data={"action": "skip"})
    home = browser.get("/me/")
    if mode == "required":
        assert "Not now" not in browser.get("/me/passcode").get_data(as_text=True)
        assert home.status_code == 302 and home.headers["Location"] == "/me/passcode"
    else:
        assert skipped.status_code == 302 and home.status_code == 200
        assert "passcode" not in home.get_data(as_text=True).lower()


# --- the check-in's safety questions ------------------------------------------------------------

@pytest.fixture
def checkin(make, couple_with_links):
    couple = couple_with_links["couple"]
    couple.checkin_enabled = True
    db.session.commit()
    make.session(couple, days_from_now=2)
    return couple_with_links


CSI = {"happiness": "3", "warm": "3", "rewarding": "3", "satisfied": "3"}


def test_the_checkin_asks_safety_questions_and_a_concern_raises_a_flag(checkin, partner_client):
    ana = partner_client(checkin["ana_token"])
    page = ana.get("/me/checkin").get_data(as_text=True)
    assert "a screen, not a diagnosis" in page and "made you afraid" in page
    sent = ana.post("/me/checkin", data=dict(CSI, afraid="yes", hurt="no", safe_at_home="yes"), follow_redirects=True)
    assert "Support is available now" in sent.get_data(as_text=True)
    flag = db.session.execute(db.select(SafetyFlag)).scalar_one()
    measure = db.session.execute(db.select(Measure)).scalar_one()
    assert (flag.field_name, flag.measure_id, flag.assignment_id) == ("afraid", measure.id, None)
    assert measure.score == 12 and measure.safety_answers == {"afraid": "yes", "hurt": "no", "safe_at_home": "yes"}
    assert "Support is available now" not in ana.get("/me/").get_data(as_text=True)
    assert ana.get("/me/sent").status_code == 302  # shown once, never again


def test_answers_without_concern_raise_no_flag_and_the_questions_may_be_skipped(checkin, partner_client):
    ana = partner_client(checkin["ana_token"])
    sent = ana.post("/me/checkin", data=dict(CSI, safe_at_home="yes"))
    assert sent.status_code == 302 and sent.headers["Location"] == "/me/"
    assert db.session.execute(db.select(SafetyFlag)).first() is None


def test_the_therapist_turns_the_safety_questions_off_with_a_reason(client, login, checkin, partner_client):
    couple = checkin["couple"]
    login(checkin["therapist"])
    refused = client.post(f"/couples/{couple.id}/safety-questions", data={"reason": ""})
    assert "Give a reason" in refused.get_data(as_text=True)
    client.post(f"/couples/{couple.id}/safety-questions", data={"reason": "Screened in person each week"})
    assert _events("couple.safety_questions_off")[0].detail == "Screened in person each week"
    assert "Screened in person each week" in client.get(f"/couples/{couple.id}").get_data(as_text=True)
    page = partner_client(checkin["ana_token"]).get("/me/checkin").get_data(as_text=True)
    assert "made you afraid" not in page and "How rewarding is your relationship" in page
    client.post(f"/couples/{couple.id}/safety-questions/on")
    assert _events("couple.safety_questions_on")
    assert "made you afraid" in partner_client(checkin["sam_token"]).get("/me/checkin").get_data(as_text=True)


# --- joint work while a flag is open -----------------------------------------------------------

def _open_flag(make, couple_with_links):
    return make.flag(couple_with_links["ana"], couple_with_links["ana_hw"], field_name="felt_unsafe",
                     question="Did you feel unsafe?", answer="yes")


def test_joint_homework_waits_for_the_therapists_confirmation_while_a_flag_is_open(client, login, make,
                                                                                   couple_with_links):
    _open_flag(make, couple_with_links)
    couple, session = couple_with_links["couple"], couple_with_links["session"]
    login(couple_with_links["therapist"])
    url = f"/couples/{couple.id}/sessions/{session.id}/assign?template=quality-time/date-plan"
    count = db.session.execute(db.select(db.func.count(Assignment.id))).scalar_one()
    data = {"who": "joint", "due_on": "2030-01-10", "instructions": "Plan it together"}
    page = client.post(url, data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "A partner has an open safety flag" in html
    assert "Joint work is safe: assign to both" in html and "Plan it together" in html  # nothing typed is lost
    assert db.session.execute(db.select(db.func.count(Assignment.id))).scalar_one() == count
    assert client.post(url, data=dict(data, joint_safe="1")).status_code == 302
    assert db.session.execute(db.select(db.func.count(Assignment.id))).scalar_one() == count + 1
    assert _events("joint_work.confirm_safe")[0].detail == "joint homework"
    # Work for each partner separately asks nothing.
    assert client.post(url, data=dict(data, who="each")).status_code == 302


def test_the_couples_packet_waits_for_the_confirmation_while_a_flag_is_open(client, login, make, couple_with_links):
    couple, session = couple_with_links["couple"], couple_with_links["session"]
    login(couple_with_links["therapist"])
    url = f"/couples/{couple.id}/sessions/{session.id}/packet.pdf"
    assert client.get(url).mimetype == "application/pdf"  # no flag: straight to the PDF
    _open_flag(make, couple_with_links)
    page = client.get(url)
    assert page.mimetype == "text/html" and "Joint work is safe: print the couple's packet" in page.get_data(as_text=True)
    assert not _events("joint_work.confirm_safe")
    confirmed = client.post(url)
    assert confirmed.mimetype == "application/pdf" and _events("joint_work.confirm_safe")[0].detail == "couple packet"
    # A partner's own packet is for that partner alone and asks nothing.
    ana = couple_with_links["ana"]
    own = client.get(f"/couples/{couple.id}/sessions/{session.id}/packet-for/{ana.id}.pdf")
    assert own.mimetype == "application/pdf"


@pytest.mark.parametrize("seconds_later, shown", [(CRISIS_SECONDS - 5, True), (CRISIS_SECONDS + 1, False)],
                         ids=["within-the-window", "after-it"])
def test_the_crisis_box_is_not_shown_to_whoever_opens_the_page_later(screening, partner_client, time_machine,
                                                                     seconds_later, shown):
    """If the page after sending never loaded, a later visitor to the phone sees nothing of the answer."""
    time_machine.move_to(utcnow(), tick=False)
    ana = partner_client(screening["ana_token"])
    hw = screening["hw"]
    ana.post(f"/me/homework/{hw.id}", data=_screening_answers(screening["template"]))  # the redirect is not followed
    time_machine.shift(timedelta(seconds=seconds_later))
    page = ana.get(f"/me/homework/{hw.id}").get_data(as_text=True)
    assert ("Support is available now" in page) is shown
    assert "Support is available now" not in ana.get(f"/me/homework/{hw.id}").get_data(as_text=True)  # once at most


def test_homework_can_go_to_one_partner_alone_and_the_other_sees_nothing_of_it(client, login, couple_with_links,
                                                                              partner_client):
    """A safety plan is made with one partner: the other is not asked and has nothing on their page."""
    couple, session, ana = couple_with_links["couple"], couple_with_links["session"], couple_with_links["ana"]
    login(couple_with_links["therapist"])
    url = f"/couples/{couple.id}/sessions/{session.id}/assign?template=my-safety-plan/my-private-plan"
    assert f"Only {ana.first_name}, alone" in client.get(url).get_data(as_text=True)
    done = client.post(url, data={"who": f"only:{ana.id}", "due_on": "2030-01-10"}, follow_redirects=True)
    assert "to Ana alone" in done.get_data(as_text=True)
    made = db.session.execute(db.select(Assignment).filter_by(template_id="my-private-plan")).scalars().all()
    assert [a.partner_id for a in made] == [ana.id]
    assert "My private plan" in partner_client(couple_with_links["ana_token"]).get("/me/").get_data(as_text=True)
    sam_home = partner_client(couple_with_links["sam_token"]).get("/me/").get_data(as_text=True)
    assert "My private plan" not in sam_home and "plan" not in sam_home.lower()
    other_couple = client.post(url, data={"who": "only:99999", "due_on": "2030-01-10"})
    assert other_couple.status_code == 200 and "Not a valid choice" in other_couple.get_data(as_text=True)
