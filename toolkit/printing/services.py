"""From the app's records to print contexts and cached PDFs (the renderer knows no models)."""
from dataclasses import replace
from pathlib import Path

from flask import current_app

from ..couples.models import Couple, Partner
from ..couples.progress import progress_summary
from ..extensions import db
from ..homework.models import Assignment
from ..homework.versions import form_of
from ..library import get_library
from ..partners.services import link_url, live_link
from ..pdf.cache import cache_dir_for, cached_pdf
from ..pdf.documents import (
    PrintContext,
    WorksheetPart,
    guide_pdf,
    handout_pdf,
    note_pdf,
    packet,
    progress_pdf,
    worksheet_pdf,
)
from ..sessions.models import TherapySession
from ..timeutil import utcnow


def context_for(couple: Couple, therapist, *, large_print: bool = False, partner: Partner | None = None,
                **values) -> PrintContext:
    """Who a document is for: the couple, or one partner alone (then no other name is printed)."""
    return PrintContext(
        couple_names=partner.first_name if partner else couple.name,
        partner_name=partner.first_name if partner else None,
        crisis_text=current_app.config["CRISIS_RESOURCES"],
        therapist_name=therapist.display_name,
        practice_name=therapist.practice_name or current_app.config["PRACTICE_NAME"],
        date=utcnow().date(),
        large_print=large_print,
        paper=current_app.config["PAPER_SIZE"],
        **values,
    )


def _cached(inputs: dict, produce) -> tuple[bytes, bool]:
    inputs = dict(inputs, library=get_library().version)
    return cached_pdf(cache_dir(), inputs, produce, current_app.config["PDF_CACHE_MAX_BYTES"])


def _ctx_inputs(ctx: PrintContext) -> dict:
    return {k: (str(v) if v is not None else None) for k, v in vars(ctx).items()}


def module_handout(couple: Couple, therapist, slug: str, large_print: bool) -> tuple[bytes, bool]:
    module = get_library().get(slug)
    ctx = context_for(couple, therapist, large_print=large_print)
    return _cached({"kind": "handout", "couple_id": couple.id, "slug": slug, **_ctx_inputs(ctx)},
                   lambda: handout_pdf(module, ctx))


def _partner_link(partner: Partner | None) -> str | None:
    link = live_link(partner) if partner else None
    return link_url(link) if link else None


def worksheet_part(assignment: Assignment, couple: Couple, therapist, large_print: bool = False,
                   in_office: bool = False) -> WorksheetPart:
    """A worksheet for whom the assignment is for: one partner (with their link) or the couple.

    The in-office sheet is the full sheet, safety questions included, for use in a session;
    it carries no link.
    """
    answered = form_of(assignment)
    template = answered.template
    partner = assignment.partner
    ctx = context_for(couple, therapist, large_print=large_print, partner=partner, due_on=assignment.due_on,
                      link_url=None if in_office else _partner_link(partner), in_office=in_office)
    if assignment.instructions:
        template = replace(template, instructions=f"{template.instructions}\n\n{assignment.instructions}")
    return WorksheetPart(template, answered.module, ctx)


def assignment_worksheet(assignment: Assignment, couple: Couple, therapist, large_print: bool,
                         fillable: bool, in_office: bool = False) -> tuple[bytes, bool]:
    part = worksheet_part(assignment, couple, therapist, large_print, in_office)
    inputs = {"kind": "worksheet", "couple_id": couple.id, "assignment": assignment.id, "fillable": fillable,
              "form": part.template.digest,
              "instructions": part.template.instructions, **_ctx_inputs(part.ctx)}
    return _cached(inputs, lambda: worksheet_pdf(part.template, part.module, part.ctx, fillable=fillable))


def packet_assignments(session: TherapySession, partner: Partner | None) -> list[Assignment]:
    """The worksheets a packet holds: the joint ones for the couple's, one partner's own for theirs."""
    whose = Assignment.partner_id.is_(None) if partner is None else Assignment.partner_id == partner.id
    return db.session.execute(
        db.select(Assignment).where(Assignment.session_id == session.id, whose).order_by(Assignment.id)
    ).scalars().all()


def session_packet(session: TherapySession, couple: Couple, therapist, large_print: bool,
                   partner: Partner | None = None) -> tuple[bytes, bool]:
    """A session's packet, for the couple or for one partner alone.

    The couple's packet: a cover with the note to the couple, each planned module's handout and
    the joint worksheets; no personal link. A partner's packet: a cover for them, the same
    handouts and that partner's own worksheets with their link; nothing of the other partner.
    """
    library = get_library()
    modules = [library.get(slug) for slug in session.module_slugs if library.get(slug)]
    assignments = packet_assignments(session, partner)
    worksheets = [worksheet_part(a, couple, therapist, large_print) for a in assignments]
    label = f"Session {session.number} · {session.starts_at.strftime('%A %B %-d, %Y')}"
    ctx = context_for(couple, therapist, large_print=large_print, partner=partner,
                      note_to_couple=None if partner else session.note_to_couple,
                      session_label=f"{label} · For {partner.first_name}" if partner else label)
    inputs = {"kind": "packet", "couple_id": couple.id, "session": session.id, "modules": [m.slug for m in modules],
              "partner": partner.id if partner else None,
              "worksheets": [(a.id, w.template.instructions, _ctx_inputs(w.ctx)) for a, w in zip(assignments, worksheets)],
              **_ctx_inputs(ctx)}
    return _cached(inputs, lambda: packet(ctx, modules, worksheets))


def session_guide(session: TherapySession, couple: Couple, therapist) -> tuple[bytes, bool]:
    library = get_library()
    modules = [library.get(slug) for slug in session.module_slugs if library.get(slug)]
    ctx = context_for(couple, therapist, session_label=f"Session {session.number}")
    return _cached({"kind": "guide", "couple_id": couple.id, "modules": [m.slug for m in modules],
                    **_ctx_inputs(ctx)}, lambda: guide_pdf(modules, ctx))


def session_note(note, session: TherapySession, couple: Couple, therapist) -> bytes:
    """The note as the record prints it; never cached, so what prints is what is stored now."""
    ctx = context_for(couple, therapist, session_label=f"Session {session.number}, {session.starts_at.strftime('%B %-d, %Y')}")
    return note_pdf(note, ctx)


def couple_progress(couple: Couple, therapist, client_safe: bool) -> bytes:
    """The progress summary, for the record or (client_safe) for the couple."""
    summary = progress_summary(couple, get_library(), utcnow())
    return progress_pdf(summary, context_for(couple, therapist), client_safe)


def cache_dir() -> Path:
    return Path(current_app.config.get("PDF_CACHE_DIR") or cache_dir_for(current_app.instance_path))
