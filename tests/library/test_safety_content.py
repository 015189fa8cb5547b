"""Safety in the built-in content: private screening, no hard-coded crisis numbers, safety fields that flag.

Couples work is intimate partner violence informed: safety questions are asked of each partner
alone, never side by side; a hurt partner is never asked to share the blame; and crisis help comes
from the practice's own configured list (CRISIS_RESOURCES), never from a number written in a module.
"""
import re
from pathlib import Path

import pytest

from toolkit import DEFAULT_CRISIS_RESOURCES
from toolkit.library.loader import load_library

HANDOUTS = Path(__file__).parents[2] / "handouts"
LIBRARY = load_library(HANDOUTS)
MODULES = list(LIBRARY)
MODULE_FILES = sorted(p for p in HANDOUTS.glob("*.md") if p.name != "README.md")

# A crisis line, emergency number or hotline written into the text.
CRISIS_NUMBER = re.compile(
    r"\b988\b"
    r"|\b911\b"
    r"|\b1?[-. ]?\(?8(?:00|33|44|55|66|77|88)\)?[-. ]?\d{3}[-. ]?\d{4}\b"  # toll-free, with or without the 1
    r"|\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b"  # any other ten-digit phone number
    r"|\btext\s+[A-Z]{3,}\s+to\s+\d+"  # "text START to 88788"
    r"|\bhot\s?lines?\b|\blifeline\b|\bhelpline\b",
    re.I,
)
CRISIS_BOX_REFERENCE = re.compile(r"crisis resources at the end of this handout|practice's list of help", re.I)
# Words that mark a coercive-control question (money, phone, isolation, fear of saying no, threats to others).
COERCIVE_CONTROL = re.compile(r"money|spend|phone|messages|friends|family|say no|children|pets", re.I)


def _safety_fields(module):
    return [f for t in module.homework for f in t.fields if f.safety]


def _plain(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def test_the_crisis_number_check_can_fail():
    for line in DEFAULT_CRISIS_RESOURCES.splitlines()[:3]:
        assert CRISIS_NUMBER.search(line), line
    for text in ("Call 1-800-555-0100 now.", "call (800) 555 0100", "Ring 555-123-4567.", "the national hotline"):
        assert CRISIS_NUMBER.search(text), text
    assert not CRISIS_NUMBER.search("Send a short, kind text at lunch. Rate it 0-10. Talk for 15-20 minutes.")


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_no_handout_or_guide_holds_a_crisis_number_or_hotline(module):
    for part, text in (("handout", module.handout_md), ("guide", module.guide_md)):
        found = CRISIS_NUMBER.search(text)
        assert found is None, f"{module.slug} {part}: {found.group(0)!r}; use crisis_resources instead"
    for template in module.homework:
        for text in [template.title, template.instructions] + [
            piece for f in template.fields for piece in (f.label, f.help or "", *f.choices)
        ]:
            assert CRISIS_NUMBER.search(text) is None, f"{template.key}: {text!r}"


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: p.stem)
def test_no_module_file_holds_a_crisis_number_anywhere(path):
    """The raw file too, so a number in the summary or a comment is caught."""
    found = CRISIS_NUMBER.search(path.read_text(encoding="utf-8"))
    assert found is None, f"{path.name}: {found.group(0)!r}"


def test_modules_that_send_people_to_crisis_help_show_the_practice_resources():
    with_box = {m.slug for m in MODULES if m.crisis_resources}
    assert {"getting-more-help", "is-it-worth-working-on"} <= with_box
    for module in MODULES:
        assert isinstance(module.crisis_resources, bool)
        refers = bool(CRISIS_BOX_REFERENCE.search(module.handout_md))
        # Text that points at the box only makes sense when the box is there, and the other way round.
        assert refers == module.crisis_resources, module.slug


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_every_safety_question_is_a_yes_no_of_its_own_that_can_flag(module):
    """A safety question is a yes/no that can raise a flag; a safety plan's own answers are sealed too."""
    for template in module.homework:
        for spec in template.fields:
            if not spec.safety:
                continue
            assert template.who == "each", f"{template.key}: safety questions are never asked jointly"
            if not spec.concern and spec.kind != "yes_no":
                continue  # a safety plan's own words and choices: sealed, never a flag
            assert spec.kind == "yes_no", f"{template.key}/{spec.name}"
            assert spec.concern and set(spec.concern) <= {"yes", "no"}, f"{template.key}/{spec.name}"


def test_getting_more_help_asks_about_safety_at_home_as_a_safety_question():
    module = LIBRARY.get("getting-more-help")
    fields = [f for t in module.homework for f in t.fields]
    at_home = [f for f in fields if "safe at home" in f.label.lower()]
    assert len(at_home) == 1
    (spec,) = at_home
    assert spec.kind == "yes_no" and spec.safety and spec.concern == ("yes",)
    assert spec.is_concern("yes") and not spec.is_concern("no")
    # Not hidden among the ordinary choices, where it would raise no flag.
    for other in fields:
        if other.kind == "choice":
            assert not any("safety" in c.lower() or "safe" in c.lower() for c in other.choices), other.name


def test_is_it_worth_working_on_screens_each_partner_alone_for_coercive_control():
    module = LIBRARY.get("is-it-worth-working-on")
    assert module.homework and all(t.who == "each" for t in module.homework)
    control = [f for f in _safety_fields(module) if COERCIVE_CONTROL.search(f.label)]
    assert len(control) >= 2, [f.label for f in control]
    for spec in control:
        assert spec.kind == "yes_no" and spec.concern == ("yes",)
        assert spec.is_concern("yes") and not spec.is_concern("no")
    labels = " ".join(f.label.lower() for f in control)
    for topic in ("money", "phone", "say no"):
        assert topic in labels, topic
    handout, guide = _plain(module.handout_md), _plain(module.guide_md)
    for text in (handout, guide):
        assert "alone" in text and "side by side" in text
    assert "meet with each of you alone" in handout
    assert re.search(r"\(20 min\) alone with the first partner", guide), "the guide gives each partner 20 minutes alone"
    assert module.minutes <= 120


def test_forgiveness_never_asks_the_hurt_partner_to_share_the_blame():
    module = LIBRARY.get("forgiveness")
    handout, guide = _plain(module.handout_md), _plain(module.guide_md)
    assert "never asked to share the blame" in handout
    assert "the partner who betrayed takes responsibility" in handout
    assert "do not owe anyone forgiveness" in handout and "the hurt partner sets the pace" in handout
    assert "never a reason to put up with abuse" in handout
    assert "never asked to share the blame" in guide and "never use forgiveness to excuse abuse" in guide
    (template,) = module.homework
    assert template.who == "each"
    assert "not asked to take any of the blame" in template.instructions.lower()
    # No question presumes the hurt partner has something to apologize for.
    own = [f for f in template.fields if "sorry" in f.label.lower()]
    assert own and all(f.label.lower().startswith("if i caused") and not f.required for f in own)


def test_when_a_partner_is_not_on_board_hears_each_partner_separately_first():
    module = LIBRARY.get("when-a-partner-is-not-on-board")
    assert module.homework and all(t.who == "each" for t in module.homework)
    handout, guide = _plain(module.handout_md), _plain(module.guide_md)
    assert "meet with each of you alone" in handout
    assert handout.index("alone") < handout.index("meeting in the middle")
    assert "separately first" in guide and "individual time" in guide
    steps = guide.split("## steps", 1)[1]
    assert steps.index("individual time") < steps.index("together again")
