"""Everything the couple's page shows, gathered in a fixed number of queries."""
from dataclasses import dataclass
from datetime import date, datetime

from ..homework.models import HomeworkRow
from ..homework.services import SinceLastTime, homework_rows, since_last_session
from ..measures.services import chart, series_for
from ..sessions.models import SessionRow
from ..sessions.services import session_rows
from .models import Couple


@dataclass
class CoupleOverview:
    upcoming: list[SessionRow]
    past: list[SessionRow]
    assignments: list[HomeworkRow]
    since: SinceLastTime
    series: list  # measures.services.Series per partner
    charts: list  # measures.services.Chart per partner
    completion: list[tuple]  # (partner, done, due)


def completion_by_partner(couple: Couple, assignments: list[HomeworkRow], today: date) -> list[tuple]:
    """Per partner: homework done, out of homework done or already due (their own and joint)."""
    rows = []
    for partner in couple.partners:
        mine = [a for a in assignments if a.partner_id in (partner.id, None)]
        counted = [a for a in mine if a.is_done or a.due_on < today]
        rows.append((partner, sum(1 for a in counted if a.is_done), len(counted)))
    return rows


def couple_overview(couple: Couple, now: datetime) -> CoupleOverview:
    sessions = session_rows(couple.id)
    upcoming = [s for s in sessions if s.status == "planned" and s.starts_at >= now]
    past = [s for s in sessions if s not in upcoming][::-1]
    held = [s.starts_at for s in sessions if s.status == "held" and s.starts_at <= now]
    assignments = homework_rows(couple)
    since = since_last_session(couple, assignments, max(held) if held else None, now.date())
    series = series_for(couple)
    return CoupleOverview(upcoming, past, assignments, since, series, [chart(s) for s in series],
                          completion_by_partner(couple, assignments, now.date()))


