import re

import pytest

from toolkit.errors import NotFound
from toolkit.extensions import db
from toolkit.measures.models import Measure
from toolkit.measures.scale import CUTOFF, below_cutoff, score
from toolkit.measures.services import chart, save_measure, series_for


@pytest.mark.parametrize("answers, total, low", [
    ([0, 0, 0, 0], 0, True),
    ([6, 5, 5, 5], 21, False),
    ([4, 3, 3, 3], 13, True),   # just under the 13.5 cut-off
    ([4, 4, 3, 3], 14, False),  # just over it
])
def test_scoring_at_the_boundaries(answers, total, low):
    assert score(answers) == total
    assert below_cutoff(total) is low
    assert CUTOFF == 13.5


@pytest.mark.parametrize("answers", [[7, 0, 0, 0], [0, 6, 0, 0], [-1, 0, 0, 0], [0, 0, 0], [0, 0, 0, 0, 0], [0, "3", 0, 0]])
def test_out_of_range_answers_are_refused(answers):
    with pytest.raises(ValueError):
        score(answers)


def test_out_of_range_answers_through_the_form_get_a_message(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple)
    login(therapist)
    url = f"/couples/{couple.id}/sessions/{session.id}/measure/{couple.partners[0].id}"
    page = client.post(url, data={"happiness": "9", "warm": "2", "rewarding": "2"}).get_data(as_text=True)
    assert "Please choose an answer." in page or "Not a valid choice" in page
    assert db.session.execute(db.select(db.func.count(Measure.id))).scalar_one() == 0
    client.post(url, data={"happiness": "3", "warm": "3", "rewarding": "3", "satisfied": "3"})
    assert db.session.execute(db.select(Measure.score)).scalar_one() == 12


def test_a_measure_for_another_couples_partner_is_not_found(make):
    therapist = make.therapist()
    couple, other = make.couple(therapist), make.couple(therapist, "Kim", "Lee")
    with pytest.raises(NotFound):
        save_measure(couple, other.partners[0], make.session(couple), [3, 3, 3, 3], "paper")
    assert db.session.execute(db.select(db.func.count(Measure.id))).scalar_one() == 0


@pytest.fixture
def checkin_couple(make):
    therapist = make.therapist()
    couple = make.couple(therapist)
    couple.checkin_enabled = True
    db.session.commit()
    session = make.session(couple, days_from_now=2)
    ana, sam = couple.partners
    return {"therapist": therapist, "couple": couple, "session": session,
            "ana_token": make.link(ana), "sam_token": make.link(sam)}


def test_each_partner_is_asked_first_and_scores_stay_private(checkin_couple, partner_client):
    ana = partner_client(checkin_couple["ana_token"])
    home = ana.get("/me/").get_data(as_text=True)
    assert home.index("Start the check-in") < home.index("Hello") + 400
    ana.post("/me/checkin", data={"happiness": "1", "warm": "1", "rewarding": "1", "satisfied": "1"})
    assert "Start the check-in" not in ana.get("/me/").get_data(as_text=True)
    sam = partner_client(checkin_couple["sam_token"])
    for page in (sam.get("/me/").get_data(as_text=True), sam.get("/me/checkin", follow_redirects=True).get_data(as_text=True)):
        assert "4 / 21" not in page and "score" not in page.lower()
    assert db.session.execute(db.select(Measure.score)).scalar_one() == 4


def test_the_chart_points_match_the_stored_scores(client, login, make, checkin_couple):
    couple = checkin_couple["couple"]
    sessions = [make.session(couple, days_from_now=-21 + 7 * n, status="held") for n in range(3)]
    ana, sam = couple.partners
    for session, (a, s) in zip(sessions, [(8, 15), (11, 15), (16, 14)]):
        save_measure(couple, ana, session, [min(a, 6), *_spread(a - min(a, 6))], "paper")
        save_measure(couple, sam, session, [min(s, 6), *_spread(s - min(s, 6))], "paper")
    db.session.commit()
    series = {s.partner.first_name: s for s in series_for(couple)}
    assert series["Ana"].scores == [8, 11, 16] and series["Sam"].scores == [15, 15, 14]
    assert series["Ana"].change_since_first == 8 and series["Sam"].change_since_last == -1
    c = chart(series["Ana"])
    assert [p.score for p in c.points] == [8, 11, 16]
    assert c.points[0].y > c.points[2].y  # higher scores are drawn higher
    login(checkin_couple["therapist"])
    page = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert re.findall(r"<title>Session \d+: (\d+)</title>", page) == ["8", "11", "16", "15", "15", "14"]
    assert "cut-off 13.5" in page and "no published reliable-change figure" in page
    assert "<table><caption>Ana's scores</caption>" in page  # the text alternative


def _spread(rest):
    out = []
    for _ in range(3):
        out.append(min(rest, 5))
        rest -= out[-1]
    return out


def test_progress_summary_pdf_and_its_client_safe_variant(client, login, make, checkin_couple):
    import io

    from pypdf import PdfReader

    couple = checkin_couple["couple"]
    held = make.session(couple, days_from_now=-7, status="held", modules=["daily-gratitude"])
    ana, sam = couple.partners
    save_measure(couple, ana, held, [2, 2, 2, 2], "paper")   # 8, below the cut-off
    save_measure(couple, sam, held, [5, 4, 4, 4], "paper")   # 17
    make.assignment(couple, session=held)
    db.session.commit()
    login(checkin_couple["therapist"])

    def text(url):
        response = client.get(url)
        assert response.status_code == 200
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)

    record = text(f"/couples/{couple.id}/progress.pdf")
    for expected in ("Progress summary", "Sessions held", "Daily gratitude", "Homework done, Ana", "latest 8 / 21",
                     "latest 17 / 21", "Ana & Sam"):
        assert expected in record, expected
    safe = text(f"/couples/{couple.id}/progress.pdf?client=1")
    assert "Daily gratitude" in safe and "Sessions held" in safe
    for private in ("/ 21", "Satisfaction", "Homework done, Ana", " 8 ", "17"):
        assert private not in safe, private
