"""An admin invites a therapist, who sets a password and a second factor, then signs in with a code."""
import re
from datetime import timedelta

import pyotp
import pytest

from tests.browser.conftest import shot
from toolkit.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD
from toolkit.timeutil import utcnow

expect = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed").expect

NEW_PASSWORD = "lanterns over the quiet bay"


def sign_in(page, base, email, password):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_invited_therapist_signs_in_with_a_second_factor(browser, live_app):
    app, base = live_app
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(admin, base, DEMO_ADMIN_EMAIL, DEMO_PASSWORD)
    admin.get_by_role("link", name="Admin", exact=True).click()
    shot(admin, "30-admin-accounts")
    admin.get_by_role("link", name="Add a therapist").click()
    admin.get_by_label("Full name").fill("Jo Rivera")
    admin.get_by_label("Email").fill("jo@example.org")
    admin.get_by_role("button", name="Add and make an invitation link").click()
    invitation = admin.get_by_role("textbox", name="The link").input_value()
    assert invitation.startswith(f"{base}/account/set-password/")

    # Jo opens the invitation, chooses a password, and sets up the authenticator at the first sign-in.
    jo = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    jo.goto(invitation)
    expect(jo.get_by_role("heading", name="Welcome, Jo Rivera")).to_be_visible()
    jo.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    jo.get_by_label("The new password again").fill(NEW_PASSWORD)
    jo.get_by_role("button", name="Set password").click()
    sign_in(jo, base, "jo@example.org", NEW_PASSWORD)
    expect(jo.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    expect(jo.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    shot(jo, "31-mfa-enrol")
    secret = jo.locator("code.secret-key").inner_text().replace(" ", "")
    jo.get_by_label("The 6-digit code your app shows now").fill(pyotp.TOTP(secret).now())
    jo.get_by_role("button", name="Turn it on").click()
    expect(jo.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = jo.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shot(jo, "32-recovery-codes")
    jo.get_by_role("link", name="I have kept them: continue").click()
    expect(jo.get_by_role("button", name="Sign out")).to_be_visible()
    jo.get_by_role("button", name="Sign out").click()

    # Next time: the password, then a code (a fresh one; a code works once).
    sign_in(jo, base, "jo@example.org", NEW_PASSWORD)
    expect(jo.get_by_role("heading", name="Your code")).to_be_visible()
    jo.get_by_label("Code").fill(pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30)))
    jo.get_by_role("button", name="Sign in").click()
    expect(jo.get_by_role("button", name="Sign out")).to_be_visible()
    shot(jo, "33-signed-in-with-code")
    jo.get_by_role("button", name="Sign out").click()

    # A recovery code signs in once.
    sign_in(jo, base, "jo@example.org", NEW_PASSWORD)
    jo.get_by_label("Code").fill(codes[0])
    jo.get_by_role("button", name="Sign in").click()
    expect(jo.get_by_role("button", name="Sign out")).to_be_visible()

    # The admin deactivates Jo: Jo's open session ends at once.
    admin.get_by_role("link", name="Admin", exact=True).click()
    admin.locator("tr", has_text="jo@example.org").get_by_role("button", name="Deactivate").click()
    expect(admin.get_by_text("deactivated and signed out")).to_be_visible()
    jo.reload()
    expect(jo.get_by_role("heading", name="Sign in")).to_be_visible()
