"""A creating form sent twice at once (a double click, a retry) is stored once (checklist 22).

Both sendings carry the same rendered form, submission key included, as a double click does;
both are answered with a redirect to the one thing created.
"""
from datetime import timedelta

from tests.helpers import csrf_token, hidden, sign_in
from tests.reliability.conftest import Browser, at_once
from toolkit.couples.models import Couple
from toolkit.extensions import db
from toolkit.forms import ALREADY_SENT, SubmissionKey
from toolkit.homework.models import Assignment
from toolkit.sessions.models import TherapySession
from toolkit.timeutil import utcnow

ROUNDS = 3  # a fresh form each round: more chances for the two sendings to overlap


def _double_click(browser: Browser, path: str, data: dict) -> list:
    """Open the form, fill it in, and send it twice at once."""
    page = browser.get(path)
    sent = dict(data, csrf_token=csrf_token(page), submission_key=hidden(page, "submission_key"))
    return at_once([lambda: browser.post(path, sent)] * 2)


def _redirected_to_one_place(replies) -> str:
    assert [r.status for r in replies] == [302, 302], [(r.status, r.body[:300]) for r in replies]
    assert replies[0].location == replies[1].location
    return replies[0].location


def _count(model, *where) -> int:
    db.session.commit()  # end the test's own transaction: read what the server committed
    return db.session.execute(db.select(db.func.count()).select_from(model).where(*where)).scalar_one()


def test_add_couple_sent_twice_adds_one_couple(served):
    app, base, make = served
    therapist = make.therapist()
    db.session.close()
    browser = Browser(base)
    browser.sign_in(therapist)
    places = set()
    for n in range(ROUNDS):
        replies = _double_click(browser, "/couples/new", {
            "partner_1-first_name": f"Ana{n}", "partner_1-pronouns": "", "partner_1-email": "",
            "partner_2-first_name": f"Sam{n}", "partner_2-pronouns": "", "partner_2-email": "",
            "started_on": "", "notes": ""})
        places.add(_redirected_to_one_place(replies))
    assert _count(Couple, Couple.therapist_id == therapist.id) == ROUNDS
    ids = db.session.execute(db.select(Couple.id).where(Couple.therapist_id == therapist.id)).scalars()
    assert places == {f"/couples/{i}" for i in ids}


def test_add_session_sent_twice_adds_one_session(served):
    app, base, make = served
    therapist = make.therapist()
    couple = make.couple(therapist)
    db.session.close()
    browser = Browser(base)
    browser.sign_in(therapist)
    places = set()
    for n in range(ROUNDS):
        when = (utcnow() + timedelta(days=7 * (n + 1))).strftime("%Y-%m-%dT%H:%M")
        replies = _double_click(browser, f"/couples/{couple.id}/sessions/new",
                                {"starts_at": when, "status": "planned", "note_to_couple": ""})
        places.add(_redirected_to_one_place(replies))
    rows = db.session.execute(db.select(TherapySession.id, TherapySession.number)
                              .where(TherapySession.couple_id == couple.id)).all()
    assert sorted(number for _, number in rows) == list(range(1, ROUNDS + 1))
    assert places == {f"/couples/{couple.id}/sessions/{i}" for i, _ in rows}


def test_assign_homework_sent_twice_assigns_one_batch(served):
    app, base, make = served
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple, modules=["weekly-check-in"])
    db.session.close()
    browser = Browser(base)
    browser.sign_in(therapist)
    path = f"/couples/{couple.id}/sessions/{session.id}/assign?template=weekly-check-in/three-two-one"
    for n in range(ROUNDS):
        due = (utcnow() + timedelta(days=n + 1)).strftime("%Y-%m-%d")
        replies = _double_click(browser, path, {"who": "each", "due_on": due, "instructions": f"Round {n}"})
        assert _redirected_to_one_place(replies) == f"/couples/{couple.id}/sessions/{session.id}"
    # One copy for each partner per assignment: two, not four.
    assert _count(Assignment, Assignment.couple_id == couple.id) == 2 * ROUNDS
    batches = db.session.execute(db.select(Assignment.batch).where(Assignment.couple_id == couple.id)).scalars()
    assert len(set(batches)) == ROUNDS


# --- the key itself, through the test client ----------------------------------------------------

def _couple_form(client, **fields):
    page = client.get("/couples/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "submission_key": hidden(page, "submission_key"),
            "partner_1-first_name": "Ana", "partner_2-first_name": "Sam"}
    return {**data, **fields}


def test_a_resend_is_sent_to_what_the_first_made_and_told_so(csrf_app, make):
    client = csrf_app.test_client()
    sign_in(client, make.therapist())
    data = _couple_form(client)
    first = client.post("/couples/new", data=data)
    again = client.post("/couples/new", data=data)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert ALREADY_SENT in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _count(Couple) == 1
    # What the key records: which form, and where its couple is shown.
    key = db.session.get(SubmissionKey, data["submission_key"])
    assert (key.endpoint, key.redirect_url) == ("couples.new", first.headers["Location"])
    # A fresh form adds a second couple; a sending without a key (or with a malformed one) counts as new.
    assert client.post("/couples/new", data=_couple_form(client)).status_code == 302
    assert client.post("/couples/new", data={**_couple_form(client), "submission_key": ""}).status_code == 302
    assert client.post("/couples/new", data={**_couple_form(client), "submission_key": "<x>"}).status_code == 302
    assert _count(Couple) == 4
    # A key belongs to the form it was rendered in.
    couple_id = int(first.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/couples/{couple_id}/sessions/new").get_data(as_text=True)
    reused = client.post(f"/couples/{couple_id}/sessions/new",
                         data={"csrf_token": csrf_token(page), "submission_key": data["submission_key"],
                               "starts_at": "2030-01-07T17:00", "status": "planned"})
    assert reused.status_code == 400 and _count(TherapySession) == 0
    # A form whose answers were refused keeps its key, and is stored once they are right.
    data = _couple_form(client, **{"partner_1-first_name": ""})
    refused = client.post("/couples/new", data=data)
    assert refused.status_code == 200 and _count(Couple) == 4
    assert hidden(refused.get_data(as_text=True), "submission_key") == data["submission_key"]
    assert client.post("/couples/new", data={**data, "partner_1-first_name": "Ana"}).status_code == 302
    assert client.post("/couples/new", data={**data, "partner_1-first_name": "Ana"}).status_code == 302
    assert _count(Couple) == 5


def test_creating_forms_disable_their_buttons_while_sending(served):
    """Progressive: the page works without JavaScript; app.js holds a second sending back."""
    app, base, make = served
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple, modules=["weekly-check-in"])
    db.session.close()
    browser = Browser(base)
    browser.sign_in(therapist)
    for path in ("/couples/new", f"/couples/{couple.id}/sessions/new",
                 f"/couples/{couple.id}/sessions/{session.id}/assign?template=weekly-check-in/three-two-one"):
        page = browser.get(path)
        assert "data-submit-once" in page and 'name="submission_key"' in page, path
    script = browser.get("/static/js/app.js")
    assert "form[data-submit-once]" in script and "button.disabled = true" in script
