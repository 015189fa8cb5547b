"""The built-in content: forms that work, reading level, ideas covered, safe HTML."""
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from tests.helpers import flesch_kincaid_grade, sentences, syllables, words
from toolkit.library.forms import REQUIRED, form_class
from toolkit.library.loader import load_library, parse_module
from toolkit.library.markdown import plain_text, render_markdown

HANDOUTS = Path(__file__).parents[2] / "handouts"
LIBRARY = load_library(HANDOUTS)
TEMPLATES = [t for m in LIBRARY for t in m.homework]

# The ideas the library is written from (PRODUCT.md, "The module library"), word for word.
IDEAS = [
    "the shift from infatuation to attachment", "routine, stress, unresolved conflict", "feeling unappreciated",
    "differences", "intimacy", "communication breakdown", "trying to change a partner, hiding one's true self",
    "naming why it faded", "talking openly with I-statements, good timing and listening", "letters when talking is hard",
    "a weekly check-in of three things done well, two that could be better and one thing I will change",
    "remembering why you chose each other and reminiscing", "a mindset of a shared future",
    "effort and noticing effort", "appreciation and daily gratitude", "letting go of expectations and resentment",
    "forgiveness and fighting fair", "how you think and speak to your partner", "starting with yourself",
    "quality time and date nights without distractions", "rituals of connection",
    "small daily gestures and responding to a partner's bids", "four kinds of intimacy",
    "rebuilding physical closeness at a pace both want", "spontaneity", "learning who your partner is now",
    "new experiences and self-expansion", "shared goals and projects", "compromise as both/and",
    "choosing love as an action", "time apart and friendships outside the couple", "self-care",
    "realistic expectations and small wins", "when a partner is not on board",
    "whether to keep trying, with safety first", "when and how to get more help",
]


def good_answer(spec, prefix=""):
    name = prefix + spec.name
    if spec.kind in ("short_text", "long_text"):
        return [(name, "Something true")]
    if spec.kind == "list":
        return [(f"{name}-{i}", f"Item {i}") for i in range(spec.items)]
    if spec.kind == "scale":
        return [(name, str(spec.min))]  # the lowest value is a real answer, not a missing one
    if spec.kind == "tracker":
        return [(name, "Day 1"), (name, "Day 3")]
    return [(name, spec.options[0][0])]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.key)
def test_every_template_accepts_good_answers_and_rejects_bad_ones(app, template):
    good = MultiDict([pair for spec in template.fields for pair in good_answer(spec)])
    with app.test_request_context(method="POST", data=good):
        form = form_class(template)(meta={"csrf": False})
        assert form.validate(), form.errors
    with app.test_request_context(method="POST", data=MultiDict()):
        form = form_class(template)(meta={"csrf": False})
        required = [s for s in template.fields if s.required and s.kind != "tracker"]
        assert form.validate() is (not required)
        for spec in required:
            assert form.errors[spec.name] == [REQUIRED]
    with app.test_request_context(method="POST", data=MultiDict()):
        assert form_class(template, draft=True)(meta={"csrf": False}).validate()


def test_out_of_range_and_overlong_answers_are_rejected(app):
    module, _ = parse_module(Path(__file__).parent / "fixtures" / "good" / "alpha.md")
    template = module.homework[0]
    bad = MultiDict([("word", "x" * 21), ("things-0", "one"), ("close", "9"), ("afraid", "maybe"), ("pick", "Green")])
    with app.test_request_context(method="POST", data=bad):
        form = form_class(template)(meta={"csrf": False})
        assert not form.validate()
        assert form.errors["word"] == ["Please keep this to 20 characters or fewer."]
        assert "close" in form.errors and "afraid" in form.errors and "pick" in form.errors
        assert "things" not in form.errors  # one item of three is enough
        assert form.word.data == "x" * 21  # what was typed is kept for the page


def _grade(text: str) -> float:
    return flesch_kincaid_grade(text)


@pytest.mark.parametrize("module", list(LIBRARY), ids=lambda m: m.slug)
def test_client_text_reads_at_about_grade_eight(module):
    handout = plain_text(module.handout_md)
    assert 400 <= len(handout.split()) <= 800
    assert _grade(handout) <= 8.5
    for template in module.homework:
        assert _grade(template.instructions) <= 8.5, template.key


def test_the_grade_check_can_fail():
    dense = ("Notwithstanding considerable methodological heterogeneity, longitudinal investigations "
             "consistently demonstrate associations between communicative responsiveness and relational satisfaction.")
    assert _grade(dense) > 8.5
    assert _grade("We talk. We listen. We try again next week.") < 4


def test_the_grade_is_the_flesch_kincaid_formula_on_words_sentences_and_syllables():
    text = "Couples often drift apart slowly. Small habits bring them back together."
    assert (words(text), sentences(text)) == (11, 2)
    per_word = round(syllables(text) / 11, 1)
    assert 1.2 <= per_word <= 1.8  # a plain English word has one or two syllables
    assert _grade(text) == round(0.39 * 5.5 + 11.8 * per_word - 15.59, 1)
    assert sentences("Page 2. A heading. This sentence has five words.") == 1  # runs of two words or fewer


def _idea_table() -> dict[str, list[str]]:
    text = (HANDOUTS / "README.md").read_text()
    rows = re.findall(r"^\| (.+?) \| ([a-z0-9, -]+) \|$", text, re.M)
    return {idea: [s.strip() for s in slugs.split(",")] for idea, slugs in rows}


def test_every_idea_maps_to_a_module():
    table = _idea_table()
    for idea in IDEAS:
        assert idea in table, f"no row for {idea!r} in handouts/README.md"
        for slug in table[idea]:
            assert LIBRARY.get(slug) is not None, f"{idea!r} points at missing module {slug!r}"


def test_sanitising_removes_scripts_images_frames_styles_and_javascript_links():
    module, _ = parse_module(Path(__file__).parent / "fixtures" / "good" / "alpha.md")
    html = str(module.handout_html)
    for banned in ("<script", "<img", "<iframe", "<style", "javascript:", "evil.example", "file://"):
        assert banned not in html, banned
    assert 'href="https://example.org"' in html
    assert str(render_markdown("**bold** <a href='javascript:x()'>y</a>")) == "<p><strong>bold</strong> <a rel=\"noopener noreferrer nofollow\">y</a></p>"
