"""The home page's data in a fixed number of queries, whatever the size of the practice.

(Couple.partners loads by `selectin`: one extra query per statement, not per couple.)
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.orm import contains_eager, raiseload

from ..couples.models import Couple, Partner
from ..extensions import db
from ..homework.models import Assignment, SafetyFlag
from ..measures.scale import CUTOFF
from ..sessions.models import TherapySession

LIST_LIMIT = 15  # a glance, not a report: each list links on to where the rest is
DAY_LIMIT = 40  # more sessions than fit in one day for one therapist


@dataclass
class ScoreAlert:
    couple: Couple
    partner_name: str
    latest: int
    previous: int | None

    @property
    def below_cutoff(self) -> bool:
        return self.latest < CUTOFF

    @property
    def falling(self) -> bool:
        return self.previous is not None and self.latest < self.previous


@dataclass
class Home:
    today: list[TherapySession]
    this_week: list[TherapySession]
    flags: list[SafetyFlag]
    to_review: list[Assignment]
    overdue: list[Assignment]
    scores: list[ScoreAlert]
    couples: dict[int, Couple]
    more: dict[str, bool]  # a list was cut at LIST_LIMIT

    @property
    def couple_names(self) -> dict[int, str]:
        return {couple_id: couple.name for couple_id, couple in self.couples.items()}


def _own(query, therapist_id):
    return query.where(Couple.therapist_id == therapist_id, Couple.archived_at.is_(None))


def home_for(therapist_id: int, now: datetime) -> Home:
    start = datetime.combine(now.date(), time.min)
    week_end = start + timedelta(days=7)
    tomorrow = start + timedelta(days=1)
    today = _sessions_between(therapist_id, start, tomorrow, DAY_LIMIT)
    this_week = _sessions_between(therapist_id, tomorrow, week_end, LIST_LIMIT)
    couples: dict[int, Couple] = {s.couple_id: s.couple for s in today + this_week}

    def with_couples(query):
        rows = db.session.execute(query).all()
        for _, couple in rows:
            couples[couple.id] = couple
        return [row[0] for row in rows]

    flags = with_couples(_own(db.select(SafetyFlag, Couple).join(Couple, Couple.id == SafetyFlag.couple_id), therapist_id)
                         .where(SafetyFlag.acknowledged_at.is_(None)).order_by(SafetyFlag.created_at))
    submitted = Assignment.status == "submitted"
    late = Assignment.status.in_(("assigned", "started")) & (Assignment.due_on < now.date())
    # One row past the limit tells "there are more" without counting the whole practice.
    to_review = with_couples(_assignments(therapist_id, submitted).order_by(Assignment.submitted_at.desc()).limit(LIST_LIMIT + 1))
    overdue = with_couples(_assignments(therapist_id, late).order_by(Assignment.due_on.desc()).limit(LIST_LIMIT + 1))
    more = {"to_review": len(to_review) > LIST_LIMIT, "overdue": len(overdue) > LIST_LIMIT}
    to_review, overdue = to_review[:LIST_LIMIT], overdue[:LIST_LIMIT]
    scores, score_total = _score_alerts(therapist_id, couples)
    more["scores"] = score_total > len(scores)
    return Home(today, this_week, flags, to_review, overdue, scores, couples, more)


def _sessions_between(therapist_id: int, start: datetime, end: datetime, limit: int) -> list[TherapySession]:
    return list(db.session.execute(
        _own(db.select(TherapySession).join(Couple, Couple.id == TherapySession.couple_id), therapist_id)
        .where(TherapySession.status == "planned", TherapySession.starts_at >= start, TherapySession.starts_at < end)
        .options(contains_eager(TherapySession.couple), raiseload(TherapySession.plan))
        .order_by(TherapySession.starts_at).limit(limit)
    ).scalars())


def _assignments(therapist_id: int, condition):
    return _own(db.select(Assignment, Couple).join(Couple, Couple.id == Assignment.couple_id), therapist_id).where(condition)


def _score_alerts(therapist_id: int, couples: dict[int, Couple]) -> tuple[list[ScoreAlert], int]:
    """Partners whose latest check-in is below the cut-off or lower than the one before, lowest first."""
    low_or_falling = (Partner.latest_score < CUTOFF) | (Partner.latest_score < Partner.previous_score)
    rows = db.session.execute(
        _own(db.select(Partner, Couple).join(Couple, Couple.id == Partner.couple_id), therapist_id)
        .where(low_or_falling).order_by(Partner.latest_score, Partner.id).limit(LIST_LIMIT + 1)
    ).all()
    for _, couple in rows:
        couples.setdefault(couple.id, couple)
    alerts = [ScoreAlert(couples[p.couple_id], p.first_name, p.latest_score, p.previous_score) for p, _ in rows]
    return alerts[:LIST_LIMIT], len(alerts)
