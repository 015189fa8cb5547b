"""Fifty partners submitting at once through a real server and database lose nothing, and the audit
log they all wrote to at once still verifies, row by row."""
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest

from tests.factories import Factories
from tests.helpers import csrf_token, serving
from tests.homework.conftest import CHECK_IN
from toolkit.audit.models import AuditEvent
from toolkit.audit.services import verify_chain
from toolkit.extensions import db
from toolkit.homework.models import Assignment

PARTNERS = 50
TIMEOUT = 60  # seconds any one request may take before the test fails rather than hangs


@pytest.fixture
def live_server(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True, PARTNER_LINK_FAILURES_PER_ADDRESS=10_000)
    with app.app_context():
        make = Factories()
        therapist = make.therapist()
        work = []
        for n in range(PARTNERS // 2):
            couple = make.couple(therapist, first=f"A{n}", second=f"B{n}")
            for partner, assignment in zip(couple.partners, make.assignment(couple)):
                work.append((make.link(partner), assignment.id))
        db.session.remove()
    with serving(app) as base:
        yield app, base, work


def _submit(base: str, token: str, assignment_id: int) -> int:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def send(path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with opener.open(base + path, data=body, timeout=TIMEOUT) as response:
            return response.status, response.read().decode()

    _, page = send(f"/p/{token}")
    _, policy = send(f"/p/{token}", {"csrf_token": csrf_token(page)})
    _, offer = send("/me/policy", {"csrf_token": csrf_token(policy), "agree": "y"})
    send("/me/passcode", {"csrf_token": csrf_token(offer), "action": "skip"})
    _, form = send(f"/me/homework/{assignment_id}")
    status, _ = send(f"/me/homework/{assignment_id}",
                     dict(CHECK_IN, csrf_token=csrf_token(form), action="submit", will_change=f"Change {assignment_id}"))
    return status


def test_fifty_partners_submit_at_the_same_time_and_the_audit_log_still_verifies(live_server):
    app, base, work = live_server
    with ThreadPoolExecutor(max_workers=PARTNERS) as pool:
        statuses = list(pool.map(lambda w: _submit(base, *w), work))
    assert statuses == [200] * PARTNERS
    with app.app_context():
        rows = db.session.execute(db.select(Assignment)).scalars().all()
        assert len(rows) == PARTNERS
        assert all(r.status == "submitted" and r.answers["will_change"] == f"Change {r.id}" for r in rows)
        submitted = db.session.execute(db.select(db.func.count(AuditEvent.id))
                                       .where(AuditEvent.action == "assignment.submit")).scalar_one()
        assert submitted == PARTNERS
        # Every row written at once is counted, chained and sealed: what `flask verify-audit` reports.
        chain = verify_chain()
        total = db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one()
        assert (chain.ok, chain.problem, chain.checked) == (True, None, total)
        result = app.test_cli_runner().invoke(args=["verify-audit"])
        assert result.exit_code == 0, result.output
        assert f"The audit log is intact: {total} row(s)" in result.output
        db.session.remove()
