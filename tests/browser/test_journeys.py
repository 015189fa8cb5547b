"""Every journey in the product, as a therapist and as a partner would take it."""
import re
import shutil
import subprocess
import tempfile
import time
from io import BytesIO
from pathlib import Path

import pytest

from tests.browser.conftest import shot
from toolkit.demo import DEMO_EMAIL, DEMO_PASSWORD

expect = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed").expect

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
PDFTOPPM = shutil.which("pdftoppm")
# The quick exit's neutral site. This machine has no internet, so every test routes it to a tiny page.
NEUTRAL_URL = "https://www.weather.gov/"
NEUTRAL_PAGE = "<!doctype html><title>Weather</title><h1>Today's forecast</h1>"
POLICY_BOX = "I have read how my answers are kept, and I agree."
DEAD_LINK = "This link does not work"


# --- helpers: the therapist's side ------------------------------------------------------

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


def open_couple(page, base, couple_name):
    page.goto(f"{base}/couples/")
    page.locator(".card-title", has_text=couple_name).get_by_role("link").click()


def open_session(page, base, couple_name, number):
    open_couple(page, base, couple_name)
    page.get_by_role("link", name=re.compile(rf"Session {number}\b")).first.click()
    expect(page.get_by_role("heading", name=re.compile(rf"^Session {number}\b"))).to_be_visible()


def partner_link(page, base, couple_name, partner):
    open_couple(page, base, couple_name)
    page.get_by_role("link", name="Private links").click()
    return page.get_by_role("textbox", name=f"{partner}'s link").input_value()


def couples_packet_link(page, large=False):
    """The couple's packet on the session page's "Print for this session" card."""
    row = page.locator(".document-list li", has_text="The couple's packet")
    return row.get_by_role("link", name="Large print" if large else "PDF", exact=True)


def download_pdf(page, base, link) -> bytes:
    """Follow a link's href with the page's cookies, as the browser would, and return the PDF."""
    response = page.request.get(base + link.get_attribute("href"))
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    return response.body()


def capture_pdf_posts(page, pattern):
    """Keep the bytes of every PDF the page gets back from a form POST to `pattern`.

    (Chromium shows an inline PDF in its viewer, which hides the bytes from the response.)
    """
    captured = []

    def handle(route):
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch()
        captured.append((response.headers.get("content-type"), response.body()))
        route.fulfill(response=response)

    page.route(pattern, handle)
    return captured


# --- helpers: what is in a PDF ------------------------------------------------------------

def pdf_reader(pdf: bytes):
    from pypdf import PdfReader
    return PdfReader(BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    """All the text of a PDF, with line breaks turned into spaces."""
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf_reader(pdf).pages)


def pdf_images(pdf: bytes) -> int:
    return sum(len(page.images) for page in pdf_reader(pdf).pages)


def _decode(image) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    return [r.text for r in zxingcpp.read_barcodes(image)]


def scan_qr_codes(pdf: bytes, page_holding: str) -> list[str]:
    """What a phone's camera reads from the QR code on the page of the PDF that holds `page_holding`.

    With poppler's pdftoppm the whole page is rendered, as a camera would see it; without it the
    embedded QR image is taken from the page (as tests/pdf/test_documents.py does) and enlarged.
    """
    from PIL import Image

    reader = pdf_reader(pdf)
    numbers = [n for n, page in enumerate(reader.pages, 1)
               if page_holding in " ".join((page.extract_text() or "").split()) and page.images]
    assert numbers, f"no page with a QR code holds {page_holding!r}"
    found = []
    for number in numbers:
        if PDFTOPPM:
            with tempfile.TemporaryDirectory() as tmp:
                source = Path(tmp) / "packet.pdf"
                source.write_bytes(pdf)
                subprocess.run([PDFTOPPM, "-f", str(number), "-l", str(number), "-r", "200", "-gray", "-png",
                                "-singlefile", str(source), str(Path(tmp) / "page")], check=True)
                with Image.open(Path(tmp) / "page.png") as rendered:
                    found += _decode(rendered.convert("L"))
        else:
            for embedded in reader.pages[number - 1].images:
                image = embedded.image.convert("L")
                found += _decode(image.resize((image.width * 8, image.height * 8), Image.NEAREST))
    return found


