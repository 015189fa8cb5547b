import copy
from pathlib import Path

import pytest
import yaml

from toolkit.library.loader import LibraryError, check_library, load_library, parse_module
from toolkit.library.models import FIELD_KINDS
from toolkit.library.schema import FIELD_MODELS

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
    "unknown-theme.md": "themes[1]: unknown theme 'romance' (known: understanding, communication, appreciation, "
                        "time-together, intimacy, conflict-and-repair, growth, independence, commitment, "
                        "decision-and-safety)",
    "unknown-stage.md": "stage: unknown stage 'late' (known: assessment, early, middle, maintenance)",
    "bad-minutes.md": "minutes: must be a whole number, not 'lots'",
    "unknown-kind.md": "homework[0].fields[0].kind: unknown field kind 'slider' "
                       "(known: short_text, long_text, list, scale, tracker, yes_no, choice, conflict_log, two_column, card)",
    "scale-without-bounds.md": ["homework[0].fields[0].min: is missing: a rating scale needs both bounds, min and max",
                                "homework[0].fields[0].max: is missing: a rating scale needs both bounds, min and max"],
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
    expected = [expected] if isinstance(expected, str) else expected
    assert [str(p) for p in problems] == [f"{path}: {e}" for e in expected]


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
    assert "gamma.md: themes[0]: unknown theme 'nonsense'" in caplog.text


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


# --- the schema: each rule named in plain words ------------------------------------------

VALID = {
    "slug": "sheet", "title": "A sheet", "summary": "One line.", "themes": ["communication"], "stage": "early",
    "minutes": 20,
    "homework": [{"id": "hw", "title": "Homework", "instructions": "Do it.", "frequency": "once", "who": "each",
                  "fields": [{"name": "topic", "label": "Topic", "kind": "short_text"},
                             {"name": "closer", "label": "Closer?", "kind": "yes_no"},
                             {"name": "mood", "label": "Mood", "kind": "scale", "min": 1, "max": 5,
                              "min_label": "Low", "max_label": "High"}]}],
}


