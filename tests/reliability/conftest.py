"""A real server in a thread, browsers made of urllib openers, and a way to send requests at once.

Each browser keeps its own cookies and does not follow redirects: the tests look at where a
response points. Requests "at once" start together at a barrier, from a bounded thread pool.
"""
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookiejar import CookieJar

import pytest

from tests.factories import PASSWORD, Factories
from tests.helpers import csrf_token, serving
from toolkit.extensions import db

TIMEOUT = 60  # seconds any one request may take before the test fails rather than hangs


@dataclass
class Reply:
    status: int
    location: str | None
    body: str


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx comes back to the caller as it is


class Browser:
    """One browser: its cookies are shared by every request it sends, at once or not."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()

    def _open(self, path: str, data: dict | None = None, headers: dict | None = None) -> Reply:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _Stay())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            response = opener.open(request, timeout=TIMEOUT)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            response = error
        with response:
            return Reply(response.status, response.headers.get("Location"), response.read().decode())

    def get(self, path: str) -> str:
        reply = self._open(path)
        assert reply.status == 200, (path, reply.status)
        return reply.body

    def post(self, path: str, data: dict, headers: dict | None = None) -> Reply:
        return self._open(path, data, headers)

    def sign_in(self, therapist) -> None:
        page = self.get("/login")
        reply = self.post("/login", {"csrf_token": csrf_token(page), "email": therapist.email,
                                     "password": PASSWORD})
        assert reply.status == 302, reply.body

    def open_partner_link(self, token: str) -> None:
        """Continue from the link, agree to the policy and pass on the passcode, as a partner does."""
        page = self.get(f"/p/{token}")
        assert self.post(f"/p/{token}", {"csrf_token": csrf_token(page)}).status == 302
        page = self.get("/me/policy")
        assert self.post("/me/policy", {"csrf_token": csrf_token(page), "agree": "y"}).status == 302
        page = self.get("/me/passcode")
        assert self.post("/me/passcode", {"csrf_token": csrf_token(page), "action": "skip"}).status == 302


def at_once(calls: list) -> list:
    """Run the calls together, each in its own thread released by one barrier; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def served(app_factory):
    """The app served on a free port, CSRF on, as a practice runs it; yields (app, base URL, factories)."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with serving(app) as base, app.app_context():
        yield app, base, Factories()
        db.session.remove()

