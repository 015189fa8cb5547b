"""The home page's data in a fixed number of queries, whatever the size of the practice.

(Couple.partners loads by `selectin`: one extra query per statement, not per couple.)
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.orm import contains_eager, raiseload

from ..couples.models import Couple
from ..extensions import db
from ..homework.models import Assignment, SafetyFlag
from ..measures.models import Measure
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
    """Each partner's latest two scores (a window query), kept when low or falling: the lowest few, and how many."""
    ranked = (
        _own(db.select(Measure.couple_id, Measure.partner_id, Measure.score,
                       func.row_number().over(partition_by=Measure.partner_id,
                                              order_by=TherapySession.starts_at.desc()).label("rank"))
             .join(TherapySession, TherapySession.id == Measure.session_id)
             .join(Couple, Couple.id == Measure.couple_id), therapist_id)
        .subquery()
    )
    rows = db.session.execute(db.select(ranked).where(ranked.c.rank <= 2)).all()
    latest: dict[int, list] = {}
    for row in rows:
        latest.setdefault(row.partner_id, [row.couple_id, None, None])[row.rank] = row.score
    alerts = []
    flagged = [(last, partner_id, couple_id, previous) for partner_id, (couple_id, last, previous) in latest.items()
               if last < CUTOFF or (previous is not None and last < previous)]
    wanted = {partner_id: (couple_id, last, previous)
              for last, partner_id, couple_id, previous in sorted(flagged)[:LIST_LIMIT]}
    if wanted:
        needed = {c for c, _, _ in wanted.values()} - set(couples)
        if needed:
            for couple in db.session.execute(db.select(Couple).where(Couple.id.in_(needed))).scalars():
                couples[couple.id] = couple
        for partner_id, (couple_id, last, previous) in wanted.items():
            couple = couples[couple_id]
            name = next(p.first_name for p in couple.partners if p.id == partner_id)
            alerts.append(ScoreAlert(couple, name, last, previous))
    return sorted(alerts, key=lambda a: a.latest), len(flagged)
