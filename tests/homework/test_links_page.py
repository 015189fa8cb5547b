"""A partner's private link as the therapist issues it on the links page, and as the partner opens it:
from the first link to a new one, for as long as it lives, and after the partner signs out."""
import re
from datetime import datetime, timedelta

import pytest

from tests.helpers import input_with_id

MONDAY = datetime(2026, 11, 16, 9, 0)


def _link_of(page: str, partner) -> str:
    """The link the links page shows for a partner to copy."""
    box = input_with_id(page, f"link-{partner.id}")
    assert "readonly" in box
    return box["value"]


def _open(app, url: str):
    """A partner's browser: open the link, Continue, agree to the policy, not now to a passcode."""
    path = url.removeprefix("http://toolkit.test")
    browser = app.test_client()
    welcome = browser.get(path)
    assert welcome.status_code == 200, welcome.status_code
    continued = browser.post(path)
    assert continued.status_code == 302 and continued.headers["Location"] == "/me/"
    return browser, welcome.get_data(as_text=True)


@pytest.fixture
def therapist(make):
    return make.therapist()


@pytest.fixture
def couple(make, therapist):
    couple = make.couple(therapist)
    make.assignment(couple)
    return couple


def test_issuing_a_link_on_the_links_page_gives_the_partner_their_homework(app, client, login, therapist, couple):
    ana, sam = couple.partners
    login(therapist)
    links_url = f"/couples/{couple.id}/links"
    first = client.get(links_url).get_data(as_text=True)
    assert first.count("No working link.") == 2 and "Create a link" in first

    issued = client.post(f"/couples/{couple.id}/partners/{ana.id}/link", follow_redirects=True)
    page = issued.get_data(as_text=True)
    assert issued.request.path == links_url
    assert "New link ready for Ana. Any earlier link no longer works." in page
    assert page.count("No working link.") == 1  # Sam has none yet
    url = _link_of(page, ana)
    assert re.fullmatch(r"http://toolkit\.test/p/[0-9a-f]{64}", url)

    browser, welcome = _open(app, url)
    assert "Hello, Ana" in welcome
    assert browser.get("/me/").headers["Location"] == "/me/policy"
    browser.post("/me/policy", data={"agree": "y"})
    browser.post("/me/passcode", data={"action": "skip"})
    home = browser.get("/me/").get_data(as_text=True)
    assert "Hello, Ana" in home and "Three, two, one" in home


def test_a_new_link_from_the_links_page_replaces_the_old_one(app, client, login, therapist, couple):
    ana = couple.partners[0]
    login(therapist)
    issue = f"/couples/{couple.id}/partners/{ana.id}/link"
    old = _link_of(client.post(issue, follow_redirects=True).get_data(as_text=True), ana)
    browser, _ = _open(app, old)
    page = client.post(issue, follow_redirects=True).get_data(as_text=True)
    new = _link_of(page, ana)
    assert new != old
    dead = app.test_client().get(old.removeprefix("http://toolkit.test"))
    assert dead.status_code == 404 and "This link does not work" in dead.get_data(as_text=True)
    assert browser.get("/me/").status_code == 404  # the browser opened with the old link is signed out
    assert "Hello, Ana" in _open(app, new)[1]


def test_a_link_works_until_the_day_the_links_page_says_and_not_after(app, client, login, therapist, couple, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    ana = couple.partners[0]
    login(therapist)
    page = client.post(f"/couples/{couple.id}/partners/{ana.id}/link", follow_redirects=True).get_data(as_text=True)
    url = _link_of(page, ana)
    days = app.config["PARTNER_LINK_DAYS"]
    assert days == 60
    assert "Works until Jan 15, 2027." in page  # sixty days from Monday November 16
    time_machine.shift(timedelta(days=days) - timedelta(minutes=1))
    assert "Hello, Ana" in _open(app, url)[1]
    time_machine.shift(timedelta(minutes=2))
    expired = app.test_client().get(url.removeprefix("http://toolkit.test"))
    assert expired.status_code == 404 and "This link does not work" in expired.get_data(as_text=True)
    assert app.test_client().post(url.removeprefix("http://toolkit.test")).status_code == 404
    login(therapist)  # the therapist's own session ended long ago
    assert "No working link." in client.get(f"/couples/{couple.id}/links").get_data(as_text=True)


def test_a_partner_who_signs_out_comes_back_with_the_same_link(app, make, couple, partner_client):
    token = make.link(couple.partners[0])
    browser = partner_client(token)
    assert browser.get("/me/").status_code == 200
    left = browser.post("/me/leave")
    assert left.status_code == 200 and "You are signed out" in left.get_data(as_text=True)
    assert "open the link your therapist gave you again" in left.get_data(as_text=True)
    gone = browser.get("/me/")
    assert gone.status_code == 404 and "This link does not work" in gone.get_data(as_text=True)
    # The link itself still works: Continue, and the policy and the passcode offer are not asked again.
    assert "Hello, Ana" in browser.get(f"/p/{token}").get_data(as_text=True)
    assert browser.post(f"/p/{token}").headers["Location"] == "/me/"
    home = browser.get("/me/")
    assert home.status_code == 200 and "Three, two, one" in home.get_data(as_text=True)
