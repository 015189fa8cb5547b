"""The isolation rule (toolkit/access.py): a query written without any filter, run while a request
is served for one therapist or one partner, returns nothing of anyone else's records."""
import pytest
from flask import jsonify

from tests.conftest import make_app
from tests.factories import Factories
from toolkit.access import SCOPED_MODELS
from toolkit.couples.models import Couple, Partner
from toolkit.extensions import db
from toolkit.homework.models import Assignment, SafetyFlag
from toolkit.measures.models import Measure
from toolkit.notes.models import Addendum, SessionNote
from toolkit.partners.models import PartnerLink
from toolkit.sessions.models import PlanItem, TherapySession

UNFILTERED = {"couples": Couple, "partners": Partner, "assignments": Assignment, "sessions": TherapySession,
              "plan_items": PlanItem, "notes": SessionNote, "addenda": Addendum, "links": PartnerLink,
              "measures": Measure, "flags": SafetyFlag}


def _everything_visible():
    """What a careless query would return: every row of every couple table, no filter at all."""
    found = {name: sorted(db.session.execute(db.select(model.id)).scalars()) for name, model in UNFILTERED.items()}
    found["assignment_titles"] = sorted(list(row) for row in db.session.execute(
        db.select(Assignment.title, Assignment.couple_id)))
    return jsonify(found)


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    # Routes added before the first request, as a new feature's careless view would be: one for a
    # therapist's pages, one among a partner's (/me/...), neither filtering anything.
    app.add_url_rule("/_unfiltered", "unfiltered", _everything_visible)
    app.view_functions["partner.unfiltered"] = _everything_visible
    app.url_map.add(app.url_rule_class("/me/_unfiltered", endpoint="partner.unfiltered"))
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def two_practices(app):
    make = Factories()
    mine, theirs = make.therapist(email="mine@example.org"), make.therapist(email="theirs@example.org")
    worlds = {}
    for name, therapist in (("mine", mine), ("theirs", theirs)):
        couple = make.couple(therapist)
        session = make.session(couple, modules=["weekly-check-in"])
        made = make.assignment(couple, session=session)
        worlds[name] = {"therapist": therapist, "couple": couple, "session": session, "assignments": made,
                        "token": make.link(couple.partners[0])}
    other_couple_of_mine = make.couple(mine, first="Kim", second="Lou")
    worlds["mine"]["second_couple"] = other_couple_of_mine
    return worlds


def test_a_therapist_request_sees_none_of_another_therapists_records(app, client, login, two_practices):
    login(two_practices["mine"]["therapist"])
    seen = client.get("/_unfiltered").get_json()
    mine = two_practices["mine"]
    assert seen["couples"] == sorted([mine["couple"].id, mine["second_couple"].id])
    assert set(seen["partners"]) == {p.id for p in mine["couple"].partners + mine["second_couple"].partners}
    assert seen["assignments"] == sorted(a.id for a in mine["assignments"])
    assert seen["sessions"] == [mine["session"].id]
    assert seen["plan_items"] and len(seen["plan_items"]) == 1
    assert all(couple_id == mine["couple"].id for _, couple_id in seen["assignment_titles"])
    assert seen["links"] and len(seen["links"]) == 1


def test_a_partner_request_sees_only_their_own_couple(app, partner_client, two_practices):
    mine = two_practices["mine"]
    browser = partner_client(mine["token"])
    seen = browser.get("/me/_unfiltered").get_json()
    assert seen["couples"] == [mine["couple"].id]
    assert set(seen["partners"]) == {p.id for p in mine["couple"].partners}
    assert seen["assignments"] == sorted(a.id for a in mine["assignments"])


def test_without_a_request_nothing_is_filtered(app, two_practices):
    """Commands and the demo loader work across the practice: the rule is a request's."""
    assert db.session.execute(db.select(db.func.count(Couple.id))).scalar() == 3


def test_another_therapists_couple_pages_are_not_found(app, client, login, two_practices):
    login(two_practices["mine"]["therapist"])
    theirs = two_practices["theirs"]
    couple_id, session_id = theirs["couple"].id, theirs["session"].id
    for path in (f"/couples/{couple_id}", f"/couples/{couple_id}/sessions/{session_id}",
                 f"/couples/{couple_id}/homework/{theirs['assignments'][0].id}", f"/couples/{couple_id}/links"):
        assert client.get(path).status_code == 404, path


def test_every_model_holding_a_couples_records_is_under_the_rule(app):
    """A new model with a couple_id (or hanging off a session, note, partner or link) must be named
    in toolkit/access.py, or here with the reason it is not a couple's record."""
    not_a_couples_record = {
        # Looked up by their token before anyone is known; they hold no clinical text.
        "partner_sessions", "login_sessions", "browser_sessions",
        # The audit trail: read by admins across the practice, never shown to a partner.
        "audit_events",
        # Form definitions are the library's, shared by every couple.
        "form_versions",
    }
    owners = {"couple_id", "session_id", "note_id", "partner_id", "link_id", "assignment_id", "measure_id"}
    scoped = {model.__table__.name for model in SCOPED_MODELS}
    for table in db.metadata.sorted_tables:
        if owners & set(table.columns.keys()) and table.name not in not_a_couples_record:
            assert table.name in scoped, f"{table.name} holds a couple's records: add it to toolkit/access.py"


def test_no_route_under_a_couple_can_skip_the_owner_check(app, client, login, two_practices):
    """Every rule with a <couple_id>, asked for another therapist's couple, answers 404 (GET) or
    refuses the POST the same way, with ids of the other practice filled into the rest."""
    login(two_practices["mine"]["therapist"])
    theirs = two_practices["theirs"]
    ids = {"couple_id": theirs["couple"].id, "session_id": theirs["session"].id,
           "assignment_id": theirs["assignments"][0].id, "partner_id": theirs["couple"].partners[0].id,
           "flag_id": 1, "item_id": 1, "slug": "weekly-check-in"}
    rules = [rule for rule in app.url_map.iter_rules() if "couple_id" in rule.arguments]
    assert len(rules) > 25
    for rule in rules:
        path = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code == 404, f"{method} {path} answered {response.status_code}"
