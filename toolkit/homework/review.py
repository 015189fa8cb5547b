"""The review page's table: one row per question, one cell per copy of the homework.

What each cell holds (an answer, a draft, nothing yet), whose therapist-only answers a joint
copy has, and how far apart two partners' ratings are, are decided here rather than in the
template, so the page only lays them out.
"""
from dataclasses import dataclass, field
from typing import Any

from ..couples.models import Couple
from ..library.models import FormField, HomeworkTemplate
from .models import Assignment

# Two partners' ratings this far apart (or more) are marked for the therapist to ask about.
BIG_GAP = 3


@dataclass(frozen=True)
class ReviewCell:
    """One copy's answer to one question: "answered", "draft" (saved, not sent) or "not_started"."""

    state: str
    value: Any = None
    by_partner: tuple[tuple[str, Any], ...] = ()  # a joint copy's therapist-only answers, each partner's

    @property
    def per_partner(self) -> bool:
        return bool(self.by_partner)


@dataclass(frozen=True)
class ReviewRow:
    spec: FormField
    cells: tuple[ReviewCell, ...]
    gap: int | None = None  # two partners' ratings apart by this much; None when there is no pair

    @property
    def big_gap(self) -> bool:
        return self.gap is not None and self.gap >= BIG_GAP


@dataclass(frozen=True)
class ReviewTable:
    rows: tuple[ReviewRow, ...]
    compares_two: bool  # two partners' copies side by side: the table has a gap column
    earlier: dict = field(default_factory=dict)  # assignment id -> [(field name, answer)] no longer asked


def review_table(template: HomeworkTemplate, batch: list[Assignment], couple: Couple) -> ReviewTable:
    compares_two = len(batch) == 2
    rows = []
    for spec in template.fields:
        cells = tuple(_cell(spec, item, couple) for item in batch)
        rows.append(ReviewRow(spec, cells, _gap(spec, cells) if compares_two else None))
    return ReviewTable(tuple(rows), compares_two, _earlier_answers(template, batch))


def _cell(spec: FormField, item: Assignment, couple: Couple) -> ReviewCell:
    if not item.is_done:
        return ReviewCell("draft" if item.status == "started" else "not_started")
    if not spec.therapist_only:
        return ReviewCell("answered", (item.answers or {}).get(spec.name))
    if item.is_joint:  # each partner's private answer to a joint form is kept apart
        return ReviewCell("answered", by_partner=tuple(
            (p.first_name, item.private_answers_of(p.id).get(spec.name)) for p in couple.partners))
    return ReviewCell("answered", item.private_answers_of(item.partner_id).get(spec.name))


def _gap(spec: FormField, cells: tuple[ReviewCell, ...]) -> int | None:
    values = [c.value for c in cells if c.state == "answered" and not c.per_partner]
    if spec.kind != "scale" or len(values) != 2 or None in values:
        return None
    try:
        return abs(int(values[0]) - int(values[1]))
    except (TypeError, ValueError):
        return None


def _earlier_answers(template: HomeworkTemplate, batch: list[Assignment]) -> dict:
    """Answers to questions the form no longer asks (kept from an older form), so none is hidden."""
    asked = {spec.name for spec in template.fields}
    earlier = {}
    for item in batch:
        if not item.is_done:
            continue
        kept = dict(item.answers or {})
        if item.partner_id:
            kept.update(item.private_answers_of(item.partner_id))
        found = sorted((name, v) for name, v in kept.items() if name not in asked and v not in (None, "", []))
        if found:
            earlier[item.id] = found
    return earlier
