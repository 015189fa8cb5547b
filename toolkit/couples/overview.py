"""Everything the couple's page shows, gathered in a fixed number of queries."""
from dataclasses import dataclass
from datetime import datetime

from ..homework.models import HomeworkRow
from ..homework.progress import completion_by_partner
from ..homework.services import SinceLastTime, homework_rows, since_last_session
from ..measures.services import Chart, Series, chart, series_for
from ..sessions.models import SessionRow
from ..sessions.services import session_rows
from .models import Couple


@dataclass
class PartnerProgress:
    """One partner's column of the progress card: their check-in scores, chart and homework done."""

    series: Series
    chart: Chart
    done: int
    due: int

    @property
    def partner(self):
        return self.series.partner

    @property
    def percent_done(self) -> int | None:
        return int(100 * self.done / self.due + 0.5) if self.due else None  # half up, as people round


@dataclass
class CoupleOverview:
    upcoming: list[SessionRow]
    past: list[SessionRow]
    assignments: list[HomeworkRow]
    since: SinceLastTime
    partners: list[PartnerProgress]  # in partner order


def couple_overview(couple: Couple, now: datetime) -> CoupleOverview:
    sessions = session_rows(couple.id)
    upcoming = [s for s in sessions if s.status == "planned" and s.starts_at >= now]
    past = [s for s in sessions if s not in upcoming][::-1]
    held = [s.starts_at for s in sessions if s.status == "held" and s.starts_at <= now]
    assignments = homework_rows(couple)
    since = since_last_session(couple, assignments, max(held) if held else None, now.date())
    completion = {partner.id: (done, due) for partner, done, due in
                  completion_by_partner(couple, assignments, now.date())}
    partners = [PartnerProgress(s, chart(s), *completion[s.partner.id]) for s in series_for(couple)]
    return CoupleOverview(upcoming, past, assignments, since, partners)


