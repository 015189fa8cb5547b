"""Handouts, worksheets, guides and packets: what a client or therapist reads on the page."""
import re
from dataclasses import replace

import pytest

from toolkit.pdf.documents import (
    IN_OFFICE_BANNER, SAFETY_ASKED_IN_PRIVATE, THERAPIST_ONLY_NOTE, PrintContext, WorksheetPart, guide_pdf, handout_html, handout_pdf,
    packet, worksheet_html, worksheet_pdf,
)
from toolkit.pdf.render import render_traced

from .conftest import page_texts, reader, text_of

LETTER = (612, 792)
A4 = (595, 842)


def page_size(pdf: bytes) -> tuple[int, int]:
    box = reader(pdf).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def inputs_for(field) -> int:
    """How many things a person fills in for a field: a line per list item, a box per day."""
    return field.items if field.kind == "list" else 7 if field.kind == "tracker" else 1


def expected_inputs(template, joint: bool) -> int:
    """How many form fields a fillable sheet has: none for safety questions (never on a take-home
    sheet), and on a shared sheet none for therapist-only ones."""
    return sum(inputs_for(f) for f in template.fields if not f.safety and not (joint and f.therapist_only))


def test_a_handout_is_personalised_and_numbered(library, ctx):
    module = library.get("weekly-check-in")
    pdf = handout_pdf(module, ctx)
    text = text_of(pdf)
    for expected in (module.title, "Sam Rivera & Alex Chen", "Dr. Jo Park, LMFT", "Northside Couples Therapy",
                     "March 3, 2026"):
        assert expected in text
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert page_size(pdf) == LETTER
    assert page_size(handout_pdf(module, replace(ctx, paper="A4"))) == A4
    assert reader(pdf).metadata.title == module.title


def test_paper_is_letter_or_a4():
    with pytest.raises(ValueError):
        PrintContext(paper="Legal")


def test_a_partners_worksheet_has_room_for_every_field_and_the_partners_details(library, ctx):
    module = library.get("fighting-fair")
    template = module.homework[0]
    pdf = worksheet_pdf(template, module, ctx)
    text = text_of(pdf)
    for expected in (template.title, "Alex Chen", "March 10, 2026", "Weekly", template.instructions[:40],
                     "You can fill this in online instead", ctx.link_url):
        assert expected in text
    for field in template.fields:
        assert (field.label in text) is (not field.safety), field.label
    assert SAFETY_ASKED_IN_PRIVATE in text  # a take-home sheet says the therapist will ask in private
    private = next(f for f in template.fields if f.private and not f.safety)
    assert text.split(private.label, 1)[1].lstrip().startswith(THERAPIST_ONLY_NOTE)
    assert "AcroForm" not in reader(pdf).trailer["/Root"]  # only the fillable variant has form fields


def test_the_in_office_sheet_has_the_safety_questions_and_no_link(library, ctx):
    module = library.get("fighting-fair")
    template = module.homework[0]
    text = text_of(worksheet_pdf(template, module, replace(ctx, in_office=True)))
    assert IN_OFFICE_BANNER in text and ctx.link_url not in text and "online instead" not in text
    safety = next(f for f in template.fields if f.safety)
    assert text.split(safety.label, 1)[1].lstrip().startswith(THERAPIST_ONLY_NOTE)
    assert SAFETY_ASKED_IN_PRIVATE not in text


def test_each_field_kind_prints_its_own_answer_space(library, ctx):
    module = library.get("daily-gratitude")
    template = module.homework[0]
    html = worksheet_html(template, module, ctx)
    kinds = {f.kind for f in template.fields}
    assert {"tracker", "list", "scale", "short_text", "long_text"} <= kinds
    assert html.count('class="box"') == 7
    scale = next(f for f in template.fields if f.kind == "scale")
    assert html.count('class="num"') == scale.max - scale.min + 1
    text = text_of(worksheet_pdf(template, module, ctx))
    assert all(f"Day {n}" in text for n in range(1, 8))
    assert scale.min_label in text and scale.max_label in text
    assert "Circle one number." in text
    choice_module = library.get("fighting-fair")
    choice = next(f for f in choice_module.homework[0].fields if f.kind == "choice")
    choice_text = text_of(worksheet_pdf(choice_module.homework[0], choice_module, replace(ctx, in_office=True)))
    assert all(c in choice_text for c in choice.choices) and "Yes No" in choice_text


