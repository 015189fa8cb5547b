"""Room to write on paper: long_text's lines, the ruled tables, the wallet cards; the same room in
large print; and the safety and private rules for the kinds answered in parts."""
import re
from dataclasses import replace

import pytest

from toolkit.library.models import CARD_COPIES, CONFLICT_LOG_COLUMNS, FormField
from toolkit.pdf.documents import JOINT_PRIVATE_NOTE, SAFETY_ASKED_IN_PRIVATE, worksheet_html, worksheet_pdf

from .conftest import page_texts, reader, text_of

# Everything on a sheet a pen writes in or ticks.
ROOM = {"line": 'class="line"', "row": 'class="ruled-row"', "card line": 'class="card-line"', "box": 'class="box"'}


def room(html: str) -> dict[str, int]:
    return {what: html.count(marker) for what, marker in ROOM.items()}


def only(template, field: FormField):
    """The template with this one field, so a sheet's room is the field's room."""
    return replace(template, fields=(field,))


@pytest.fixture
def sheet(library):
    """A template to print single fields on, with its module."""
    module = library.get("weekly-check-in")
    return module.homework[0], module


def test_every_sheet_in_the_library_has_the_same_room_in_large_print(library, ctx):
    large = replace(ctx, large_print=True)
    for module in library:
        for template in module.homework:
            normal = room(worksheet_html(template, module, ctx))
            assert room(worksheet_html(template, module, large)) == normal, template.key
            assert room(worksheet_html(template, module, replace(ctx, in_office=True, large_print=True))) == room(
                worksheet_html(template, module, replace(ctx, in_office=True))), template.key


@pytest.mark.parametrize("max_length, lines, expected", [
    (200, None, 4), (500, None, 4), (501, None, 8), (2000, None, 8), (2001, None, 14), (5000, None, 14),
    (5000, 26, 26), (300, 10, 10),
])
def test_a_long_answer_gets_lines_by_its_length_or_as_many_as_it_asks(sheet, ctx, max_length, lines, expected):
    template, module = sheet
    field = FormField(name="story", label="A story", kind="long_text", max_length=max_length, lines=lines)
    for large_print in (False, True):  # large print: bigger lines, never fewer (it used to drop 6 to 4)
        html = worksheet_html(only(template, field), module, replace(ctx, large_print=large_print))
        assert html.count('class="line"') == expected


def test_the_library_sheets_room_for_long_answers_lists_and_trackers(library, ctx):
    letter = library.template("letters-when-talking-is-hard/letter-to-partner")
    module = library.get(letter.module_slug)
    text = letter.fields[0]
    for large_print in (False, True):
        html = worksheet_html(only(letter, text), module, replace(ctx, large_print=large_print))
        assert html.count('class="line"') == 26
    pdf = worksheet_pdf(letter, module, ctx)
    pages = page_texts(pdf)
    on_its_page = next(p for p in pages if text.label in p)
    assert letter.title not in on_its_page  # a letter gets a page of its own
    gratitude = library.get("daily-gratitude")
    for large_print in (False, True):
        html = worksheet_html(gratitude.homework[0], gratitude, replace(ctx, large_print=large_print))
        lists = [f for f in gratitude.homework[0].fields if f.kind == "list"]
        assert html.count('class="numbered"') == sum(f.items for f in lists)
        assert html.count('class="box"') == 7


def test_a_conflict_log_prints_a_ruled_table_with_a_row_per_entry(library, ctx):
    template = library.template("repair-and-talking-after-a-fight/conflict-log")
    module = library.get(template.module_slug)
    log = template.fields[0]
    for large_print in (False, True):
        html = worksheet_html(only(template, log), module, replace(ctx, large_print=large_print))
        assert html.count('class="ruled-row"') == log.rows == 3
        headings = re.findall(r'<th scope="col" class="col-\w+">([^<]+)</th>', html)
        assert headings == [h for _, h in CONFLICT_LOG_COLUMNS]
        table = html.split('<table class="ruled', 1)[1].split("</table>", 1)[0]
        assert table.count("<td>") == 3 * 5
    text = text_of(worksheet_pdf(template, module, ctx))
    assert "Date What happened What I felt What I needed One repair" in text


def test_a_two_column_list_prints_two_ruled_columns(library, ctx):
    template = library.template("fighting-fair/my-part-what-i-need")
    module = library.get(template.module_slug)
    pairs = template.fields[0]
    for large_print in (False, True):
        html = worksheet_html(only(template, pairs), module, replace(ctx, large_print=large_print))
        assert html.count('class="ruled-row"') == 4
        assert re.findall(r'<th scope="col" class="col-\w+">([^<]+)</th>', html) == ["My part", "What I need"]
    assert "My part What I need" in text_of(worksheet_pdf(template, module, ctx))


