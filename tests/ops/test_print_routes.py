"""PDF downloads as the therapist gets them: names, contents, cache, isolation, the CLI."""
import io

import pytest
from pypdf import PdfReader

from toolkit.extensions import db


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def planned(make, login):
    therapist = make.therapist(name="Robin Hale", credentials="LMFT", practice_name="Harbor Counseling")
    couple = make.couple(therapist, first="Maya", second="Jordan")
    session = make.session(couple, modules=["daily-gratitude", "fighting-fair"],
                           note_to_couple="Go gently with each other this week.")
    make.assignment(couple, session=session)
    login(therapist)
    return {"therapist": therapist, "couple": couple, "session": session,
            "url": f"/couples/{couple.id}/sessions/{session.id}/packet.pdf"}


def test_the_couples_packet_has_cover_and_handouts_but_no_ones_own_worksheet(client, planned):
    response = client.get(planned["url"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = text_of(response.data)
    for expected in ("Maya & Jordan", "Robin Hale, LMFT", "Go gently with each other this week.",
                     "Daily gratitude", "Fighting fair"):
        assert expected in text, expected
    assert "Three, two, one" not in text  # each partner's own worksheet goes in their own packet
    assert len(PdfReader(io.BytesIO(response.data)).pages) >= 4


def test_each_partners_packet_has_the_handouts_and_their_own_worksheet_only(client, planned):
    couple, session = planned["couple"], planned["session"]
    maya, jordan = couple.partners
    response = client.get(f"/couples/{couple.id}/sessions/{session.id}/packet-for/{maya.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = text_of(response.data)
    for expected in ("For Maya", "Daily gratitude", "Fighting fair", "Three, two, one"):
        assert expected in text, expected
    assert "Jordan" not in text and "Go gently" not in text


def test_the_second_download_comes_from_the_cache(client, planned):
    first = client.get(planned["url"])
    second = client.get(planned["url"])
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.data == second.data


def test_the_cache_never_serves_one_couples_pdf_to_another(client, make, planned):
    other = make.couple(planned["therapist"], first="Kim", second="Lee")
    same_plan = make.session(other, modules=["daily-gratitude", "fighting-fair"])
    client.get(planned["url"])
    response = client.get(f"/couples/{other.id}/sessions/{same_plan.id}/packet.pdf")
    assert response.headers["X-Cache"] == "miss"
    text = text_of(response.data)
    assert "Kim & Lee" in text and "Maya" not in text


def test_handout_worksheet_and_guide_downloads(client, planned):
    couple, session = planned["couple"], planned["session"]
    handout = text_of(client.get(f"/couples/{couple.id}/handouts/forgiveness.pdf").data)
    assert "Forgiveness" in handout and "Maya & Jordan" in handout
    guide = text_of(client.get(f"/couples/{couple.id}/sessions/{session.id}/guide.pdf").data)
    assert "therapist" in guide.lower() and "Fighting fair" in guide
    from toolkit.homework.models import Assignment

    hw = db.session.execute(db.select(Assignment)).scalars().first()
    fillable = client.get(f"/couples/{couple.id}/homework/{hw.id}/worksheet.pdf?fillable=1").data
    assert len(PdfReader(io.BytesIO(fillable)).get_fields() or {}) >= 5


def test_render_packet_command(runner, planned, tmp_path):
    target = tmp_path / "packet.pdf"
    result = runner.invoke(args=["render-packet", str(planned["session"].id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Maya & Jordan" in text_of(target.read_bytes())
    assert runner.invoke(args=["render-packet", "9999", "-o", str(target)]).exit_code != 0
