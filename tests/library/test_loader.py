from pathlib import Path

import pytest

from toolkit.library.loader import LibraryError, check_library, load_library, parse_module

FIXTURES = Path(__file__).parent / "fixtures"
HANDOUTS = Path(__file__).parents[2] / "handouts"


def test_every_built_in_module_loads_and_validates():
    assert check_library(HANDOUTS) == []
    library = load_library(HANDOUTS)
    assert len(library) >= 50  # the 30 first modules and the 20 added for the approaches and topics therapists use
    for module in library:
        assert module.title and module.summary and module.themes and module.handout_md and module.guide_md
        for slug in module.related:
            assert library.get(slug) is not None


def test_the_library_has_the_homework_the_product_promises():
    library = load_library(HANDOUTS)
    titles = " | ".join(t.title.lower() for m in library for t in m.homework)
    for expected in ("three, two, one", "gratitude", "faded", "ritual", "date", "letter", "worth working on"):
        assert expected in titles, expected
    reflection = library.get("is-it-worth-working-on").homework[0]
    safety = [f for f in reflection.fields if f.safety]
    assert safety and all(f.concern for f in safety)
    modules_with_homework = sum(1 for m in library if m.homework)
    assert modules_with_homework >= len(library) * 0.7


BAD = {
    "missing-title.md": "title: is missing",
    "unknown-theme.md": "themes: unknown theme 'romance' (known: understanding, communication, appreciation, "
                        "time-together, intimacy, conflict-and-repair, growth, independence, commitment, "
                        "decision-and-safety)",
    "unknown-stage.md": "stage: unknown stage 'late' (known: assessment, early, middle, maintenance)",
    "bad-minutes.md": "minutes: must be a whole number, not 'lots'",
    "unknown-kind.md": "homework[0].fields[0].kind: unknown field kind 'slider' "
                       "(known: short_text, long_text, list, scale, tracker, yes_no, choice, conflict_log, two_column, card)",
    "scale-without-bounds.md": "homework[0].fields[0].min/max: a rating scale needs both bounds, min and max",
    "bad-frequency.md": "homework[0].frequency: unknown frequency 'monthly' (known: once, daily, weekly)",
    "concern-not-safety.md": "homework[0].fields[0].concern: only a safety field (safety: true) can have concern answers",
    "typo-key.md": "homework[0].fields[0].requried: is not a known field (check the spelling)",
    "choice-one-option.md": "homework[0].fields[0].choices: a choice field needs at least two choices",
    "no-guide.md": "body: must have a '# Handout' part followed by a '# Facilitator guide' part",
    "bad-yaml.md": "front matter: is not valid YAML at line 3: expected ',' or ']', but got '<stream end>'",
}


@pytest.mark.parametrize("name, expected", BAD.items())
def test_a_malformed_file_names_the_file_the_field_and_the_problem(name, expected):
    path = FIXTURES / "bad" / name
    module, problems = parse_module(path)
    assert module is None
    assert [str(p) for p in problems] == [f"{path}: {expected}"]


def test_a_related_slug_that_does_not_exist_is_reported(tmp_path):
    (tmp_path / "x.md").write_text((FIXTURES / "bad" / "related-missing.md").read_text())
    assert [str(p) for p in check_library(tmp_path)] == [f"{tmp_path / 'x.md'}: related: no module has the slug 'no-such-module'"]


def test_a_duplicate_slug_is_reported():
    problems = [str(p) for p in check_library(FIXTURES / "dupe")]
    assert problems == [f"{FIXTURES / 'dupe' / 'beta.md'}: slug: duplicate slug 'beta' (also in beta-copy.md)"]


def test_an_invalid_built_in_library_stops_the_app(tmp_path):
    from tests.conftest import make_app

    with pytest.raises(LibraryError) as error:
        make_app(tmp_path, HANDOUTS_DIR=str(FIXTURES / "bad"))
    assert "unknown-kind.md" in str(error.value)


def test_practice_modules_override_by_slug_and_broken_ones_are_skipped(caplog):
    library = load_library(FIXTURES / "good", FIXTURES / "practice")
    assert library.get("beta").title == "Beta, our practice's version"
    assert library.get("beta").origin == "practice"
    assert library.get("alpha").origin == "built-in"
    assert library.get("gamma") is None
    assert "gamma.md: themes: unknown theme 'nonsense'" in caplog.text


def test_yes_and_no_concern_answers_survive_yaml():
    module, problems = parse_module(FIXTURES / "good" / "alpha.md")
    afraid = next(f for f in module.homework[0].fields if f.name == "afraid")
    assert afraid.concern == ("yes",)
    assert afraid.is_concern("yes") and not afraid.is_concern("no")


def test_check_handouts_command(app, runner, tmp_path):
    assert runner.invoke(args=["check-handouts"]).exit_code == 0
    app.config["HANDOUTS_DIR"] = str(FIXTURES / "bad")
    result = runner.invoke(args=["check-handouts"])
    assert result.exit_code == 1
    assert "unknown-kind.md: homework[0].fields[0].kind: unknown field kind 'slider'" in result.output
    assert "missing-title.md: title: is missing" in result.output
