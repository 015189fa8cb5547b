"""A practice that edits its own module file gets the new text in the next PDF, not a cached copy of the old."""
from datetime import datetime
from pathlib import Path

import pytest

from toolkit import library

from .conftest import text_of

BUILT_IN = Path(__file__).resolve().parents[2] / "handouts" / "weekly-check-in.md"
BEFORE = "At our practice we ask for twenty quiet minutes with both phones in another room."
AFTER = "At our practice we now ask for thirty quiet minutes with both phones switched off."


def _restart_library(app) -> None:
    """Load the library as the app does when it starts (a practice's edit takes effect at a restart)."""
    library.init_app(app)


@pytest.fixture
def practice_module(app, tmp_path):
    """The practice's own copy of the weekly check-in, with a sentence of its own in the handout."""
    folder = tmp_path / "practice-handouts"
    folder.mkdir()
    path = folder / "our-check-in.md"
    text = BUILT_IN.read_text().replace("slug: weekly-check-in", "slug: our-check-in", 1)
    path.write_text(text.replace("# Handout\n", f"# Handout\n\n{BEFORE}\n", 1))
    app.config["PRACTICE_HANDOUTS_DIR"] = str(folder)
    _restart_library(app)
    assert app.extensions["library"].get("our-check-in") is not None
    return path


def test_a_changed_module_file_prints_its_new_text(app, client, make, login, practice_module, time_machine):
    time_machine.move_to(datetime(2026, 11, 18, 10, 0), tick=False)  # one day: the date on the page stays the same
    therapist = make.therapist()
    couple = make.couple(therapist)
    login(therapist)
    url = f"/couples/{couple.id}/handouts/our-check-in.pdf"
    first = client.get(url)
    assert first.headers["X-Cache"] == "miss" and BEFORE in text_of(first.data)
    assert client.get(url).headers["X-Cache"] == "hit"

    practice_module.write_text(practice_module.read_text().replace(BEFORE, AFTER))
    _restart_library(app)
    changed = client.get(url)
    assert changed.headers["X-Cache"] == "miss"
    text = text_of(changed.data)
    assert AFTER in text and BEFORE not in text
    assert client.get(url).headers["X-Cache"] == "hit"  # and the new text is cached in its turn
