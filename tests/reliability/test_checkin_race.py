"""A partner's check-in sent many times at once is stored once, and every sending is answered as sent."""
from tests.helpers import csrf_token
from tests.reliability.conftest import Browser, at_once
from toolkit.audit.models import AuditEvent
from toolkit.extensions import db
from toolkit.homework.models import SafetyFlag
from toolkit.measures.models import Measure

AT_ONCE = 20
# The measure's four items, and a safety answer of concern: it must raise one flag, not twenty.
ANSWERS = {"happiness": "3", "warm": "2", "rewarding": "2", "satisfied": "3", "afraid": "yes"}


def test_a_check_in_sent_twenty_times_at_once_is_stored_once(served):
    app, base, make = served
    therapist = make.therapist()
    couple = make.couple(therapist, checkin=True)
    session = make.session(couple, days_from_now=2)
    partner_id, session_id = couple.partners[0].id, session.id
    token = make.link(couple.partners[0])
    db.session.close()
    browser = Browser(base)  # one partner's browser: every sending shares its cookies
    browser.open_partner_link(token)
    page = browser.get("/me/checkin")
    sent = dict(ANSWERS, csrf_token=csrf_token(page))
    replies = at_once([lambda: browser.post("/me/checkin", sent)] * AT_ONCE)
    assert all(r.status == 302 for r in replies), [(r.status, r.body[:300]) for r in replies]
    # Asked again, the partner is told it is done: the check-in page sends them home.
    assert browser.post("/me/checkin", sent).location == "/me/"
    db.session.commit()
    measures = db.session.execute(db.select(Measure).where(Measure.partner_id == partner_id)).scalars().all()
    assert [(m.session_id, m.score) for m in measures] == [(session_id, 10)]
    assert db.session.execute(db.select(db.func.count(SafetyFlag.id))
                              .where(SafetyFlag.partner_id == partner_id)).scalar_one() == 1
    assert db.session.execute(db.select(db.func.count(AuditEvent.id))
                              .where(AuditEvent.action == "measure.save")).scalar_one() == 1
