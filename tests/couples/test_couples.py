import pytest

from toolkit.audit.models import AuditEvent
from toolkit.couples.models import Couple
from toolkit.extensions import db

NEW_COUPLE = {
    "partner_1-first_name": "Maya", "partner_1-pronouns": "she/her", "partner_1-email": "maya@example.org",
    "partner_2-first_name": "Jordan", "partner_2-pronouns": "", "partner_2-email": "",
    "started_on": "2026-09-01", "notes": "Referred by their GP.",
}


def test_add_a_couple_with_both_partners(client, make, login):
    therapist = make.therapist()
    login(therapist)
    response = client.post("/couples/new", data=NEW_COUPLE, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Maya &amp; Jordan" in page and "she/her" in page
    couple = db.session.execute(db.select(Couple)).scalar_one()
    assert [p.first_name for p in couple.partners] == ["Maya", "Jordan"]
    assert couple.partners[1].pronouns is None and couple.partners[1].email is None
    assert "Maya &amp; Jordan" in client.get("/couples/").get_data(as_text=True)


def test_a_form_with_an_error_keeps_what_was_typed(client, make, login):
    login(make.therapist())
    data = dict(NEW_COUPLE, **{"partner_2-first_name": "", "partner_1-email": "not-an-email"})
    response = client.post("/couples/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Maya"' in page and 'value="not-an-email"' in page and "Referred by their GP." in page
    assert "This field is required." in page and "Invalid email address." in page
    assert db.session.execute(db.select(db.func.count(Couple.id))).scalar_one() == 0


def test_edit_and_archive(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    login(therapist)
    edit_page = client.get(f"/couples/{couple.id}/edit").get_data(as_text=True)
    assert 'value="Ana"' in edit_page
    data = dict(NEW_COUPLE, **{"partner_1-first_name": "Anna"})
    client.post(f"/couples/{couple.id}/edit", data=data)
    assert db.session.get(Couple, couple.id).partners[0].first_name == "Anna"
    link = f'href="/couples/{couple.id}"'
    client.post(f"/couples/{couple.id}/archive")
    assert link not in client.get("/couples/").get_data(as_text=True)
    assert link in client.get("/couples/?archived=1").get_data(as_text=True)
    client.post(f"/couples/{couple.id}/unarchive")
    assert link in client.get("/couples/").get_data(as_text=True)


def couple_urls(app):
    """Every route that takes a couple id, from the URL map, so new routes are covered too."""
    for rule in app.url_map.iter_rules():
        if "couple_id" in rule.arguments:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule


def test_another_therapist_gets_404_on_every_couple_url(app, client, make, login):
    owner, other = make.therapist(), make.therapist()
    couple = make.couple(owner, notes="Private note")
    login(other)
    rules = list(couple_urls(app))
    assert len(rules) >= 4
    for method, rule in rules:
        values = {arg: couple.id if arg == "couple_id" else 1 for arg in rule.arguments}
        url = rule.build(values)[1]
        response = client.open(url, method=method, data=NEW_COUPLE)
        assert response.status_code == 404, (method, url)
    db.session.expire_all()
    unchanged = db.session.get(Couple, couple.id)
    assert unchanged.partners[0].first_name == "Ana" and unchanged.archived_at is None
    assert "Ana" not in client.get("/couples/").get_data(as_text=True)


def test_creating_reading_and_changing_a_couple_is_audited(client, make, login):
    therapist = make.therapist()
    login(therapist)
    client.post("/couples/new", data=NEW_COUPLE)
    couple = db.session.execute(db.select(Couple)).scalar_one()
    client.get(f"/couples/{couple.id}")
    client.post(f"/couples/{couple.id}/edit", data=NEW_COUPLE)
    client.post(f"/couples/{couple.id}/archive")
    rows = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.object_type == "couple").order_by(AuditEvent.id)
    ).scalars().all()
    assert [r.action for r in rows] == ["couple.create", "couple.view", "couple.update", "couple.archive"]
    assert {r.actor for r in rows} == {f"therapist:{therapist.id}"}
    assert all(r.object_id == couple.id and r.at is not None for r in rows)
    # The log says who did what, never the clinical text.
    assert not any("Referred" in (r.detail or "") for r in rows)


@pytest.mark.parametrize("path", ["/", "/couples/", "/couples/new"])
def test_pages_with_clinical_data_are_not_cached(client, make, login, path):
    login(make.therapist())
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_couple_page_opens_on_what_is_recent_and_shows_all_on_request(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    for weeks_ago in range(7, 0, -1):
        make.session(couple, days_from_now=-7 * weeks_ago, status="held")
    for _ in range(6):  # two each: twelve assignments
        make.assignment(couple)
    login(therapist)
    page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert page.count("badge badge-ok\">Held") == 5 and "Show all 7</a>" in page
    table = page[page.index('id="hw-h"'):]
    assert table.count("<tr>") == 11 and "Show all 12</a>" in table  # a header and ten rows
    everything = client.get(f"/couples/{couple.id}?all=1").get_data(as_text=True)
    assert everything.count("badge badge-ok\">Held") == 7
    assert everything[everything.index('id="hw-h"'):].count("<tr>") == 13
    assert "Show all" not in everything


def test_partners_with_the_same_first_name_keep_their_own_new_work(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist, first="Alex", second="Alex")
    first, second = make.assignment(couple)
    make.sent(first)
    login(therapist)
    page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    since = page[page.index('id="since-h"'):page.index('id="up-h"')]
    assert since.count("<h3>Alex</h3>") == 2
    assert since.count(first.title) == 1 and "Nothing new." in since
