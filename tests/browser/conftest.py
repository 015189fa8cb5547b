"""Real Chromium (Debian's package) driving the app served on 127.0.0.1.

Where no Chromium or Playwright is available the tests are skipped with the reason printed;
`make test` installs Debian's chromium when it runs as root.
"""
import shutil
from pathlib import Path

import pytest

from tests.helpers import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Chromium as root, with no network beyond the machine: no sandbox, no background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _why_not() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not CHROMIUM:
        return "no Chromium on this machine (Debian: apt-get install chromium)"
    return None


def pytest_report_header(config):
    reason = _why_not()
    return f"browser tests: skipped, {reason}" if reason else f"browser tests: {CHROMIUM}; screenshots in {SCREENSHOTS}"


@pytest.fixture(scope="module")
def browser():
    reason = _why_not()
    if reason:
        print(f"\nSKIPPING browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live_app(app_factory):
    """The demo practice served by a real server on a free port."""
    from toolkit.demo import load_demo
    from toolkit.extensions import db

    # As a practice runs it: CSRF on, and a second factor for every account but the demo ones.
    app = app_factory(WTF_CSRF_ENABLED=True, REQUIRE_MFA=True)
    with serving(app) as base:
        app.config["BASE_URL"] = base  # the links printed and shown point at this server
        with app.app_context():
            load_demo()
            db.session.commit()
            db.session.remove()
        yield app, base


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
