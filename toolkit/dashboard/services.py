"""The home page's data in a fixed number of queries, whatever the size of the practice.

(Couple.partners loads by `selectin`: one extra query per statement, not per couple.)
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.orm import contains_eager

from ..couples.models import Couple
from ..extensions import db
from ..homework.models import Assignment, SafetyFlag
from ..measures.models import Measure
from ..measures.scale import CUTOFF
from ..sessions.models import TherapySession

LIST_LIMIT = 50


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

    @property
    def couple_names(self) -> dict[int, str]:
        return {couple_id: couple.name for couple_id, couple in self.couples.items()}


def _own(query, therapist_id):
    return query.where(Couple.therapist_id == therapist_id, Couple.archived_at.is_(None))


def home_for(therapist_id: int, now: datetime) -> Home:
    start = datetime.combine(now.date(), time.min)
    week_end = start + timedelta(days=7)
    sessions = db.session.execute(
        _own(db.select(TherapySession).join(Couple, Couple.id == TherapySession.couple_id), therapist_id)
        .where(TherapySession.status == "planned", TherapySession.starts_at >= start, TherapySession.starts_at < week_end)
        .options(contains_eager(TherapySession.couple))
        .order_by(TherapySession.starts_at)
    ).unique().scalars().all()
    tomorrow = start + timedelta(days=1)
    couples: dict[int, Couple] = {s.couple_id: s.couple for s in sessions}

    def with_couples(query):
        rows = db.session.execute(query).all()
        for _, couple in rows:
            couples[couple.id] = couple
        return [row[0] for row in rows]

    flags = with_couples(_own(db.select(SafetyFlag, Couple).join(Couple, Couple.id == SafetyFlag.couple_id), therapist_id)
                         .where(SafetyFlag.acknowledged_at.is_(None)).order_by(SafetyFlag.created_at))
    to_review = with_couples(_own(db.select(Assignment, Couple).join(Couple, Couple.id == Assignment.couple_id), therapist_id)
                             .where(Assignment.status == "submitted")
                             .order_by(Assignment.submitted_at.desc()).limit(LIST_LIMIT))
    overdue = with_couples(_own(db.select(Assignment, Couple).join(Couple, Couple.id == Assignment.couple_id), therapist_id)
                           .where(Assignment.status.in_(("assigned", "started")), Assignment.due_on < now.date())
                           .order_by(Assignment.due_on).limit(LIST_LIMIT))
    scores = _score_alerts(therapist_id, couples)
    return Home([s for s in sessions if s.starts_at < tomorrow], [s for s in sessions if s.starts_at >= tomorrow],
                flags, to_review, overdue, scores, couples)


def _score_alerts(therapist_id: int, couples: dict[int, Couple]) -> list[ScoreAlert]:
    """Each partner's latest two scores (a window query), kept when low or falling."""
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
    wanted = {}
    for partner_id, (couple_id, last, previous) in latest.items():
        if last < CUTOFF or (previous is not None and last < previous):
            wanted[partner_id] = (couple_id, last, previous)
    if wanted:
        needed = {c for c, _, _ in wanted.values()} - set(couples)
        if needed:
            for couple in db.session.execute(db.select(Couple).where(Couple.id.in_(needed))).scalars():
                couples[couple.id] = couple
        for partner_id, (couple_id, last, previous) in wanted.items():
            couple = couples[couple_id]
            name = next(p.first_name for p in couple.partners if p.id == partner_id)
            alerts.append(ScoreAlert(couple, name, last, previous))
    return sorted(alerts, key=lambda a: a.latest)
