"""Fifty partners submitting at once through a real server and database lose nothing."""
import re
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app
from tests.factories import Factories
from tests.homework.conftest import CHECK_IN
from toolkit.extensions import db
from toolkit.homework.models import Assignment

PARTNERS = 50


@pytest.fixture
def live_server(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, PARTNER_LINK_FAILURES_PER_ADDRESS=10_000)
    with app.app_context():
        make = Factories()
        therapist = make.therapist()
        work = []
        for n in range(PARTNERS // 2):
            couple = make.couple(therapist, first=f"A{n}", second=f"B{n}")
            for partner, assignment in zip(couple.partners, make.assignment(couple)):
                work.append((make.link(partner), assignment.id))
        db.session.commit()
        db.session.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", work
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _submit(base: str, token: str, assignment_id: int) -> int:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/p/{token}", timeout=60).read().decode()
    policy = opener.open(f"{base}/p/{token}", data=urllib.parse.urlencode({"csrf_token": _csrf(page)}).encode(),
                         timeout=60).read().decode()
    offer = opener.open(f"{base}/me/policy", data=urllib.parse.urlencode({"csrf_token": _csrf(policy), "agree": "y"}).encode(),
                        timeout=60).read().decode()
    opener.open(f"{base}/me/passcode", data=urllib.parse.urlencode({"csrf_token": _csrf(offer), "action": "skip"}).encode(),
                timeout=60)
    form = opener.open(f"{base}/me/homework/{assignment_id}", timeout=60).read().decode()
    data = dict(CHECK_IN, csrf_token=_csrf(form), action="submit", will_change=f"Change {assignment_id}")
    response = opener.open(f"{base}/me/homework/{assignment_id}", data=urllib.parse.urlencode(data).encode(), timeout=60)
    return response.status


def test_fifty_partners_submit_at_the_same_time(live_server):
    app, base, work = live_server
    with ThreadPoolExecutor(max_workers=PARTNERS) as pool:
        statuses = list(pool.map(lambda w: _submit(base, *w), work))
    assert statuses == [200] * PARTNERS
    with app.app_context():
        rows = db.session.execute(db.select(Assignment)).scalars().all()
        assert len(rows) == PARTNERS
        assert all(r.status == "submitted" and r.answers["will_change"] == f"Change {r.id}" for r in rows)
        db.session.remove()
