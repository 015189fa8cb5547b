"""Finding 8: answers stay readable, with their questions, when a module file changes or breaks.

The practice's own module is copied from a built-in one; after it is answered, its file is
changed or broken and the library reloaded (as a restart does).
"""
from pathlib import Path

import pytest

from tests.homework.conftest import CHECK_IN
from toolkit.extensions import db
from toolkit.homework.models import Assignment, FormVersion
from toolkit.library import get_library
from toolkit.library.loader import load_library
from toolkit.library.models import HomeworkTemplate

BUILT_IN = Path(__file__).resolve().parents[2] / "handouts" / "weekly-check-in.md"
KEY = "our-check-in/three-two-one"


@pytest.fixture
def practice_file(tmp_path, app):
    folder = tmp_path / "practice-handouts"
    folder.mkdir()
    path = folder / "our-check-in.md"
    path.write_text(BUILT_IN.read_text().replace("slug: weekly-check-in", "slug: our-check-in", 1))
    app.config["PRACTICE_HANDOUTS_DIR"] = str(folder)
    _reload_library(app)
    assert get_library().template(KEY) is not None
    return path


def _reload_library(app):
    app.extensions["library"] = load_library(Path(app.config["HANDOUTS_DIR"]), Path(app.config["PRACTICE_HANDOUTS_DIR"]))


@pytest.fixture
def answered(app, make, login, client, partner_client, practice_file):
    """Ana answered the practice's check-in; the therapist is signed in on `client`."""
    therapist = make.therapist()
    couple = make.couple(therapist)
    ana_hw, sam_hw = make.assignment(couple, template_key=KEY)
    ana = partner_client(make.link(couple.partners[0]))
    assert ana.post(f"/me/homework/{ana_hw.id}", data=dict(CHECK_IN, action="submit")).status_code == 302
    login(therapist)
    return {"couple": couple, "hw": ana_hw, "sam_hw": sam_hw, "ana": ana}


def test_every_library_form_comes_back_whole_from_its_stored_definition(app):
    templates = [t for module in get_library() for t in module.homework]
    assert len(templates) >= 50
    for template in templates:
        again = HomeworkTemplate.from_definition(template.definition())
        assert again == template and again.digest == template.digest


def test_an_assignment_keeps_its_form_once_per_content(app, answered):
    hw, sam_hw = answered["hw"], answered["sam_hw"]
    assert hw.form_digest and hw.form_digest == sam_hw.form_digest
    assert db.session.query(FormVersion).count() == 1


def test_answers_read_on_a_broken_module_file(app, answered, client, practice_file):
    practice_file.write_text(practice_file.read_text().replace("homework:", "homework: [oops", 1))
    _reload_library(app)
    assert get_library().template(KEY) is None  # the practice's module is skipped, as a typo must be

    page = client.get(f"/couples/{answered['couple'].id}/homework/{answered['hw'].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "no longer in the library" in text
    assert "Three things I did well for us this week" in text and "Made coffee" in text
    assert "I feel lonely sometimes" in text  # the therapist-only answer, to the therapist

    mine = answered["ana"].get(f"/me/homework/{answered['hw'].id}")
    assert mine.status_code == 200
    assert "Made coffee" in mine.get_data(as_text=True)
    worksheet = client.get(f"/couples/{answered['couple'].id}/homework/{answered['hw'].id}/worksheet.pdf")
    assert worksheet.status_code == 200 and worksheet.data.startswith(b"%PDF")


def test_a_changed_question_is_shown_as_it_was_asked(app, answered, client, partner_client, make, practice_file):
    practice_file.write_text(practice_file.read_text().replace(
        "Three things I did well for us this week", "Three kind things this week", 1))
    _reload_library(app)
    text = client.get(f"/couples/{answered['couple'].id}/homework/{answered['hw'].id}").get_data(as_text=True)
    assert "The module has changed since this homework was assigned" in text
    assert "Three things I did well for us this week" in text and "Three kind things" not in text

    # Sam, who has not answered yet, is still asked what he was given.
    sam = partner_client(make.link(answered["couple"].partners[1]))
    form = sam.get(f"/me/homework/{answered['sam_hw'].id}").get_data(as_text=True)
    assert "Three things I did well for us this week" in form


def test_an_assignment_from_before_forms_were_kept_keeps_todays_form_on_first_read(app, answered, client, practice_file):
    hw = answered["hw"]
    db.session.execute(db.update(Assignment).values(form_digest=None))
    db.session.execute(db.delete(FormVersion))
    db.session.commit()
    assert client.get(f"/couples/{answered['couple'].id}/homework/{hw.id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(Assignment, hw.id).form_digest == get_library().template(KEY).digest

    # Once kept, a later broken file no longer matters.
    practice_file.unlink()
    _reload_library(app)
    text = client.get(f"/couples/{answered['couple'].id}/homework/{hw.id}").get_data(as_text=True)
    assert "no longer in the library" in text and "Three things I did well for us this week" in text


def test_an_old_assignment_whose_module_is_gone_still_lists_every_answer(app, answered, client, practice_file):
    hw = answered["hw"]
    db.session.execute(db.update(Assignment).values(form_digest=None))
    db.session.execute(db.delete(FormVersion))
    db.session.commit()
    practice_file.unlink()
    _reload_library(app)
    page = client.get(f"/couples/{answered['couple'].id}/homework/{hw.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Walk on Sunday" in text and "Will change" in text
