from tests.helpers import checked_values, inputs
from tests.homework.conftest import CHECK_IN
from toolkit.extensions import db
from toolkit.homework.models import Assignment, SafetyFlag


def _reload(assignment):
    db.session.expire_all()
    return db.session.get(Assignment, assignment.id)


def test_a_draft_is_saved_and_survives_closing_the_browser(app, couple_with_links, partner_client):
    hw = couple_with_links["ana_hw"]
    browser = partner_client(couple_with_links["ana_token"])
    response = browser.post(f"/me/homework/{hw.id}", data={"action": "draft", "will_change": "Half a thought"})
    assert response.status_code == 302
    assert _reload(hw).status == "started"
    # A new browser (the old one was closed) opens the link again and finds the draft.
    again = partner_client(couple_with_links["ana_token"])
    page = again.get(f"/me/homework/{hw.id}").get_data(as_text=True)
    assert 'value="Half a thought"' in page
    assert "Draft saved" in again.get("/me/").get_data(as_text=True)


def test_submitting_with_an_error_keeps_every_value_typed(couple_with_links, partner_client):
    hw = couple_with_links["ana_hw"]
    browser = partner_client(couple_with_links["ana_token"])
    data = dict(CHECK_IN, will_change="", therapist_only="My private words")
    page = browser.post(f"/me/homework/{hw.id}", data=dict(data, action="submit")).get_data(as_text=True)
    assert "Please answer this question." in page
    assert 'value="Made coffee"' in page and 'value="Less phone"' in page and "My private words" in page
    assert checked_values(page, "connected") == ["6"]  # the rating chosen is still the one ticked
    assert len(inputs(page, "connected")) > 1
    assert _reload(hw).status == "assigned"


def test_submit_then_read_only_and_double_submission_stored_once(couple_with_links, partner_client):
    hw = couple_with_links["ana_hw"]
    browser = partner_client(couple_with_links["ana_token"])
    first = browser.post(f"/me/homework/{hw.id}", data=dict(CHECK_IN, action="submit"))
    assert first.status_code == 302
    stored = _reload(hw)
    assert stored.status == "submitted" and stored.answers["will_change"] == "Walk on Sunday"
    submitted_at = stored.submitted_at
    retry = browser.post(f"/me/homework/{hw.id}", data=dict(CHECK_IN, will_change="Changed!", action="submit"))
    assert retry.status_code == 302
    stored = _reload(hw)
    assert stored.answers["will_change"] == "Walk on Sunday" and stored.submitted_at == submitted_at
    page = browser.get(f"/me/homework/{hw.id}").get_data(as_text=True)
    assert "Walk on Sunday" in page and "<textarea" not in page and "data-print" in page


def test_a_partner_never_sees_the_other_partners_work(app, couple_with_links, partner_client):
    ana_hw, sam_hw = couple_with_links["ana_hw"], couple_with_links["sam_hw"]
    ana = partner_client(couple_with_links["ana_token"])
    ana.post(f"/me/homework/{ana_hw.id}", data=dict(CHECK_IN, action="submit"))
    sam = partner_client(couple_with_links["sam_token"])
    assert sam.get(f"/me/homework/{ana_hw.id}").status_code == 404
    assert sam.post(f"/me/homework/{ana_hw.id}", data=dict(CHECK_IN, action="submit")).status_code == 404
    home = sam.get("/me/").get_data(as_text=True)
    assert f"/me/homework/{ana_hw.id}\"" not in home and f"/me/homework/{sam_hw.id}" in home
    assert "Made coffee" not in home


def test_joint_homework_is_filled_once_and_private_answers_stay_private(app, make, couple_with_links, partner_client):
    couple = couple_with_links["couple"]
    (joint,) = make.assignment(couple, "weekly-check-in/three-two-one", who="joint")
    ana = partner_client(couple_with_links["ana_token"])
    ana.post(f"/me/homework/{joint.id}", data=dict(CHECK_IN, action="submit"))
    sam = partner_client(couple_with_links["sam_token"])
    page = sam.get(f"/me/homework/{joint.id}").get_data(as_text=True)
    assert "Made coffee" in page  # joint answers are shared
    assert "I feel lonely sometimes" not in page  # Ana's private answer is not
    assert "Anything you want only your therapist to know?" not in page
    stored = _reload(joint)
    assert stored.submitted_by_id == couple_with_links["ana"].id
    assert stored.private_answers_of(couple_with_links["ana"].id)["therapist_only"] == "I feel lonely sometimes"
    assert "therapist_only" not in stored.answers


def test_a_safety_answer_raises_a_flag_and_shows_crisis_resources(app, client, login, make, couple_with_links, partner_client):
    couple = couple_with_links["couple"]
    ana_hw, _ = make.assignment(couple, "is-it-worth-working-on/worth-working-on-reflection")
    browser = partner_client(couple_with_links["ana_token"])
    answers = {"want_to_keep_working": "3", "reasons_to_stay": "The kids", "reasons_unsure": "Fear",
               "where_i_stand": "I'm not sure yet", "hurt_or_afraid": "yes", "safe_at_home": "yes", "action": "submit"}
    response = browser.post(f"/me/homework/{ana_hw.id}", data=answers, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Support is available now" in page and "988" in page
    flag = db.session.execute(db.select(SafetyFlag)).scalar_one()
    assert flag.partner_id == couple_with_links["ana"].id and flag.field_name == "hurt_or_afraid"
    # Sam sees nothing of it.
    sam = partner_client(couple_with_links["sam_token"])
    assert sam.get(f"/me/homework/{ana_hw.id}").status_code == 404
    assert "afraid" not in sam.get("/me/").get_data(as_text=True)
    # The therapist sees the flag on the home page and the couple page until acknowledged.
    login(couple_with_links["therapist"])
    assert "Open safety flags" in client.get("/").get_data(as_text=True)
    assert "Open safety flags" in client.get(f"/couples/{couple.id}").get_data(as_text=True)
    client.post(f"/couples/{couple.id}/flags/{flag.id}/acknowledge")
    assert "Open safety flags" not in client.get("/").get_data(as_text=True)
    from toolkit.audit.models import AuditEvent
    assert db.session.execute(db.select(AuditEvent).filter_by(action="safety_flag.acknowledge")).scalar_one()


def test_a_partner_can_read_the_handout_of_their_homework_only(couple_with_links, partner_client):
    browser = partner_client(couple_with_links["ana_token"])
    assert browser.get("/me/read/weekly-check-in").status_code == 200
    assert browser.get("/me/read/forgiveness").status_code == 404


def test_the_partner_page_opens_on_what_is_to_do_and_the_latest_sent(make, couple_with_links, partner_client):
    couple = couple_with_links["couple"]
    for weeks in range(12):
        make.sent(*make.assignment(couple, due_in_days=-7 * weeks))
    page = partner_client(couple_with_links["ana_token"]).get("/me/").get_data(as_text=True)
    to_do, sent = page.split("<h2>Sent</h2>")
    assert couple_with_links["ana_hw"].title in to_do
    assert sent.count('class="card task"') == 10 and "Show all 12 you sent" in sent
    assert "Due" not in sent  # what was sent is never late
    everything = partner_client(couple_with_links["ana_token"]).get("/me/?all=1").get_data(as_text=True)
    assert everything.split("<h2>Sent</h2>")[1].count('class="card task"') == 12
