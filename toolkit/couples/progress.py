"""The progress summary a therapist prints: sessions, modules, homework and scores so far."""
from dataclasses import dataclass
from datetime import date, datetime

from ..homework.progress import completion_by_partner
from ..homework.services import homework_rows
from ..measures.services import Chart, Series, chart, series_for
from ..sessions.services import sessions_of
from .models import Couple


@dataclass
class ProgressSummary:
    sessions_held: int
    first_session: date | None
    modules: list[str]
    completion: list[tuple]  # (first name, done, due)
    charts: list[tuple[Series, Chart]]

    @property
    def couple_done(self) -> int:
        return sum(done for _, done, _ in self.completion)

    @property
    def couple_due(self) -> int:
        return sum(due for _, _, due in self.completion)


def progress_summary(couple: Couple, library, now: datetime) -> ProgressSummary:
    """Sessions held, modules covered, homework completion and each partner's scores."""
    held = [s for s in sessions_of(couple.id) if s.status == "held"]
    completion = [(p.first_name, done, due)
                  for p, done, due in completion_by_partner(couple, homework_rows(couple), now.date())]
    return ProgressSummary(len(held), held[0].starts_at.date() if held else None, _modules_covered(held, library),
                           completion, [(s, chart(s)) for s in series_for(couple)])


def _modules_covered(held: list, library) -> list[str]:
    """The titles of the modules the held sessions covered, in the order first covered."""
    titles = []
    for session in held:
        for slug in session.module_slugs:
            module = library.get(slug)
            if module and module.title not in titles:
                titles.append(module.title)
    return titles
