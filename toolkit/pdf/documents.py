"""The printed documents: pure functions from library objects and a PrintContext to HTML or PDF.

HTML comes from templates/pdf/ through a Jinja environment of our own with autoescaping on,
so every name, note and label is escaped; module Markdown arrives already sanitised as
Markup. Each document is one or more parts (templates/pdf/document.html), each numbering its
own pages. Nothing here reads a Flask request or the application context.
"""
import datetime
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .. import TEMPLATES_DIR
from ..library.models import FREQUENCIES, HomeworkTemplate, Module
from .render import join_pdfs, render_many_traced, render_pdf, render_traced, worker_count

PAGE_SIZES = {"Letter": "letter", "A4": "A4"}
THERAPIST_ONLY_NOTE = "Only your therapist sees this answer."
JOINT_PRIVATE_NOTE = ("Only your therapist sees this answer, so it is not for this shared sheet: "
                      "answer it online with your own link, or on a separate page for your therapist.")
# What a take-home sheet prints where its safety questions would be: they are asked online or
# in the office, never on paper that someone else at home could read.
SAFETY_ASKED_IN_PRIVATE = ("Your therapist will also ask you a few questions about safety, "
                           "in private, at your next session.")
IN_OFFICE_BANNER = "For use in the office with your therapist. Please do not take this sheet home."


@dataclass(frozen=True)
class PrintContext:
    """Who and when a document is for; everything personal that gets printed."""

    couple_names: str = ""
    partner_name: str | None = None
    therapist_name: str = ""
    practice_name: str = ""
    date: datetime.date = field(default_factory=datetime.date.today)
    due_on: datetime.date | None = None
    link_url: str | None = None
    note_to_couple: str | None = None
    session_label: str | None = None
    large_print: bool = False
    paper: str = "Letter"
    # The full sheet, safety questions included, filled in during a session and kept by the
    # therapist; it carries no link.
    in_office: bool = False
    # The practice's crisis resources, printed at the end of a handout that asks for them.
    crisis_text: str | None = None

    def __post_init__(self):
        if self.paper not in PAGE_SIZES:
            raise ValueError(f"paper must be one of {', '.join(PAGE_SIZES)}, not {self.paper!r}")


class WorksheetPart(NamedTuple):
    """A worksheet to put in a packet: the template, its module and whom it is for."""

    template: HomeworkTemplate
    module: Module
    ctx: PrintContext


class _Item(NamedTuple):
    """A question as printed: the field (None for a line of text only), a note, and whether to leave room."""

    field: object
    note: str | None
    answer_here: bool


class _Part(NamedTuple):
    """One part of a packet: its title, what kind of part it is, and its HTML fragment."""

    title: str
    kind: str
    html: Markup


class ContentsEntry(NamedTuple):
    """A line of a packet's contents."""

    title: str
    kind: str
    page: int


def long_date(value: datetime.date) -> str:
    """March 3, 2026 (no leading zero, no locale surprises)."""
    return f"{value:%B} {value.day}, {value.year}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    return env


_env = _environment()


def _fragment(name: str, ctx: PrintContext, **values) -> Markup:
    """A part's HTML from its template (escaped there, so safe to place in a document)."""
    return Markup(_env.get_template(f"pdf/{name}").render(ctx=ctx, **values))  # noqa: S704 - autoescaped template


def _document(ctx: PrintContext, title: str, parts: list[Markup], *, therapist_only: bool = False) -> str:
    """A whole HTML document of one or more parts."""
    return _env.get_template("pdf/document.html").render(
        ctx=ctx, doc_title=title, parts=parts, page_size=PAGE_SIZES[ctx.paper], therapist_only=therapist_only)


def _handout(module: Module, ctx: PrintContext) -> Markup:
    return _fragment("handout.html", ctx, module=module)


def handout_html(module: Module, ctx: PrintContext) -> str:
    """The client handout of one module, with the couple's, therapist's and practice's names."""
    return _document(ctx, module.title, [_handout(module, ctx)])


def guide_html(modules: list[Module], ctx: PrintContext) -> str:
    """The facilitator guides of several modules, each headed "For the therapist only"."""
    title = "Facilitator guide" if len(modules) == 1 else "Facilitator guides"
    return _document(ctx, f"{title} (for the therapist only)", [_fragment("guide.html", ctx, modules=modules)],
                     therapist_only=True)


def _worksheet_items(template: HomeworkTemplate, in_office: bool = False) -> list[_Item]:
    """Which questions a sheet prints, and how.

    A sheet that goes home never holds a safety question: one line in their place says the
    therapist will ask in private (only the in-office sheet prints them). A partner's own sheet
    prints private questions with a note. A joint sheet is seen by both partners, so a private
    question gets no writing room there, only where to answer it.
    """
    items = []
    for form_field in template.fields:
        if form_field.safety and not in_office:
            if not any(item.field is None for item in items):
                items.append(_Item(None, SAFETY_ASKED_IN_PRIVATE, False))
        elif template.is_joint and form_field.private:
            items.append(_Item(form_field, JOINT_PRIVATE_NOTE, False))
        else:
            items.append(_Item(form_field, THERAPIST_ONLY_NOTE if form_field.therapist_only else None, True))
    return items


def qr_png_data_url(text: str) -> str:
    """A QR code as a PNG data URL (the PDF fetcher accepts PNG data and nothing richer).

    One pixel per module keeps it tiny; the CSS scales it up without smoothing.
    """
    return segno.make(text, error="m").png_data_uri(scale=1, border=4)


