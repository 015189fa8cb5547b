"""Hostile text through every text field: stored intact, shown escaped, printed, never a 500."""
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from toolkit.couples.models import Couple
from toolkit.extensions import db
from toolkit.homework.models import Assignment
from toolkit.notes.models import SessionNote

NASTY = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)",
    "\u202eevil\u202c right-to-left", "🙂👩‍❤️‍👩 emoji", "null\x00byte", "x" * 1900,
    "{{ 7*7 }} {% raw %}", "javascript:alert(1)", "</textarea><b>bold</b>",
]
hostile = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=300).filter(lambda s: s.strip()))
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def stored(value: str) -> str:
    return value.replace("\x00", "")


def test_couple_and_session_fields(app, make, login, client):
    therapist = make.therapist()
    login(therapist)

    @SETTINGS
    @given(name=hostile, pronouns=hostile, notes=hostile, note=hostile)
    def run(name, pronouns, notes, note):
        name, pronouns = name[:80], pronouns[:40]
        response = client.post("/couples/new", data={
            "partner_1-first_name": name, "partner_1-pronouns": pronouns, "partner_1-email": "",
            "partner_2-first_name": "B", "partner_2-pronouns": "", "partner_2-email": "",
            "started_on": "", "notes": notes})
        assert response.status_code in (200, 302)
        if response.status_code == 200:  # a validation message, never a crash
            page = response.get_data(as_text=True)
            assert "Please check the highlighted answers." in page and '<p class="error"' in page
            return
        couple = db.session.execute(db.select(Couple).order_by(Couple.id.desc())).scalars().first()
        assert couple.partners[0].first_name == stored(name).strip()
        assert couple.notes == (stored(notes) or None)
        page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page
        session = client.post(f"/couples/{couple.id}/sessions/new",
                              data={"starts_at": "2026-12-01T17:00", "status": "planned", "note_to_couple": note})
        assert session.status_code == 302
        detail = client.get(session.headers["Location"])
        assert detail.status_code == 200 and "<script>alert(1)</script>" not in detail.get_data(as_text=True)

    run()


def test_homework_note_and_review_fields(app, make, login, client, partner_client):
    therapist = make.therapist()
    couple = make.couple(therapist)
    held = make.session(couple, days_from_now=-1, status="held")
    token = make.link(couple.partners[0])
    login(therapist)
    client.post(f"/couples/{couple.id}/sessions/{held.id}/note/start", data={"format": "SOAP"})
    browser = partner_client(token)

    @SETTINGS
    @given(text=hostile)
    def run(text):
        hw, _ = make.assignment(couple, session=held)
        answer = {"done_well-0": text[:300], "could_be_better-0": "x", "will_change": text[:200], "connected": "5",
                  "therapist_only": text, "action": "submit"}
        response = browser.post(f"/me/homework/{hw.id}", data=answer)
        assert response.status_code in (200, 302)
        if response.status_code == 200:  # e.g. only spaces where an answer is required: a message, no crash
            assert "Please answer this question." in response.get_data(as_text=True)
            return
        db.session.expire_all()
        saved = db.session.get(Assignment, hw.id)
        assert saved.answers["will_change"] == stored(text[:200])
        assert saved.private_answers_of(couple.partners[0].id)["therapist_only"] == stored(text)
        review = client.get(f"/couples/{couple.id}/homework/{hw.id}").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in review and "<img src=x" not in review
        assert client.post(f"/couples/{couple.id}/homework/{hw.id}/review",
                           data={f"review-{hw.id}-comment": text}).status_code == 302
        db.session.expire_all()
        assert db.session.get(Assignment, hw.id).review_comment == (stored(text).strip() or None)
        assert client.post(f"/couples/{couple.id}/sessions/{held.id}/note",
                           data={"subjective": text, "objective": "", "assessment": "", "plan": ""}).status_code == 302
        note = db.session.execute(db.select(SessionNote)).scalar_one()
        assert note.sections["subjective"] == stored(text)

    run()


def test_hostile_text_prints_escaped(app, make, login, client):
    therapist = make.therapist(name='Dr <b>Evil</b> "Quote"')
    couple = make.couple(therapist, first="<script>x</script>", second="Sam")
    session = make.session(couple, modules=["daily-gratitude"], note_to_couple="</p><h1>injected</h1> & more")
    login(therapist)
    response = client.get(f"/couples/{couple.id}/sessions/{session.id}/packet.pdf")
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "<script>x</script>" in text  # printed as the text it is, not run or dropped
    assert "</p><h1>injected</h1>" in text
