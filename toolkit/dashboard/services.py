"""The home page's data in a fixed number of queries, whatever the size of the practice.

Each list is read as plain rows (only the columns the page shows) and the couples' names come
from one query at the end: the page lists up to a hundred items, and building ORM objects with
their relationships for each was most of its time.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..couples.models import Couple, Partner
from ..extensions import db
from ..homework.models import Assignment, SafetyFlag
from ..homework.services import open_flag_rows
from ..measures.scale import CUTOFF
from ..sessions.models import TherapySession

LIST_LIMIT = 10  # a glance that fits a screen, not a report: each list links on to where the rest is
DAY_LIMIT = 40  # more sessions than fit in one day for one therapist


@dataclass
class ScoreAlert:
    couple_id: int
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
    today: list  # rows: id, couple_id, number, starts_at
    this_week: list
    flags: list  # rows: id, couple_id, assignment_id, question, answer, created_at, partner_name
    to_review: list  # rows: id, couple_id, title, partner_name
    overdue: list  # rows: id, couple_id, title, partner_name, due_on
    scores: list[ScoreAlert]
    couple_names: dict[int, str]
    more: dict[str, bool]  # a list was cut at LIST_LIMIT


def _own(query, couple_id, therapist_id: int):
    """Only the asking therapist's current couples."""
    return query.join(Couple, Couple.id == couple_id).where(
        Couple.therapist_id == therapist_id, Couple.archived_at.is_(None))


def _assignments(therapist_id: int, *extra):
    # One row past the limit tells "there are more" without counting the whole practice.
    return (_own(db.select(Assignment.id, Assignment.couple_id, Assignment.title,
                           Partner.first_name.label("partner_name"), *extra), Assignment.couple_id, therapist_id)
            .outerjoin(Partner, Partner.id == Assignment.partner_id).limit(LIST_LIMIT + 1))


OPEN_STATUSES = ("assigned", "started")


def home_for(therapist_id: int, now: datetime) -> Home:
    start = datetime.combine(now.date(), time.min)
    tomorrow = start + timedelta(days=1)
    planned = _planned(therapist_id, start, start + timedelta(days=7))
    today = [s for s in planned if s.starts_at < tomorrow][:DAY_LIMIT]
    this_week = [s for s in planned if s.starts_at >= tomorrow]
    flags = _rows(_own(open_flag_rows(), SafetyFlag.couple_id, therapist_id))
    to_review = _rows(_assignments(therapist_id).where(Assignment.status == "submitted")
                      .order_by(Assignment.submitted_at.desc()))
    overdue = _overdue(therapist_id, now.date())
    scores = [ScoreAlert(*row) for row in _rows(_scores_to_watch(therapist_id))]
    more = {"this_week": len(this_week) > LIST_LIMIT, "to_review": len(to_review) > LIST_LIMIT,
            "overdue": len(overdue) > LIST_LIMIT, "scores": len(scores) > LIST_LIMIT}
    this_week, to_review, overdue, scores = (this_week[:LIST_LIMIT], to_review[:LIST_LIMIT], overdue[:LIST_LIMIT],
                                             scores[:LIST_LIMIT])
    shown = {row.couple_id for rows in (today, this_week, flags, to_review, overdue, scores) for row in rows}
    return Home(today, this_week, flags, to_review, overdue, scores, couple_names(shown), more)


def _rows(statement) -> list:
    return db.session.execute(statement).all()


def _planned(therapist_id: int, start: datetime, end: datetime) -> list:
    """Today's sessions and the rest of the week's in one read: one row past both limits tells "more"."""
    return _rows(_own(db.select(TherapySession.id, TherapySession.couple_id, TherapySession.number,
                                TherapySession.starts_at), TherapySession.couple_id, therapist_id)
                 .where(TherapySession.status == "planned", TherapySession.starts_at >= start,
                        TherapySession.starts_at < end)
                 .order_by(TherapySession.starts_at).limit(DAY_LIMIT + LIST_LIMIT + 1))


def _overdue(therapist_id: int, today: date) -> list:
    """Not sent and past due, most recent first.

    One query per open status: each reads the (status, due_on) index in order and stops at the
    limit, where `status IN (...)` would sort every open assignment in the practice.
    """
    rows = [row for status in OPEN_STATUSES for row in _rows(
        _assignments(therapist_id, Assignment.due_on)
        .where(Assignment.status == status, Assignment.due_on < today).order_by(Assignment.due_on.desc()))]
    return sorted(rows, key=lambda row: row.due_on, reverse=True)[:LIST_LIMIT + 1]


def _scores_to_watch(therapist_id: int):
    return (_own(db.select(Partner.couple_id, Partner.first_name, Partner.latest_score, Partner.previous_score),
                 Partner.couple_id, therapist_id)
            .where((Partner.latest_score < CUTOFF) | (Partner.latest_score < Partner.previous_score))
            .order_by(Partner.latest_score, Partner.id).limit(LIST_LIMIT + 1))


def couple_names(couple_ids: set[int]) -> dict[int, str]:
    """"Maya & Jordan" for each couple, in one query."""
    names: dict[int, list[str]] = {couple_id: [] for couple_id in couple_ids}
    if couple_ids:
        for couple_id, first_name in _rows(db.select(Partner.couple_id, Partner.first_name)
                                           .where(Partner.couple_id.in_(couple_ids))
                                           .order_by(Partner.couple_id, Partner.position)):
            names[couple_id].append(first_name)
    return {couple_id: " & ".join(first_names) for couple_id, first_names in names.items()}