def _worksheet(template: HomeworkTemplate, module: Module, ctx: PrintContext, fillable: bool) -> Markup:
    return _fragment(
        "worksheet.html", ctx, template=template, module=module, fillable=fillable,
        who="Both of you" if template.is_joint else (ctx.partner_name or "You"), in_office_banner=IN_OFFICE_BANNER,
        frequency=FREQUENCIES.get(template.frequency, template.frequency),
        items=_worksheet_items(template, ctx.in_office),
        qr_png=qr_png_data_url(ctx.link_url) if ctx.link_url and not ctx.in_office else None,
    )


def worksheet_html(template: HomeworkTemplate, module: Module, ctx: PrintContext, fillable: bool = False) -> str:
    """A homework worksheet with room to write, or PDF form fields when `fillable`."""
    return _document(ctx, template.title, [_worksheet(template, module, ctx, fillable)])


def cover_html(ctx: PrintContext, entries: list[ContentsEntry]) -> str:
    """A packet's cover: the couple, date, therapist, the note to the couple and the contents."""
    return _document(ctx, ctx.session_label or "Session packet", [_fragment("cover.html", ctx, entries=entries)])


def _packet_parts(cover_ctx: PrintContext, modules: list[Module], worksheets: list[WorksheetPart]) -> list[_Part]:
    """Every part after the cover, in packet order."""
    parts = [_Part(m.title, "Handout", _handout(m, cover_ctx)) for m in modules]
    for w in worksheets:
        # One packet, one look: the packet's paper and print size win over each sheet's own.
        ctx = replace(w.ctx, large_print=cover_ctx.large_print, paper=cover_ctx.paper)
        whom = "both of you" if w.template.is_joint else (ctx.partner_name or "you")
        parts.append(_Part(w.template.title, f"Worksheet for {whom}", _worksheet(w.template, w.module, ctx, False)))
    return parts


def _split(parts: list[_Part], groups: int) -> list[list[_Part]]:
    """Consecutive groups of parts of about equal size, one per worker.

    A group renders as one document: several short documents cost a quarter more than one
    document of the same pages, and order is kept so the groups join back in sequence.
    """
    if not parts:
        return []
    total = sum(len(p.html) for p in parts)
    chunks: list[list[_Part]] = [[]]
    done = 0
    for part in parts:
        if chunks[-1] and done >= total * len(chunks) / groups:
            chunks.append([])
        chunks[-1].append(part)
        done += len(part.html)
    return chunks


def _page_counts(chunk: list[_Part], rendered) -> list[int]:
    """Each part's page count, from where its anchor landed in the rendered group."""
    starts = [rendered.anchors[f"part-{i}"] for i in range(1, len(chunk) + 1)] + [rendered.pages]
    return [end - start for start, end in zip(starts, starts[1:])]


def _cover(cover_ctx: PrintContext, parts: list[_Part], counts: list[int]) -> bytes:
    """Render the cover with each part's first page; again if the cover is longer than assumed."""
    cover_pages = 1
    for _ in range(3):
        entries, page = [], cover_pages + 1
        for part, count in zip(parts, counts):
            entries.append(ContentsEntry(part.title, part.kind, page))
            page += count
        rendered = render_traced(cover_html(cover_ctx, entries))
        if rendered.pages == cover_pages:
            break
        cover_pages = rendered.pages
    return rendered.pdf


def packet(cover_ctx: PrintContext, modules: list[Module], worksheets: list[WorksheetPart]) -> bytes:
    """One PDF for a planned session: a cover, each module's handout, then each worksheet.

    The parts render first, in parallel (a group of consecutive parts per core); the cover
    comes last because its contents list needs their page counts. Bookmarks come from each
    part's headings.
    """
    parts = _packet_parts(cover_ctx, modules, worksheets)
    chunks = _split(parts, worker_count())
    title = cover_ctx.session_label or "Session packet"
    rendered = render_many_traced([_document(cover_ctx, title, [p.html for p in chunk]) for chunk in chunks])
    counts = [n for chunk, r in zip(chunks, rendered) for n in _page_counts(chunk, r)]
    cover = _cover(cover_ctx, parts, counts)
    return join_pdfs([cover, *(r.pdf for r in rendered)], title=title)


def handout_pdf(module: Module, ctx: PrintContext) -> bytes:
    """The handout as PDF bytes."""
    return render_pdf(handout_html(module, ctx))


def worksheet_pdf(template: HomeworkTemplate, module: Module, ctx: PrintContext, fillable: bool = False) -> bytes:
    """The worksheet as PDF bytes."""
    return render_pdf(worksheet_html(template, module, ctx, fillable=fillable))


def guide_pdf(modules: list[Module], ctx: PrintContext) -> bytes:
    """The facilitator guides as PDF bytes."""
    return render_pdf(guide_html(modules, ctx))


def note_html(note, ctx: PrintContext) -> str:
    """A signed (or draft) session note with its signature line and addenda, for the record."""
    title = f"{note.format} note · {ctx.session_label or ''}".strip(" ·")
    return _document(ctx, title, [_fragment("note.html", ctx, note=note)], therapist_only=True)


def note_pdf(note, ctx: PrintContext) -> bytes:
    return render_pdf(note_html(note, ctx))


def progress_html(summary, ctx: PrintContext, client_safe: bool) -> str:
    """A couple's progress summary; the client-safe variant has no individual answers or scores."""
    return _document(ctx, "Progress summary", [_fragment("progress.html", ctx, summary=summary, client_safe=client_safe)],
                     therapist_only=not client_safe)


def progress_pdf(summary, ctx: PrintContext, client_safe: bool) -> bytes:
    return render_pdf(progress_html(summary, ctx, client_safe))
