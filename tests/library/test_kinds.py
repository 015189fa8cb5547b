"""The kinds answered in parts (card, conflict_log, two_column) and long_text's `lines`:
what the loader accepts, the online form, the stored answers, and where they are shown back."""
import json
import re
from pathlib import Path

import pytest
import yaml
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from toolkit.extensions import db
from toolkit.homework.models import Assignment
from toolkit.library.forms import REQUIRED, answers_from, form_class
from toolkit.library.loader import load_library, parse_module
from toolkit.library.models import CONFLICT_LOG_COLUMNS

HANDOUTS = Path(__file__).parents[2] / "handouts"
LIBRARY = load_library(HANDOUTS)
CARD = {"name": "plan", "label": "My plan", "kind": "card", "items": ["My signal word", "Where I go", "What calms me"]}
LOG = {"name": "log", "label": "Fights", "kind": "conflict_log", "rows": 2}
PAIRS = {"name": "pairs", "label": "Part and need", "kind": "two_column", "rows": 2}


def module_file(tmp_path, *fields, who="each") -> Path:
    """A valid module whose one homework template has these fields."""
    meta = {"slug": "kinds", "title": "Kinds", "summary": "Fields in parts.", "themes": ["communication"],
            "stage": "early", "minutes": 20,
            "homework": [{"id": "sheet", "title": "A sheet", "instructions": "Fill it in.", "frequency": "once",
                          "who": who, "fields": list(fields)}]}
    path = tmp_path / "kinds.md"
    path.write_text(f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n# Handout\n\nWords.\n\n# Facilitator guide\n\nSteps.\n")
    return path


def template_of(tmp_path, *fields, who="each"):
    module, problems = parse_module(module_file(tmp_path, *fields, who=who))
    assert problems == []
    return module.homework[0]


BAD_OPTIONS = [
    ({"name": "c", "label": "C", "kind": "card"},
     "items: is missing: a card needs its prompts, like [My signal word, Where I go]"),
    ({"name": "c", "label": "C", "kind": "card", "items": 4},
     "items: must be a list of prompts (texts), like [My signal word, Where I go]"),
    ({"name": "c", "label": "C", "kind": "card", "items": ["One", ""]},
     "items: must be a list of prompts (texts), like [My signal word, Where I go]"),
    ({"name": "c", "label": "C", "kind": "card", "items": [f"Prompt {n}" for n in range(7)]},
     "items: a card holds 1 to 6 prompts, not 7"),
    ({"name": "c", "label": "C", "kind": "card", "items": ["x" * 61]},
     f"items: {'x' * 61!r} is too long for a card (at most 60 characters)"),
    ({"name": "c", "label": "C", "kind": "card", "items": ["Where I go", "Where I go"]},
     "items: has the same prompt twice"),
    ({"name": "c", "label": "C", "kind": "card", "items": ["A"], "rows": 2}, "rows: does not apply to a card field"),
    ({"name": "c", "label": "C", "kind": "card", "items": ["A"], "safety": True, "concern": ["A"]},
     "concern: a card field cannot have concern answers"),
    ({"name": "g", "label": "G", "kind": "conflict_log", "rows": 0}, "rows: must be from 1 to 10, not 0"),
    ({"name": "g", "label": "G", "kind": "conflict_log", "rows": 11}, "rows: must be from 1 to 10, not 11"),
    ({"name": "g", "label": "G", "kind": "conflict_log", "left_label": "Mine"},
     "left_label: does not apply to a conflict_log field"),
    ({"name": "g", "label": "G", "kind": "conflict_log", "items": 3}, "items: does not apply to a conflict_log field"),
    ({"name": "t", "label": "T", "kind": "two_column", "rows": "four"}, "rows: must be a whole number, not 'four'"),
    ({"name": "t", "label": "T", "kind": "two_column", "left_label": 5}, "left_label: must be text, not int"),
    ({"name": "t", "label": "T", "kind": "two_column", "max_length": 0}, "max_length: must be from 1 to 1000, not 0"),
    ({"name": "l", "label": "L", "kind": "long_text", "lines": 0}, "lines: must be from 1 to 40, not 0"),
    ({"name": "l", "label": "L", "kind": "long_text", "lines": "a page"}, "lines: must be a whole number, not 'a page'"),
    ({"name": "s", "label": "S", "kind": "short_text", "lines": 3}, "lines: does not apply to a short_text field"),
    ({"name": "s", "label": "S", "kind": "list", "items": ["One", "Two"]},
     "items: must be a whole number, not ['One', 'Two']"),
]


@pytest.mark.parametrize("field, expected", BAD_OPTIONS, ids=[e for _, e in BAD_OPTIONS])
def test_the_loader_names_the_file_the_field_and_what_is_wrong_with_an_option(tmp_path, field, expected):
    path = module_file(tmp_path, field)
    module, problems = parse_module(path)
    assert module is None
    assert [str(p) for p in problems] == [f"{path}: homework[0].fields[0].{expected}"]


def test_options_left_out_take_their_defaults(tmp_path):
    template = template_of(
        tmp_path, {"name": "c", "label": "C", "kind": "card", "items": [" Where I go "]},
        {"name": "g", "label": "G", "kind": "conflict_log"}, {"name": "t", "label": "T", "kind": "two_column"},
        {"name": "u", "label": "U", "kind": "two_column", "left_label": "I did", "right_label": "I hope"},
        {"name": "l4", "label": "L", "kind": "long_text", "max_length": 500},
        {"name": "l8", "label": "L", "kind": "long_text", "max_length": 2000},
        {"name": "l14", "label": "L", "kind": "long_text", "max_length": 2001},
        {"name": "l6", "label": "L", "kind": "long_text"},
        {"name": "l26", "label": "L", "kind": "long_text", "max_length": 200, "lines": 26},
    )
    card, log, pairs, labelled, *texts = template.fields
    assert card.prompts == ("Where I go",) and card.max_length == 120 and card.options == [("0", "Where I go")]
    assert log.rows == 3 and log.columns == CONFLICT_LOG_COLUMNS and log.box_count == 15
    assert [h for _, h in log.columns] == ["Date", "What happened", "What I felt", "What I needed", "One repair"]
    assert pairs.rows == 4 and pairs.columns == (("left", "My part"), ("right", "What I need"))
    assert labelled.columns == (("left", "I did"), ("right", "I hope"))
    assert [t.print_lines for t in texts] == [4, 8, 14, 6, 26]


def test_the_library_uses_the_new_kinds_and_keeps_its_stored_field_names():
    card = LIBRARY.template("flooding-and-self-soothing/time-out-card").fields[0]
    assert card.kind == "card" and card.prompts == ("My signal word", "Where I go", "What calms me", "When I come back")
    log = LIBRARY.template("repair-and-talking-after-a-fight/conflict-log")
    assert log.who == "each" and log.fields[0].kind == "conflict_log"
    pairs = LIBRARY.template("fighting-fair/my-part-what-i-need").fields[0]
    assert pairs.kind == "two_column" and [h for _, h in pairs.columns] == ["My part", "What I need"]
    assert not pairs.required  # a hurt partner is never made to find a part of their own
    letter = LIBRARY.template("letters-when-talking-is-hard/letter-to-partner").fields[0]
    assert letter.name == "letter" and letter.print_lines == 26
    after = LIBRARY.template("repair-and-talking-after-a-fight/after-the-fight")
    assert [f.name for f in after.fields] == ["fight_topic", "my_feelings", "my_view", "sore_spot", "my_part",
                                              "do_differently", "repair_noticed", "felt_afraid", "therapist_only"]
    assert [f.name for f in LIBRARY.template("fighting-fair/after-a-disagreement").fields] == [
        "topic", "fair_rule_used", "repair", "fairness", "felt_unsafe", "therapist_only"]


# --- the online form --------------------------------------------------------------------

def _render(app, template, data=None, form=None):
    from flask import render_template_string

    with app.test_request_context(method="POST", data=data or MultiDict()):
        form = form or form_class(template)(meta={"csrf": False})
        form.validate()
        html = render_template_string('{% from "_macros/homework.html" import questions %}{{ questions(t, f) }}',
                                      t=template, f=form)
        return form, html


def test_every_box_online_has_its_own_label_for_screen_readers(app, tmp_path):
    template = template_of(tmp_path, CARD, LOG, PAIRS)
    _, html = _render(app, template)
    for prompt in CARD["items"]:
        assert f">{prompt}</label>" in html
    for n in range(3):
        assert f'<label class="label" for="plan-{n}">' in html and f'id="plan-{n}" name="plan"' in html
    for r in range(2):
        for c, (_, heading) in enumerate(CONFLICT_LOG_COLUMNS):
            assert f'<label class="label" for="log-{r}-{c}">{heading}</label>' in html
            assert f'id="log-{r}-{c}" name="log"' in html
        assert f'for="pairs-{r}-0">My part</label>' in html and f'for="pairs-{r}-1">What I need</label>' in html
    # One fieldset for the question, one more (with its legend) for each entry or row.
    assert html.count("<legend>Entry ") == 2 and html.count("<legend>Row ") == 2
    assert html.count("<fieldset") == 3 + 2 + 2
    assert html.count('maxlength="300"') == 10 + 4 and html.count('maxlength="120"') == 3


def _post(*pairs):
    return MultiDict(list(pairs))


def test_good_answers_are_stored_as_json_and_shown_again_in_a_draft(app, tmp_path):
    template = template_of(tmp_path, CARD, LOG, PAIRS)
    log_row = ["Mon", "Dishes again", "Tired", "Help", "Said sorry"]
    data = _post(*[("plan", v) for v in ("Pause", "", " The porch ")],
                 *[("log", v) for v in log_row + [""] * 5],
                 *[("pairs", v) for v in ("", "", "I raise my voice", "A pause")])
    with app.test_request_context(method="POST", data=data):
        form = form_class(template)(meta={"csrf": False})
        assert form.validate(), form.errors
        answers = answers_from(form, template)
    assert answers == {
        "plan": ["Pause", "", "The porch"],
        "log": [dict(zip([k for k, _ in CONFLICT_LOG_COLUMNS], log_row))],
        "pairs": [{"left": "I raise my voice", "right": "A pause"}],  # an empty row is not kept
    }
    assert json.loads(json.dumps(answers)) == answers
    # A saved draft opens with every text back in its box.
    with app.test_request_context():
        draft = form_class(template, draft=True)(data=answers, formdata=None, meta={"csrf": False})
    _, html = _render(app, template, form=draft)
    for text in ("Pause", "The porch", "Dishes again", "Said sorry", "I raise my voice", "A pause"):
        assert f'value="{text}"' in html


def test_a_required_card_or_table_needs_one_answer_and_each_box_has_a_limit(app, tmp_path):
    template = template_of(tmp_path, CARD, LOG, dict(PAIRS, required=False))
    with app.test_request_context(method="POST", data=_post(("other", "x"))):
        form = form_class(template)(meta={"csrf": False})
        assert not form.validate()
        assert form.errors == {"plan": [REQUIRED], "log": [REQUIRED]}
    with app.test_request_context(method="POST", data=_post(("other", "x"))):
        assert form_class(template, draft=True)(meta={"csrf": False}).validate()
    long = "x" * 301
    data = _post(("plan", "Pause"), ("plan", "y" * 121), *[("log", v) for v in ("Mon", long)],
                 *[("pairs", v) for v in ("", "", "", long)])
    form, html = _render(app, template, data)
    assert form.errors == {
        "plan": ["Where I go: Please keep this to 120 characters or fewer."],
        "log": ["What happened, entry 1: Please keep this to 300 characters or fewer."],
        "pairs": ["What I need, entry 2: Please keep this to 300 characters or fewer."],
    }
    assert "What happened, entry 1: Please keep this" in html and f'value="{long}"' in html  # nothing typed is lost


def test_extra_boxes_and_nul_characters_are_dropped(app, tmp_path):
    template = template_of(tmp_path, CARD)
    data = _post(*[("plan", v) for v in ("Pa\x00use", "b", "c", "d", "e")])
    with app.test_request_context(method="POST", data=data):
        form = form_class(template)(meta={"csrf": False})
        assert form.validate()
        assert answers_from(form, template) == {"plan": ["Pause", "b", "c"]}


# --- shown back: the partner's sent page and the therapist's review ----------------------

@pytest.fixture
def sent_kinds(app, make, partner_client):
    """Each partner has sent a time-out card and a conflict log; Ana also sent her part and needs."""
    therapist = make.therapist()
    couple = make.couple(therapist)
    ana, sam = couple.partners
    browsers = {ana.id: partner_client(make.link(ana)), sam.id: partner_client(make.link(sam))}
    made = {}
    for key in ("flooding-and-self-soothing/time-out-card", "repair-and-talking-after-a-fight/conflict-log",
                "fighting-fair/my-part-what-i-need"):
        made[key] = {a.partner_id: a for a in make.assignment(couple, key)}
    words = {ana.id: "Ana", sam.id: "Sam"}
    for partner_id, who in words.items():
        card = made["flooding-and-self-soothing/time-out-card"][partner_id]
        plan = [f"{who} says pause", f"{who} walks", f"{who} breathes", f"{who} in an hour"]
        sent = browsers[partner_id].post(f"/me/homework/{card.id}", data=MultiDict(
            [("action", "submit")] + [("time_out_plan", v) for v in plan]))
        assert sent.status_code == 302
        log = made["repair-and-talking-after-a-fight/conflict-log"][partner_id]
        row = ["Tue", f"{who}: late home", f"{who} felt alone", f"{who} needed a call", f"{who} said sorry"]
        sent = browsers[partner_id].post(f"/me/homework/{log.id}", data=MultiDict(
            [("action", "submit"), ("felt_afraid", "no"), ("therapist_only", f"{who} private words")]
            + [("conflict_log", v) for v in row]))
        assert sent.status_code == 302
    pairs = made["fighting-fair/my-part-what-i-need"][ana.id]
    sent = browsers[ana.id].post(f"/me/homework/{pairs.id}", data=MultiDict(
        [("action", "submit"), ("felt_unsafe", "no")]
        + [("part_and_need", v) for v in ("I go quiet", "A hand on my arm", "I bring up old fights", "One topic")]))
    assert sent.status_code == 302
    return {"therapist": therapist, "couple": couple, "ana": ana, "sam": sam, "browsers": browsers, "made": made}


def test_the_partners_sent_page_shows_each_kind_back(sent_kinds):
    ana = sent_kinds["ana"]
    browser, made = sent_kinds["browsers"][ana.id], sent_kinds["made"]
    card = browser.get(f"/me/homework/{made['flooding-and-self-soothing/time-out-card'][ana.id].id}").get_data(as_text=True)
    assert "<input" not in card.split("What you sent", 1)[1]  # read back, not a form
    for prompt, text in zip(("My signal word", "Where I go", "What calms me", "When I come back"),
                            ("Ana says pause", "Ana walks", "Ana breathes", "Ana in an hour")):
        assert f"<dt>{prompt}</dt><dd class=\"prewrap\">{text}</dd>" in card
    log = browser.get(f"/me/homework/{made['repair-and-talking-after-a-fight/conflict-log'][ana.id].id}").get_data(as_text=True)
    for heading, text in (("Date", "Tue"), ("What happened", "Ana: late home"), ("One repair", "Ana said sorry")):
        assert f"<dt>{heading}</dt><dd class=\"prewrap\">{escape(text)}</dd>" in log
    assert "Sam" not in log.split("What you sent", 1)[1]
    pairs = browser.get(f"/me/homework/{made['fighting-fair/my-part-what-i-need'][ana.id].id}").get_data(as_text=True)
    answer = pairs.split("What you sent", 1)[1]
    assert '<th scope="col">My part</th><th scope="col">What I need</th>' in answer
    assert answer.index("I go quiet") < answer.index("A hand on my arm") < answer.index("I bring up old fights")


def _review_row(page: str, label: str) -> str:
    """The review table's row of one question: its cells, up to the next question or the table's end."""
    return page.split(f'<th scope="row">{label}', 1)[1].split('<th scope="row">', 1)[0].split('<section class="card">')[0]


def test_the_review_shows_both_partners_answers_side_by_side(client, login, sent_kinds):
    couple, ana, sam = sent_kinds["couple"], sent_kinds["ana"], sent_kinds["sam"]
    login(sent_kinds["therapist"])
    made = sent_kinds["made"]
    card = client.get(f"/couples/{couple.id}/homework/{made['flooding-and-self-soothing/time-out-card'][ana.id].id}")
    page = card.get_data(as_text=True)
    row = _review_row(page, "My time-out plan")
    assert row.count("<td") == 3 and row.index("Ana says pause") < row.index("Sam says pause")  # and the gap column
    log = client.get(f"/couples/{couple.id}/homework/{made['repair-and-talking-after-a-fight/conflict-log'][sam.id].id}")
    page = log.get_data(as_text=True)
    row = _review_row(page, "The fights this week")
    assert row.index("Ana needed a call") < row.index("Sam needed a call") and row.count("Entry 1") == 2
    assert "Ana private words" in page and "Sam private words" in page  # the therapist reads the private answers
    pairs = client.get(f"/couples/{couple.id}/homework/{made['fighting-fair/my-part-what-i-need'][sam.id].id}")
    row = _review_row(pairs.get_data(as_text=True), "My part, and what I need")
    assert "I bring up old fights" in row and "Not started" in row


def test_answers_to_questions_a_module_no_longer_asks_stay_in_the_review(client, login, sent_kinds):
    """The time-out card asked four short questions before it was a card; those answers still show."""
    couple, ana = sent_kinds["couple"], sent_kinds["ana"]
    sheet = sent_kinds["made"]["flooding-and-self-soothing/time-out-card"][ana.id]
    sheet.answers = {"signal_word": "Banana", "where_i_go": "The garden", "time_out_plan": None}
    db.session.commit()
    login(sent_kinds["therapist"])
    page = client.get(f"/couples/{couple.id}/homework/{sheet.id}").get_data(as_text=True)
    assert "answers to questions this homework no longer asks" in page
    assert "<dt>Signal word</dt>" in page and "Banana" in page and "The garden" in page
    assert db.session.get(Assignment, sheet.id).answers["signal_word"] == "Banana"


def test_the_library_preview_shows_the_new_kinds_as_disabled_boxes(client, make, login):
    login(make.therapist())
    for slug, name, boxes in (("flooding-and-self-soothing", "time_out_plan", 4),
                              ("repair-and-talking-after-a-fight", "conflict_log", 15),
                              ("fighting-fair", "part_and_need", 8)):
        page = client.get(f"/library/{slug}").get_data(as_text=True)
        assert len(re.findall(rf'name="{name}" value=""\s+maxlength="\d+" disabled>', page)) == boxes, slug
