"""Everything the couple's page shows, gathered in a fixed number of queries."""
from dataclasses import dataclass
from datetime import date, datetime

from ..homework.models import Assignment
from ..homework.services import SinceLastTime, assignments_of_couple, since_last_session
from ..partners.services import link_url, live_link
from ..sessions.models import TherapySession
from ..sessions.services import sessions_of
from .models import Couple


@dataclass
class CoupleOverview:
    upcoming: list[TherapySession]
    past: list[TherapySession]
    assignments: list[Assignment]
    since: SinceLastTime
    links: list[tuple]  # (partner, link or None, url or None)


def couple_overview(couple: Couple, now: datetime) -> CoupleOverview:
    sessions = sessions_of(couple.id)
    upcoming = [s for s in sessions if s.status == "planned" and s.starts_at >= now]
    past = [s for s in sessions if s not in upcoming][::-1]
    held = [s.starts_at for s in sessions if s.status == "held" and s.starts_at <= now]
    assignments = assignments_of_couple(couple.id)
    since = since_last_session(couple, assignments, max(held) if held else None, now.date())
    links = []
    for partner in couple.partners:
        link = live_link(partner)
        links.append((partner, link, link_url(link) if link else None))
    return CoupleOverview(upcoming, past, assignments, since, links)


