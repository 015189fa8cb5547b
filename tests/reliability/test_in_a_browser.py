"""What app.js adds, in real Chromium: the editor says when an autosave is refused, and a double
click sends a creating form once. Skipped where no Chromium or Playwright is available."""
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _why_not
from tests.factories import PASSWORD
from tests.helpers import csrf_token
from tests.reliability.conftest import Browser
from toolkit.extensions import db
from toolkit.notes.views import SIGNED_NOT_SAVED


@pytest.fixture(scope="module")
def chromium():
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _signed_in_page(chromium, base, therapist):
    page = chromium.new_context().new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(therapist.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def test_an_autosave_after_signing_elsewhere_is_refused_in_plain_words_and_the_text_stays(chromium, served):
    app, base, make = served
    therapist = make.therapist()
    session = make.session(make.couple(therapist), days_from_now=-1, status="held")
    make.note(session, "SOAP")
    url = f"/couples/{session.couple_id}/sessions/{session.id}/note"
    db.session.close()
    page = _signed_in_page(chromium, base, therapist)
    page.goto(base + url)
    # Signed meanwhile from another tab.
    other_tab = Browser(base)
    other_tab.sign_in(therapist)
    assert other_tab.post(url + "/sign", {"csrf_token": csrf_token(other_tab.get(url))}).status == 302
    page.get_by_label("Subjective").fill("Typed after the signature")
    expect(page.locator("[data-autosave-status]")).to_have_text(SIGNED_NOT_SAVED, timeout=15_000)
    assert page.get_by_label("Subjective").input_value() == "Typed after the signature"


def test_a_second_click_while_add_couple_is_on_its_way_sends_nothing(chromium, served):
    app, base, make = served
    therapist = make.therapist()
    db.session.close()
    page = _signed_in_page(chromium, base, therapist)
    page.goto(f"{base}/couples/new")
    page.locator("#partner_1-first_name").fill("Ana")
    page.locator("#partner_2-first_name").fill("Sam")
    # Each sending is answered here with "204 No Content", which leaves the page where it is, as a
    # slow server would: a second click then has the chance to send the form again.
    sent = []

    def answer(route):
        if route.request.method != "POST":
            return route.continue_()
        sent.append(route.request.post_data)
        return route.fulfill(status=204)

    page.route("**/couples/new", answer)
    button = page.get_by_role("button", name="Add couple")
    button.click()
    expect(button).to_be_disabled()
    button.click(force=True)  # the impatient second click
    button.evaluate("b => b.form.requestSubmit()")  # or Enter in a field: a submission all the same
    page.wait_for_timeout(300)  # room for a second sending to show up, were one made
    assert len(sent) == 1 and "submission_key=" in sent[0]
