"""Every journey in the product, as a therapist and as a partner would take it."""
import re

import pytest

from tests.browser.conftest import shot
from toolkit.demo import DEMO_EMAIL, DEMO_PASSWORD

expect = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed").expect

PHONE = {"width": 360, "height": 780}


def sign_in(page, base):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def tab_to(page, selector, text="", limit=80):
    """Press Tab until the focused element matches `selector` (and holds `text`), as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("([s, t]) => { const e = document.activeElement;"
                         " return !!e && e.matches(s) && e.textContent.includes(t); }", [selector, text]):
            return
    raise AssertionError(f"Tab never reached {selector} {text}")


def partner_link(page, base, couple_name, partner):
    page.goto(f"{base}/couples/")
    page.locator(".card-title", has_text=couple_name).get_by_role("link").click()
    page.get_by_role("link", name="Private links").click()
    return page.get_by_role("textbox", name=f"{partner}'s link").input_value()


def test_therapist_and_partners_from_plan_to_signed_note(browser, live_app):
    app, base = live_app
    therapist = browser.new_context(viewport={"width": 1280, "height": 900})
    page = therapist.new_page()
    sign_in(page, base)
    shot(page, "01-home")
    expect(page.get_by_text("Open safety flags")).to_be_visible()

    # Prepare a session: open the couple, search the library from the plan, add a module.
    page.goto(f"{base}/couples/")
    page.locator(".card-title", has_text="Maya & Jordan").get_by_role("link").click()
    shot(page, "02-couple")
    page.get_by_role("link", name=re.compile(r"Session 2")).first.click()
    page.get_by_label("Search").fill("gratitude")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("button", name="Add Daily gratitude").click()
    expect(page.locator(".plan").get_by_text("Daily gratitude")).to_be_visible()
    shot(page, "03-session-plan")

    # The packet is a PDF with the couple's names.
    packet_url = page.get_by_role("link", name="Packet (PDF)").get_attribute("href")
    pdf = page.request.get(base + packet_url)
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    from io import BytesIO

    from pypdf import PdfReader
    assert "Maya & Jordan" in PdfReader(BytesIO(pdf.body())).pages[0].extract_text()

    # Assign the gratitude log to each partner.
    page.locator(".plan-item", has_text="Daily gratitude").get_by_role("link", name="Gratitude log").click()
    page.get_by_label("Each partner separately").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned").first).to_be_visible()

    # Maya opens her link on a phone.
    link = partner_link(page, base, "Maya & Jordan", "Maya")
    phone = browser.new_context(viewport=PHONE)
    maya = phone.new_page()
    maya.goto(link)
    shot(maya, "04-partner-continue")
    maya.get_by_role("button", name="Continue").click()
    assert "/p/" not in maya.url
    maya.get_by_role("link", name="Gratitude log").click()
    maya.locator("input[type=text]").first.fill("The note in my bag")
    maya.get_by_role("button", name="Save draft").click()
    expect(maya.get_by_text("Draft saved").first).to_be_visible()
    # Submit without the required rating: the error shows and the typed text stays.
    maya.get_by_role("button", name="Send to my therapist").click()
    expect(maya.get_by_text("Please answer this question.").first).to_be_visible()
    assert maya.locator("input[type=text]").first.input_value() == "The note in my bag"
    shot(maya, "05-partner-error")
    maya.locator("fieldset:has-text('appreciated') .scale-option", has_text="7").first.click()
    maya.get_by_role("button", name="Send to my therapist").click()
    expect(maya.get_by_text("Sent to your therapist")).to_be_visible()
    shot(maya, "06-partner-sent")

    # Jordan answers with the keyboard only: Tab to move, Space and arrows to choose, Enter to send.
    jordan_link = partner_link(page, base, "Maya & Jordan", "Jordan")
    jordan = browser.new_context(viewport=PHONE).new_page()
    jordan.goto(jordan_link)
    tab_to(jordan, "button[type=submit]")
    jordan.keyboard.press("Enter")
    jordan.wait_for_url(re.compile(r"/me/$"))
    tab_to(jordan, "a.task-title", "Gratitude log")
    jordan.keyboard.press("Enter")
    jordan.wait_for_url(re.compile(r"/me/homework/\d+"))
    tab_to(jordan, "input[type=checkbox]")
    jordan.keyboard.press("Space")
    tab_to(jordan, "fieldset:has(ol) input[type=text]")
    jordan.keyboard.type("Dinner together")
    tab_to(jordan, "input[type=radio]")
    for _ in range(4):
        jordan.keyboard.press("ArrowRight")
    tab_to(jordan, "button[value=submit]")
    with jordan.expect_navigation():
        jordan.keyboard.press("Enter")
    expect(jordan.get_by_text("Sent to your therapist")).to_be_visible()
    shot(jordan, "07-keyboard-sent")

    # The therapist reads both side by side.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Gratitude log").first.click()
    table = page.locator("table.side-by-side")
    assert "Maya" in table.inner_text() and "Jordan" in table.inner_text()
    assert "The note in my bag" in table.inner_text() and "Dinner together" in table.inner_text()
    shot(page, "08-review-side-by-side")

    # The safety flag, then acknowledge it.
    page.goto(f"{base}/")
    page.get_by_role("button", name="Acknowledge").first.click()
    expect(page.get_by_text("Safety flag acknowledged")).to_be_visible()

    # Write, sign and print the note of the held session; add an addendum.
    page.goto(f"{base}/couples/")
    page.locator(".card-title", has_text="Maya & Jordan").get_by_role("link").click()
    page.get_by_role("link", name=re.compile(r"Session 1")).first.click()
    page.get_by_role("link", name="Session note").click()
    page.get_by_label("Subjective").fill("Both came in tired but willing.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Locked · verified")).to_be_visible()
    note_pdf = page.request.get(base + page.get_by_role("link", name="Print (PDF)").get_attribute("href"))
    assert note_pdf.ok and note_pdf.body()[:5] == b"%PDF-"
    page.get_by_label("Addendum").fill("Called Maya on Friday; all well.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.get_by_text("Called Maya on Friday")).to_be_visible()
    shot(page, "09-signed-note")

    # The measure chart.
    page.goto(f"{base}/couples/")
    page.locator(".card-title", has_text="Sam & Alex").get_by_role("link").click()
    assert page.locator("#progress svg.chart-svg").count() == 2
    shot(page, "10-progress")