def test_a_joint_worksheet_leaves_safety_questions_off_and_says_both_of_you(library, ctx):
    module = library.get("fighting-fair")
    joint = replace(module.homework[0], who="joint")
    text = text_of(worksheet_pdf(joint, module, ctx))
    assert "Both of you" in text
    for field in joint.fields:
        assert (field.label in text) is (not field.safety)
    private = replace(library.get("both-and-compromise").homework[0])
    assert private.is_joint and any(f.private for f in private.fields)
    html = worksheet_html(private, library.get("both-and-compromise"), ctx)
    assert "not for this shared sheet" in html


def test_the_qr_code_decodes_to_the_partners_link(library, ctx):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    module = library.get("weekly-check-in")
    pdf = worksheet_pdf(module.homework[0], module, ctx)
    assert ctx.link_url in text_of(pdf)
    image = reader(pdf).pages[0].images[0].image.convert("L")
    image = image.resize((image.width * 8, image.height * 8), Image.NEAREST)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [ctx.link_url]


def test_a_worksheet_without_a_link_has_no_qr_code(library, ctx):
    module = library.get("weekly-check-in")
    pdf = worksheet_pdf(module.homework[0], module, replace(ctx, link_url=None))
    assert "online instead" not in text_of(pdf)
    assert not reader(pdf).pages[0].images


@pytest.mark.parametrize("slug, joint", [("fighting-fair", False), ("daily-gratitude", False),
                                         ("both-and-compromise", True), ("quality-time", True)])
def test_a_fillable_worksheet_has_one_labelled_form_field_per_input(library, ctx, slug, joint):
    module = library.get(slug)
    template = module.homework[0]
    assert template.is_joint is joint
    pdf = worksheet_pdf(template, module, ctx, fillable=True)
    fields = [ref.get_object() for ref in reader(pdf).trailer["/Root"]["/AcroForm"]["/Fields"]]
    assert len(fields) == expected_inputs(template, joint)
    assert len({f["/T"] for f in fields}) == len(fields)
    labels = [str(f["/TU"]) for f in fields]
    for field in template.fields:
        if not field.safety and not (joint and field.private):
            assert any(label.startswith(field.label) for label in labels), field.label
        if field.safety:
            assert not any(label.startswith(field.label) for label in labels), field.label
    for field, label in zip(fields, labels):
        assert label and label != field["/T"]  # a readable name, not the machine name
    marked = [label for label in labels if THERAPIST_ONLY_NOTE in label]
    assert len(marked) == (0 if joint else sum(inputs_for(f) for f in template.fields if f.private and not f.safety))


def test_the_guide_is_for_the_therapist_only(library, ctx):
    modules = [library.get("weekly-check-in"), library.get("fighting-fair")]
    text = text_of(guide_pdf(modules, ctx))
    assert text.count("For the therapist only") >= 2
    for module in modules:
        assert module.title in text
        first_words = re.sub(r"[#*_`>]", "", module.guide_md).split()[:4]
        assert " ".join(first_words) in text


def test_a_packet_has_a_cover_with_the_right_page_numbers(library, ctx):
    modules = [library.get("weekly-check-in"), library.get("daily-gratitude")]
    worksheet_module = library.get("quality-time")
    worksheets = [WorksheetPart(modules[0].homework[0], modules[0], ctx),
                  WorksheetPart(modules[0].homework[0], modules[0], replace(ctx, partner_name="Sam Rivera")),
                  WorksheetPart(worksheet_module.homework[0], worksheet_module, ctx)]
    cover_ctx = replace(ctx, note_to_couple="Dear both,\nplease <b>try</b> the check-in.\n\nJo")
    pdf = packet(cover_ctx, modules, worksheets)
    pages = page_texts(pdf)
    cover = pages[0]
    for expected in ("Session 4", "Sam Rivera & Alex Chen", "March 3, 2026", "Dr. Jo Park, LMFT",
                     "please <b>try</b> the check-in."):
        assert expected in cover
    titles = [m.title for m in modules] + [w.template.title for w in worksheets]
    listed = re.findall(r"(?<!as )page (\d+)", cover)  # not "counts this cover as page 1"
    assert len(listed) == len(titles)
    for title, page in zip(titles, map(int, listed)):
        assert pages[page - 1].startswith(title), (title, page)
    assert "Worksheet for Alex Chen" in cover and "Worksheet for Sam Rivera" in cover
    assert "Worksheet for both of you" in cover
    singles = [handout_pdf(m, cover_ctx) for m in modules]
    assert len(pages) == 1 + sum(len(reader(s).pages) for s in singles) + sum(
        len(reader(worksheet_pdf(w.template, w.module, w.ctx)).pages) for w in worksheets)


