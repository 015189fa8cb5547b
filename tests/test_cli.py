from toolkit.auth.models import Therapist
from toolkit.couples.models import Couple
from toolkit.demo import DEMO_ADMIN_EMAIL, DEMO_COLLEAGUE_EMAIL, DEMO_EMAIL, DEMO_PASSWORD
from toolkit.extensions import db


def test_create_therapist_prompts_for_a_hidden_password(runner):
    result = runner.invoke(args=["create-therapist"],
                           input="lee@example.org\nLee Park\nlong enough pw\nlong enough pw\n")
    assert result.exit_code == 0, result.output
    assert "long enough pw" not in result.output
    therapist = db.session.execute(db.select(Therapist)).scalar_one()
    assert therapist.email == "lee@example.org" and therapist.check_password("long enough pw")


def test_create_therapist_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-therapist", "--email", "a@example.org", "--name", "A"],
                           input="short\nshort\n")
    assert result.exit_code != 0
    assert "8 to 128 characters" in result.output


def test_create_therapist_refuses_a_duplicate_email(runner, make):
    make.therapist(email="a@example.org")
    result = runner.invoke(args=["create-therapist", "--email", "A@example.org", "--name", "A"],
                           input="long enough pw\nlong enough pw\n")
    assert result.exit_code != 0 and "already an account" in result.output


def test_seed_demo_loads_a_practice_you_can_sign_in_to(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and DEMO_PASSWORD in result.output
    assert db.session.execute(db.select(db.func.count(Couple.id))).scalar_one() == 4  # three are the demo login's
    app.config["REQUIRE_MFA"] = True  # the demo accounts are the only ones without a second factor
    response = client.post("/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Maya &amp; Jordan" in client.get("/couples/").get_data(as_text=True)
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in again.output
    assert db.session.execute(db.select(db.func.count(Therapist.id))).scalar_one() == 3  # with an admin and a colleague


def test_every_demo_page_renders(runner, client):
    from toolkit.homework.models import Assignment, SafetyFlag
    from toolkit.sessions.models import TherapySession

    runner.invoke(args=["seed-demo"])
    client.post("/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    for email in (DEMO_ADMIN_EMAIL, DEMO_COLLEAGUE_EMAIL):  # the practice's other accounts, and their pages
        other = client.application.test_client()
        assert other.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
        assert other.get("/").status_code == 200
    admin = client.application.test_client()
    admin.post("/login", data={"email": DEMO_ADMIN_EMAIL, "password": DEMO_PASSWORD})
    for url in ("/admin/", "/admin/audit", "/admin/reassign", "/admin/therapists/new"):
        assert admin.get(url).status_code == 200, url
    statuses = {a.status for a in db.session.execute(db.select(Assignment)).scalars()}
    assert statuses == {"assigned", "started", "submitted", "reviewed"}
    assert db.session.execute(db.select(db.func.count(SafetyFlag.id))).scalar_one() == 1
    assert "Open safety flags" in client.get("/").get_data(as_text=True)
    demo = db.session.execute(db.select(Therapist).filter_by(email=DEMO_EMAIL)).scalar_one()
    for couple in db.session.execute(db.select(Couple).filter_by(therapist_id=demo.id)).scalars():
        assert client.get(f"/couples/{couple.id}").status_code == 200
    for session in db.session.execute(db.select(TherapySession)).scalars():
        assert client.get(f"/couples/{session.couple_id}/sessions/{session.id}").status_code == 200
    for assignment in db.session.execute(db.select(Assignment)).scalars():
        assert client.get(f"/couples/{assignment.couple_id}/homework/{assignment.id}").status_code == 200


def test_the_demo_has_signed_and_draft_notes(runner):
    from toolkit.notes.models import SessionNote

    runner.invoke(args=["seed-demo"])
    notes = db.session.execute(db.select(SessionNote)).scalars().all()
    assert any(n.is_signed and n.is_intact for n in notes)
    assert any(not n.is_signed for n in notes)
    assert any(n.addenda for n in notes)
