"""Every route is public on purpose, or answers only to the right actor; generated from the URL map."""
import pytest

from toolkit.extensions import db

PUBLIC = {"static", "ops.healthz", "auth.login", "auth.second_factor", "auth.enrol", "auth.set_password",
          "partner_link.open_link", "partner_link.continue_link",
          "partner_public.help_and_safety", "partner_public.quick_exit"}
THERAPIST_WIDE = {"dashboard.home", "couples.index", "couples.new", "library.index", "library.detail", "auth.logout",
                  "auth.account", "auth.renew_recovery_codes"}


@pytest.fixture
def world(app, make, partner_client):
    """Therapist A with a couple (Ana & Sam) and everything they can own; therapist B with another couple."""
    a, b = make.therapist(), make.therapist()
    admin = make.therapist(role="admin")
    couple = make.couple(a)
    other_couple = make.couple(b, first="Kim", second="Lee")
    session = make.session(couple, modules=["weekly-check-in"])
    ana_hw, sam_hw = make.assignment(couple, session=session)
    ana, sam = couple.partners
    flag = make.flag(ana, ana_hw, question="q", answer="yes")
    ids = {"couple_id": couple.id, "session_id": session.id, "assignment_id": ana_hw.id, "flag_id": flag.id,
           "partner_id": ana.id, "item_id": session.plan[0].id, "slug": "forgiveness", "filename": "css/app.css",
           "token": "0" * 64, "therapist_id": a.id}
    return {"a": a, "b": b, "admin": admin, "ids": ids, "sam_token": make.link(sam), "kim_token": make.link(other_couple.partners[0]),
            "ana_hw": ana_hw}


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_the_matrix(app, world, login, partner_client):
    """Every route but the public few, every method, for each actor who must not get in."""
    actors = {
        "anonymous": app.test_client(),
        "other therapist": app.test_client(),
        "an admin": app.test_client(),
        "the other partner": partner_client(world["sam_token"]),
        "a partner of another couple": partner_client(world["kim_token"]),
    }
    actors["other therapist"].post("/login", data={"email": world["b"].email, "password": "correct horse battery"})
    actors["an admin"].post("/login", data={"email": world["admin"].email, "password": "correct horse battery"})
    checked = 0
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        url = rule.build({k: world["ids"][k] for k in rule.arguments})[1]
        partner_route = rule.endpoint.startswith("partner.")
        for name, browser in actors.items():
            if partner_route and not rule.arguments and name != "anonymous" and name != "other therapist":
                continue  # a partner's own home and sign-out act on themselves
            signed_in = name in ("other therapist", "an admin")
            if not partner_route and rule.endpoint in THERAPIST_WIDE and signed_in:
                continue  # B's own list, B's own library
            if rule.endpoint.startswith("admin.") and name == "an admin":
                continue  # the admin's own pages (tests/admin prove what they hold)
            response = browser.open(url, method=method, data={"slug": "weekly-check-in", "action": "submit"})
            if partner_route:
                assert response.status_code == 404, (name, method, url)
            elif signed_in:  # another therapist's couple, or an admin's pages for a therapist: nothing here
                assert response.status_code == 404, (name, method, url)
            else:
                assert response.status_code == 302 and "/login" in response.headers["Location"], (name, method, url)
            checked += 1
    assert checked > 60
    db.session.expire_all()
    assert db.session.get(type(world["ana_hw"]), world["ana_hw"].id).status == "assigned"