def write_module(tmp_path, meta: dict) -> Path:
    path = tmp_path / "sheet.md"
    path.write_text(f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n# Handout\n\nWords.\n\n# Facilitator guide\n\nSteps.\n")
    return path


def problems_with(tmp_path, change) -> list[str]:
    """The problems of the valid module above once `change` has been made to a copy of its front matter."""
    meta = copy.deepcopy(VALID)
    change(meta)
    path = write_module(tmp_path, meta)
    module, problems = parse_module(path)
    assert module is None
    return [str(p).removeprefix(f"{path}: ") for p in problems]


def field(meta, i=0) -> dict:
    return meta["homework"][0]["fields"][i]


def test_the_valid_module_of_these_tests_loads(tmp_path):
    module, problems = parse_module(write_module(tmp_path, VALID))
    assert problems == [] and [f.kind for f in module.homework[0].fields] == ["short_text", "yes_no", "scale"]


def test_there_is_one_schema_model_for_each_field_kind():
    assert tuple(m.model_fields["kind"].annotation.__args__[0] for m in FIELD_MODELS) == FIELD_KINDS


@pytest.mark.parametrize("kind", FIELD_KINDS)
def test_an_unknown_key_in_a_field_of_any_kind_is_refused_by_name(tmp_path, kind):
    def add_colour(meta):
        meta["homework"][0]["fields"] = [{"name": "x", "label": "X", "kind": kind, "colour": "red"}]

    problems = problems_with(tmp_path, add_colour)
    assert "homework[0].fields[0].colour: is not a known field (check the spelling)" in problems


def test_a_wrong_kind_names_the_allowed_kinds(tmp_path):
    problems = problems_with(tmp_path, lambda meta: field(meta, 1).update(kind="rating"))
    assert problems == ["homework[0].fields[1].kind: unknown field kind 'rating' (known: short_text, long_text, list, "
                        "scale, tracker, yes_no, choice, conflict_log, two_column, card)"]


def test_a_wrong_type_names_the_field_path(tmp_path):
    problems = problems_with(tmp_path, lambda meta: field(meta, 2).update(max="ten"))
    assert problems == ["homework[0].fields[2].max: must be a whole number, not 'ten'"]


SCHEMA_RULES = [
    (lambda m: m.update(slug="Sheet One"), "slug: must be lower-case letters, digits and hyphens, not 'Sheet One'"),
    (lambda m: m.update(title="  "), "title: is missing"),
    (lambda m: m.update(summary="Two\nlines."), "summary: must be one line"),
    (lambda m: m.update(themes=None), "themes: is missing"),
    (lambda m: m.update(themes=[]), "themes: needs at least one theme"),
    (lambda m: m.update(minutes=200), "minutes: must be from 5 to 120, not 200"),
    (lambda m: m.update(minutes=True), "minutes: must be a whole number, not True"),
    (lambda m: m.update(related=[5]), "related[0]: must be text, not int"),
    (lambda m: m.update(crisis_resources="sometimes"), "crisis_resources: must be true or false, not 'sometimes'"),
    (lambda m: m.update(homework="a sheet"), "homework: must be a list, not 'a sheet'"),
    (lambda m: m["homework"].append(copy.deepcopy(m["homework"][0])), "homework[1].id: duplicate id 'hw'"),
    (lambda m: m["homework"][0].update(who="both"), "homework[0].who: unknown value 'both' (known: each, joint)"),
    (lambda m: m["homework"][0].update(fields=[]), "homework[0].fields: needs at least one form field"),
    (lambda m: m["homework"][0].update(due="Friday"), "homework[0].due: is not a known field (check the spelling)"),
    (lambda m: field(m, 1).update(name="topic"), "homework[0].fields[1].name: duplicate name 'topic'"),
    (lambda m: field(m, 1).update(name="Closer"),
     "homework[0].fields[1].name: must be lower-case letters, digits and underscores, not 'Closer'"),
    (lambda m: field(m, 1).pop("kind"), "homework[0].fields[1].kind: is missing"),
    (lambda m: field(m, 1).update(private="yes please"),
     "homework[0].fields[1].private: must be true or false, not 'yes please'"),
    (lambda m: field(m, 1).update(items=3), "homework[0].fields[1].items: does not apply to a yes_no field"),
    (lambda m: field(m, 1).update(safety=True, concern="maybe"),
     "homework[0].fields[1].concern: 'maybe' is not one of this field's answers"),
    (lambda m: field(m, 2).update(max=20), "homework[0].fields[2].max: must be 1 to 10 above min (1), not 20"),
    (lambda m: field(m, 2).update(min=-1), "homework[0].fields[2].min: must be from 0 to 100, not -1"),
    (lambda m: field(m, 2).update(safety=True, concern=[9]),
     "homework[0].fields[2].concern: 9 is not one of this field's answers"),
    (lambda m: field(m, 0).update(max_length=0), "homework[0].fields[0].max_length: must be from 1 to 20000, not 0"),
]


@pytest.mark.parametrize("change, expected", SCHEMA_RULES, ids=[e for _, e in SCHEMA_RULES])
def test_each_rule_of_the_schema_is_named_in_plain_words(tmp_path, change, expected):
    assert problems_with(tmp_path, change) == [expected]


def test_a_front_matter_that_is_not_keys_and_values_is_named(tmp_path):
    path = tmp_path / "list.md"
    path.write_text("---\n- slug\n- title\n---\n# Handout\n\nWords.\n\n# Facilitator guide\n\nSteps.\n")
    assert [str(p) for p in parse_module(path)[1]] == [f"{path}: front matter: must be a set of 'key: value' lines"]


def test_every_problem_of_a_file_is_listed_not_only_the_first(tmp_path):
    def break_three_things(meta):
        meta.update(stage="late", minutes="lots")
        field(meta, 0).update(colour="red")

    assert problems_with(tmp_path, break_three_things) == [
        "stage: unknown stage 'late' (known: assessment, early, middle, maintenance)",
        "minutes: must be a whole number, not 'lots'",
        "homework[0].fields[0].colour: is not a known field (check the spelling)",
    ]