def test_a_card_prints_several_copies_on_one_page_to_cut_out(library, ctx):
    template = library.template("flooding-and-self-soothing/time-out-card")
    module = library.get(template.module_slug)
    card = template.fields[0]
    pdf = worksheet_pdf(template, module, ctx)
    (page,) = page_texts(pdf)
    assert CARD_COPIES == 4
    for prompt in card.prompts:
        assert page.count(prompt) == CARD_COPIES
    assert page.count(f"{card.label} {card.prompts[0]}") == CARD_COPIES  # each card's title, then its prompts
    assert "cut them out along the dashed lines" in page
    html = worksheet_html(template, module, ctx)
    assert html.count('class="wallet-card"') == CARD_COPIES
    assert html.count('class="card-line"') == CARD_COPIES * len(card.prompts)
    # Large print: the same cards, bigger; more pages, never fewer cards.
    large = worksheet_pdf(template, module, replace(ctx, large_print=True))
    assert len(reader(large).pages) > 1
    for prompt in card.prompts:
        assert text_of(large).count(prompt) == CARD_COPIES


def test_a_fillable_sheet_has_a_labelled_form_field_per_box(library, ctx):
    for key, count in (("flooding-and-self-soothing/time-out-card", 4), ("repair-and-talking-after-a-fight/conflict-log", 15),
                       ("fighting-fair/my-part-what-i-need", 8)):
        template = library.template(key)
        module = library.get(template.module_slug)
        parts = template.fields[0]
        pdf = worksheet_pdf(only(template, parts), module, ctx, fillable=True)
        fields = [ref.get_object() for ref in reader(pdf).trailer["/Root"]["/AcroForm"]["/Fields"]]
        assert len(fields) == count == parts.box_count
        assert len({f["/T"] for f in fields}) == count
        labels = [str(f["/TU"]) for f in fields]
        assert all(label.startswith(parts.label + ", ") for label in labels), labels
    log = library.template("repair-and-talking-after-a-fight/conflict-log").fields[0]
    html = worksheet_html(only(library.template("repair-and-talking-after-a-fight/conflict-log"), log),
                          library.get("repair-and-talking-after-a-fight"), ctx, fillable=True)
    assert 'title="The fights this week, entry 2: What I felt"' in html


def test_the_letters_fillable_box_is_a_page_tall(library, ctx):
    letter = library.template("letters-when-talking-is-hard/letter-to-partner")
    html = worksheet_html(letter, library.get(letter.module_slug), ctx, fillable=True)
    assert 'style="height: 54.6em"' in html  # 26 lines of 2.1em


@pytest.mark.parametrize("kind, options", [
    ("card", {"prompts": ("Where I go", "Who I call")}),
    ("conflict_log", {"rows": 2}),
    ("two_column", {"rows": 2}),
])
def test_safety_and_private_rules_hold_for_the_kinds_in_parts(library, ctx, kind, options):
    module = library.get("weekly-check-in")
    base = module.homework[0]
    spec = dict(kind=kind, max_length=100, **options)
    sealed = FormField(name="plan", label="My safety plan", safety=True, required=False, **spec)
    mine = FormField(name="mine", label="Only for my therapist", private=True, required=False, **spec)
    shared = FormField(name="ours", label="Ours", **spec)
    template = replace(base, who="each", fields=(shared, sealed, mine))
    home = worksheet_html(template, module, ctx)
    assert "My safety plan" not in home and SAFETY_ASKED_IN_PRIVATE in home  # never on a take-home sheet
    assert "Only for my therapist" in home and "Only your therapist sees this answer." in home
    office = worksheet_html(template, module, replace(ctx, in_office=True))
    assert "My safety plan" in office
    assert sum(room(office).values()) == 3 * sum(room(worksheet_html(only(template, shared), module, ctx)).values())
    joint = replace(template, who="joint", fields=(shared, mine))
    shared_sheet = worksheet_html(joint, module, ctx)
    assert JOINT_PRIVATE_NOTE in shared_sheet  # a shared sheet gives a private question no room
    assert room(shared_sheet) == room(worksheet_html(only(joint, shared), module, ctx))
    assert (shared.therapist_only, sealed.therapist_only, mine.therapist_only) == (False, True, True)