# --- helpers: the partner's side ----------------------------------------------------------

def phone_context(browser):
    """A phone, whose quick exit lands on a stand-in for the neutral site."""
    context = browser.new_context(viewport=PHONE)
    context.route(f"{NEUTRAL_URL}**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                  body=NEUTRAL_PAGE))
    return context


def agree_to_policy(page):
    expect(page).to_have_url(re.compile(r"/me/policy$"))
    expect(page.get_by_role("heading", name="How your answers are kept")).to_be_visible()
    page.get_by_label(POLICY_BOX).check()
    page.get_by_role("button", name="Agree and go on").click()


def first_visit(page, link, *, passcode=None):
    """Open a partner's link for the first time: Continue, the policy, then set a passcode or not now."""
    page.goto(link)
    page.get_by_role("button", name="Continue").click()
    agree_to_policy(page)
    expect(page).to_have_url(re.compile(r"/me/passcode$"))
    if passcode:
        page.get_by_label("New passcode").fill(passcode)
        page.get_by_label("The same passcode again").fill(passcode)
        page.get_by_role("button", name="Set passcode").click()
    else:
        page.get_by_role("button", name="Not now").click()
    expect(page).to_have_url(re.compile(r"/me/$"))


def live_partner_sessions(app, partner_name: str) -> int:
    """How many browser sessions of this partner the server still holds."""
    from toolkit.couples.models import Partner
    from toolkit.extensions import db
    from toolkit.partners.models import PartnerLink, PartnerSession

    with app.app_context():
        try:
            return db.session.execute(
                db.select(db.func.count(PartnerSession.id)).join(PartnerLink, PartnerSession.link_id == PartnerLink.id)
                .join(Partner, PartnerLink.partner_id == Partner.id).where(Partner.first_name == partner_name)
            ).scalar_one()
        finally:
            db.session.remove()


def audit_details(app, action: str) -> list:
    """The details of every audit event of one kind, oldest first."""
    from toolkit.audit.models import AuditEvent
    from toolkit.extensions import db

    with app.app_context():
        try:
            return db.session.execute(
                db.select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).scalars().all()
        finally:
            db.session.remove()


def wait_until(condition, what, timeout=10.0):
    """The quick exit's beacon is sent without waiting for its answer: wait (boundedly) for the server."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


# --- the journeys ------------------------------------------------------------------------

def test_therapist_and_partners_from_plan_to_signed_note(browser, live_app):
    app, base = live_app
    therapist = browser.new_context(viewport=DESKTOP)
    page = therapist.new_page()
    sign_in(page, base)
    shot(page, "01-home")
    expect(page.get_by_text("Open safety flags")).to_be_visible()

    # Prepare a session: open the couple, search the library from the plan, add a module.
    open_couple(page, base, "Maya & Jordan")
    shot(page, "02-couple")
    page.get_by_role("link", name=re.compile(r"Session 2")).first.click()
    page.get_by_label("Search").fill("gratitude")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("button", name="Add Daily gratitude").click()
    expect(page.locator(".plan").get_by_text("Daily gratitude")).to_be_visible()
    shot(page, "03-session-plan")

    # The couple's packet is a PDF with the couple's names, and no one's private link in it.
    # (Maya & Jordan have no open safety flag, so it prints without asking.)
    expect(page.get_by_role("heading", name="Print for this session")).to_be_visible()
    couples = download_pdf(page, base, couples_packet_link(page))
    assert "Maya & Jordan" in pdf_reader(couples).pages[0].extract_text()
    assert "Daily gratitude" in pdf_text(couples)
    assert "/p/" not in pdf_text(couples) and pdf_images(couples) == 0
    assert download_pdf(page, base, couples_packet_link(page, large=True))

    # Assign the gratitude log to each partner.
    page.locator(".plan-item", has_text="Daily gratitude").get_by_role("link", name="Gratitude log").click()
    page.get_by_label("Each partner separately").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned").first).to_be_visible()
    shot(page, "11-print-for-this-session")

    # Print each partner's own packet: their worksheet, their name and link, nothing of the other.
    packets = {}
    for name, other in (("Maya", "Jordan"), ("Jordan", "Maya")):
        for large in (False, True):
            label = f"{name}'s packet, large print" if large else f"{name}'s packet, PDF"
            pdf = download_pdf(page, base, page.get_by_role("link", name=label, exact=True))
            text = pdf_text(pdf)
            assert f"For {name}" in text and "Gratitude log" in text, label
            assert other not in text, f"{label} names {other}"
            packets.setdefault(name, pdf)
    # The couple's packet still holds no personal worksheet now there are some.
    couples = download_pdf(page, base, couples_packet_link(page))
    assert "Gratitude log" not in pdf_text(couples) and "/p/" not in pdf_text(couples)

    maya_link = partner_link(page, base, "Maya & Jordan", "Maya")
    jordan_link = partner_link(page, base, "Maya & Jordan", "Jordan")
    assert scan_qr_codes(packets["Jordan"], "Gratitude log") == [jordan_link]

    # Maya scans the QR code on her own packet with her phone.
    scanned = scan_qr_codes(packets["Maya"], "Gratitude log")
    assert scanned == [maya_link]
    phone = phone_context(browser)
    maya = phone.new_page()
    maya.goto(scanned[0])
    expect(maya.get_by_role("heading", name="Hello, Maya")).to_be_visible()
    expect(maya.get_by_label("Your passcode")).to_have_count(0)  # none set yet
    shot(maya, "04-partner-continue")
    maya.get_by_role("button", name="Continue").click()
    # First the practice's policy: it must be agreed to before any homework opens.
    expect(maya).to_have_url(re.compile(r"/me/policy$"))
    maya.get_by_role("button", name="Agree and go on").click()
    expect(maya.get_by_text("Please tick the box to go on.").first).to_be_visible()
    expect(maya.get_by_role("button", name=re.compile("Leave quickly"))).to_be_visible()
    expect(maya.get_by_role("link", name="Help and safety")).to_be_visible()
    shot(maya, "12-partner-policy")
    agree_to_policy(maya)
    # Then the offer of a passcode; Maya sets one.
    expect(maya).to_have_url(re.compile(r"/me/passcode$"))
    maya.get_by_label("New passcode").fill("2468")
    maya.get_by_label("The same passcode again").fill("8642")
    maya.get_by_role("button", name="Set passcode").click()
    expect(maya.get_by_text("The two passcodes differ.").first).to_be_visible()
    shot(maya, "13-partner-passcode")
    maya.get_by_label("New passcode").fill("2468")
    maya.get_by_label("The same passcode again").fill("2468")
    maya.get_by_role("button", name="Set passcode").click()
    expect(maya).to_have_url(re.compile(r"/me/$"))
    expect(maya.get_by_text("Your passcode is set.")).to_be_visible()
    expect(maya.get_by_role("heading", name="Hello, Maya")).to_be_visible()
    expect(maya.get_by_role("button", name="Sign out")).to_be_visible()
    shot(maya, "14-partner-home")

    maya.get_by_role("link", name="Gratitude log").click()
    maya.locator("input[type=text]").first.fill("The note in my bag")
    maya.get_by_role("button", name="Save draft").click()
    expect(maya.get_by_text("Draft saved").first).to_be_visible()
    # Submit without the required rating: the error shows and the typed text stays.
    maya.get_by_role("button", name="Send to my therapist").click()
    expect(maya.get_by_text("Please answer this question.").first).to_be_visible()
    assert maya.locator("input[type=text]").first.input_value() == "The note in my bag"
    shot(maya, "05-partner-error")
    maya.locator("fieldset:has-text('noticed and thanked') .scale-option", has_text="7").first.click()
    maya.get_by_role("button", name="Send to my therapist").click()
    expect(maya.get_by_text("Sent to your therapist")).to_be_visible()
    shot(maya, "06-partner-sent")

    # Someone else's browser opening Maya's link needs her passcode.
    other = browser.new_context(viewport=DESKTOP).new_page()
    other.goto(maya_link)
    other.get_by_role("button", name="Continue").click()
    expect(other.get_by_text("Type your passcode.").first).to_be_visible()
    other.get_by_label("Your passcode").fill("1357")
    other.get_by_role("button", name="Continue").click()
    expect(other.get_by_text("That passcode is not right.").first).to_be_visible()
    assert "/me/" not in other.url
    shot(other, "15-passcode-at-the-door")
    other.get_by_label("Your passcode").fill("2468")
    other.get_by_role("button", name="Continue").click()
    expect(other).to_have_url(re.compile(r"/me/$"))
    expect(other.get_by_role("heading", name="Hello, Maya")).to_be_visible()
    other.get_by_role("button", name="Sign out").click()
    expect(other.get_by_role("heading", name="You are signed out")).to_be_visible()
    # Her phone, already open, is not asked again.
    maya.goto(maya_link)
    expect(maya.get_by_label("Your passcode")).to_be_visible()
    maya.get_by_role("button", name="Continue").click()
    expect(maya).to_have_url(re.compile(r"/me/$"))

    # Jordan answers with the keyboard only: Tab to move, Space and arrows to choose, Enter to send.
    jordan = phone_context(browser).new_page()
    jordan.goto(jordan_link)
    # The quick exit is the first thing the keyboard reaches.
    jordan.keyboard.press("Tab")
    assert jordan.evaluate("document.activeElement.classList.contains('quick-exit-button')")
    tab_to(jordan, "button[type=submit]", "Continue")
    jordan.keyboard.press("Enter")
    jordan.wait_for_url(re.compile(r"/me/policy$"))
    tab_to(jordan, "input[type=checkbox]")
    jordan.keyboard.press("Space")
    tab_to(jordan, "button[type=submit]", "Agree and go on")
    jordan.keyboard.press("Enter")
    jordan.wait_for_url(re.compile(r"/me/passcode$"))
    tab_to(jordan, "button[type=submit]", "Not now")
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
    open_couple(page, base, "Maya & Jordan")
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
    open_couple(page, base, "Sam & Alex")
    assert page.locator("#progress svg.chart-svg").count() == 2
    shot(page, "10-progress")


def test_joint_work_waits_for_the_therapist_while_a_safety_flag_is_open(browser, live_app):
    """In the demo, Alex's answer about being afraid left Sam & Alex with an open flag."""
    app, base = live_app
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base)
    open_session(page, base, "Sam & Alex", 6)

    # The couple's packet first asks whether joint work is safe.
    couples_packet_link(page).click()
    expect(page.get_by_role("heading", name="Before printing the couple's packet")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="A partner has an open safety flag")).to_be_visible()
    shot(page, "16-confirm-joint-packet")
    # "Not now" goes back to the session with nothing printed.
    page.get_by_role("link", name="Not now").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Session 6"))).to_be_visible()
    couples_packet_link(page).click()
    captured = capture_pdf_posts(page, re.compile(r"/packet\.pdf(\?.*)?$"))
    with page.expect_response(lambda r: r.request.method == "POST" and "/packet.pdf" in r.url):
        page.get_by_role("button", name="Joint work is safe: print the couple's packet").click()
    (kind, pdf), = captured
    assert kind == "application/pdf" and pdf[:5] == b"%PDF-"
    assert "Sam & Alex" in pdf_reader(pdf).pages[0].extract_text()

    # Assigning joint homework asks the same.
    open_session(page, base, "Sam & Alex", 6)
    page.locator(".plan-item", has_text="Letting go").get_by_role("link", name="What I am carrying").click()
    page.get_by_label("The couple together").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("alert").filter(has_text="A partner has an open safety flag")).to_be_visible()
    expect(page.get_by_role("button", name="Assign", exact=True)).to_have_count(0)
    expect(page.get_by_label("The couple together")).to_be_checked()
    shot(page, "17-confirm-joint-homework")
    page.get_by_role("button", name="Joint work is safe: assign to both").click()
    expect(page.get_by_text("jointly").first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Session 6"))).to_be_visible()
    expect(page.locator("ul.plain li", has_text="What I am carrying")).to_contain_text("joint")

    # The couple's packet now holds the joint worksheet, still with no one's link on it.
    couples_packet_link(page, large=True).click()
    captured.clear()
    with page.expect_response(lambda r: r.request.method == "POST" and "/packet.pdf?large=1" in r.url):
        page.get_by_role("button", name="Joint work is safe: print the couple's packet").click()
    (kind, pdf), = captured
    assert kind == "application/pdf"
    assert "What I am carrying" in pdf_text(pdf)
    assert "/p/" not in pdf_text(pdf) and pdf_images(pdf) == 0

    # A partner's own packet never asks: it holds nothing for the other partner.
    open_session(page, base, "Sam & Alex", 6)
    alex = pdf_text(download_pdf(page, base, page.get_by_role("link", name="Alex's packet, PDF", exact=True)))
    assert "For Alex" in alex and not re.search(r"\bSam\b", alex)

    page.goto(f"{base}/")
    page.get_by_role("button", name="Acknowledge").first.click()
    expect(page.get_by_text("Safety flag acknowledged")).to_be_visible()
    open_session(page, base, "Sam & Alex", 6)
    # Once the flag is acknowledged, the couple's packet prints at once.
    assert download_pdf(page, base, couples_packet_link(page))
    # Each "joint work is safe" is in the audit log; "Not now" and the partner's packet are not.
    assert audit_details(app, "joint_work.confirm_safe") == ["couple packet", "joint homework", "couple packet"]


def test_a_partner_leaves_quickly_on_a_phone(browser, live_app):
    app, base = live_app
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base)
    link = partner_link(page, base, "Priya & Dana", "Priya")

    phone = phone_context(browser)
    priya = phone.new_page()
    first_visit(priya, link)
    expect(priya.get_by_role("heading", name="Hello, Priya")).to_be_visible()
    leave = priya.get_by_role("button", name=re.compile(r"^Leave quickly"))
    expect(leave).to_be_visible()
    assert leave.evaluate("b => b.classList.contains('quick-exit-button')")
    shot(priya, "18-quick-exit-button")
    assert live_partner_sessions(app, "Priya") == 1

    # The button: the page is replaced by the neutral site, with no new history entry.
    before = priya.evaluate("history.length")
    leave.click()
    priya.wait_for_url(NEUTRAL_URL)
    expect(priya.get_by_role("heading", name="Today's forecast")).to_be_visible()
    assert priya.evaluate("history.length") == before
    shot(priya, "19-quick-exit-neutral-site")
    # The server ended Priya's session: her pages no longer open in this browser, not even with Back.
    wait_until(lambda: live_partner_sessions(app, "Priya") == 0, "the quick exit ended the partner session")
    priya.go_back()
    expect(priya.get_by_role("heading", name=DEAD_LINK)).to_be_visible()
    priya.goto(f"{base}/me/")
    expect(priya.get_by_role("heading", name=DEAD_LINK)).to_be_visible()
    shot(priya, "20-after-quick-exit")

    # Escape does the same, from any partner page; here, a homework page.
    priya.goto(link)
    priya.get_by_role("button", name="Continue").click()  # policy agreed and passcode offered already
    expect(priya).to_have_url(re.compile(r"/me/$"))
    priya.get_by_role("link", name="Help and safety").click()
    expect(priya.get_by_role("heading", name="Help and safety")).to_be_visible()
    expect(priya.get_by_text("Leave quickly” at the top of every page")).to_be_visible()
    priya.go_back()
    expect(priya).to_have_url(re.compile(r"/me/$"))
    priya.get_by_role("link", name="Three, two, one").first.click()
    expect(priya).to_have_url(re.compile(r"/me/homework/\d+$"))
    assert live_partner_sessions(app, "Priya") == 1
    before = priya.evaluate("history.length")
    priya.keyboard.press("Escape")
    priya.wait_for_url(NEUTRAL_URL)
    assert priya.evaluate("history.length") == before
    wait_until(lambda: live_partner_sessions(app, "Priya") == 0, "Escape ended the partner session")
    priya.goto(f"{base}/me/")
    expect(priya.get_by_role("heading", name=DEAD_LINK)).to_be_visible()

    # Without a session (the Continue page), the quick exit still leaves.
    priya.goto(link)
    priya.get_by_role("button", name=re.compile(r"^Leave quickly")).click()
    priya.wait_for_url(NEUTRAL_URL)

    # On a phone without script, the button posts the form and the answer takes the browser away.
    no_script = browser.new_context(viewport=PHONE, java_script_enabled=False)
    no_script.route(f"{NEUTRAL_URL}**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                    body=NEUTRAL_PAGE))
    plain = no_script.new_page()
    plain.goto(link)
    plain.get_by_role("button", name="Continue").click()
    expect(plain.get_by_role("heading", name="Hello, Priya")).to_be_visible()
    assert live_partner_sessions(app, "Priya") == 1
    plain.get_by_role("button", name=re.compile(r"^Leave quickly")).click()
    plain.wait_for_url(NEUTRAL_URL)
    assert live_partner_sessions(app, "Priya") == 0
    plain.goto(f"{base}/me/")
    expect(plain.get_by_role("heading", name=DEAD_LINK)).to_be_visible()


def test_a_safety_answer_is_sealed_once_sent(browser, live_app):
    app, base = live_app
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base)
    open_session(page, base, "Sam & Alex", 6)
    page.locator(".plan-item", has_text="Forgiveness").get_by_role("link", name="Where I am with forgiveness").click()
    page.get_by_label("Each partner separately").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("2 copies").first).to_be_visible()
    # Alex's own packet holds the worksheet, but never its safety question: that is asked online or in private.
    alex_packet = pdf_text(download_pdf(page, base, page.get_by_role("link", name="Alex's packet, PDF", exact=True)))
    assert "Where I am with forgiveness" in alex_packet and "For Alex" in alex_packet
    assert "Right now, does your partner hit you" not in alex_packet
    link = partner_link(page, base, "Sam & Alex", "Alex")

    alex = phone_context(browser).new_page()
    first_visit(alex, link)
    alex.get_by_role("link", name="Where I am with forgiveness").click()
    alex.get_by_label("The hurt I am thinking about").fill("The missed birthday")
    alex.get_by_role("group", name=re.compile(r"^Where am I today with forgiving")).locator(".scale-option", has_text="3").first.click()
    alex.get_by_label("What would help me take the next step").fill("Time, and hearing sorry")
    alex.get_by_role("group", name=re.compile(r"^Do I feel pushed")).get_by_label("No").check()
    harm = alex.get_by_role("group", name=re.compile(r"^Right now, does your partner"))
    harm.get_by_label("Yes").check()
    # A draft keeps no safety answer.
    alex.get_by_role("button", name="Save draft").click()
    expect(alex.get_by_text("Draft saved").first).to_be_visible()
    expect(harm.get_by_label("Yes")).not_to_be_checked()
    expect(alex.get_by_label("The hurt I am thinking about")).to_have_value("The missed birthday")
    harm.get_by_label("Yes").check()
    alex.get_by_role("button", name="Send to my therapist").click()

    # Right after sending an answer of concern: support, and the answer itself is not shown.
    crisis = alex.get_by_role("alert").filter(has_text="Support is available now")
    expect(crisis).to_be_visible()
    expect(crisis.get_by_role("link", name="988", exact=True)).to_have_attribute("href", "tel:988")
    sealed = alex.get_by_text("Sent to your therapist. It is not shown here, to keep it private.")
    expect(sealed).to_be_visible()
    expect(alex.get_by_text("Right now, does your partner hit you")).to_have_count(0)
    expect(alex.get_by_text("The missed birthday")).to_be_visible()
    shot(alex, "21-safety-answer-sealed")
    # Coming back later (or someone else picking up the phone): no support box, the answer still sealed.
    alex.reload()
    expect(alex.get_by_text("Support is available now")).to_have_count(0)
    expect(sealed).to_be_visible()
    expect(alex.get_by_text("Right now, does your partner hit you")).to_have_count(0)

    # The therapist sees the new flag.
    page.goto(f"{base}/")
    expect(page.get_by_text("Open safety flags")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(2)