def computed_styles(html: str):
    """WeasyPrint's computed style of every paragraph and list item of a document."""
    from weasyprint import CSS, HTML

    from toolkit.pdf.render import STYLESHEET

    stylesheet = CSS(string=re.sub(r"@font-face[^}]*}", "", STYLESHEET.read_text()))  # sizes, not glyphs
    document = HTML(string=html).render(stylesheets=[stylesheet])
    styles = []

    def walk(box):
        if getattr(box, "element_tag", None) in ("p", "li") and box.style:
            styles.append(box.style)
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return styles


def body_font_sizes(pdf: bytes) -> dict[float, int]:
    """Characters drawn at each effective font size (points), from the content streams."""
    sizes: dict[float, int] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            effective = round(abs(size * (tm[3] or 1) * (cm[3] or 1)), 1)
            sizes[effective] = sizes.get(effective, 0) + len(text.strip())

    for page in reader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_large_print_is_18pt_sans_serif_single_column_and_ragged_right(library, ctx):
    large = replace(ctx, large_print=True)
    module = library.get("weekly-check-in")
    for html in (handout_html(module, large), worksheet_html(module.homework[0], module, large)):
        styles = computed_styles(html)
        assert styles
        for style in styles:
            assert style["font_size"] >= 24  # CSS pixels: 18 pt
            assert "Toolkit Sans" in style["font_family"]
            assert style["text_align_all"] == "left"
            assert style["column_count"] == "auto"
    sizes = body_font_sizes(handout_pdf(module, large))
    body = max(sizes, key=sizes.get)
    assert body >= 18
    assert sum(n for size, n in sizes.items() if size >= 18) / sum(sizes.values()) > 0.9
    normal = body_font_sizes(handout_pdf(module, ctx))
    assert max(normal, key=normal.get) < 18
    in_packet = body_font_sizes(packet(large, [module], [WorksheetPart(module.homework[0], module, ctx)]))
    assert max(in_packet, key=in_packet.get) >= 18


def test_fonts_are_bundled_and_subset(library, ctx):
    module = library.get("weekly-check-in")
    rendered = render_traced(handout_html(module, ctx))
    fonts = set()
    for page in reader(rendered.pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+Toolkit-Sans(-Bold|-Oblique)?", f) for f in fonts), fonts


def test_packet_parts_are_split_into_ordered_groups_of_similar_size(library, ctx):
    from toolkit.pdf.documents import _packet_parts, _split

    parts = _packet_parts(ctx, list(library)[:7], [])
    for groups in (1, 2, 3):
        chunks = _split(parts, groups)
        assert [p for chunk in chunks for p in chunk] == parts and len(chunks) == groups
    sizes = [sum(len(p.html) for p in chunk) for chunk in _split(parts, 2)]
    assert max(sizes) < 0.7 * sum(sizes)
    assert _split([], 2) == [] and len(_split(parts[:1], 4)) == 1


def test_a_packet_of_nothing_is_its_cover(ctx):
    pdf = packet(ctx, [], [])
    assert len(reader(pdf).pages) == 1 and "What is inside" in text_of(pdf)


def test_every_part_of_a_packet_numbers_its_own_pages(library, ctx):
    modules = [library.get("weekly-check-in"), library.get("daily-gratitude"), library.get("fighting-fair")]
    pages = page_texts(packet(ctx, modules, []))
    footers = [re.search(r"Page (\d+) of (\d+)", page).groups() for page in pages]
    assert footers[0] == ("1", "1")  # the cover
    expected = []
    for module in modules:
        count = len(reader(handout_pdf(module, ctx)).pages)
        expected += [(str(n), str(count)) for n in range(1, count + 1)]
    assert footers[1:] == expected


def test_fonts_are_subset_by_harfbuzz(library, ctx, monkeypatch):
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    from toolkit.pdf.render import STATIC_DIR, _write_pdf

    assert harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)
    calls = []
    monkeypatch.setattr(pdf_fonts.Font, "_fonttools_subset", lambda *a: calls.append("fontTools"))
    real = pdf_fonts.Font._harfbuzz_subset
    monkeypatch.setattr(pdf_fonts.Font, "_harfbuzz_subset", lambda *a: (calls.append("HarfBuzz"), real(*a))[1])
    pdf = _write_pdf(handout_html(library.get("weekly-check-in"), ctx)).pdf  # what a worker runs
    assert calls and set(calls) == {"HarfBuzz"}
    full = (STATIC_DIR / "fonts" / "DejaVuSans.ttf").stat().st_size
    for page in reader(pdf).pages[:1]:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert len(descriptor["/FontFile2"].get_object().get_data()) < full / 5
