"""Recording measures, and each partner's scores as series and charts a therapist can read at a glance."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..couples.models import Couple, Partner
from ..errors import NotFound
from ..extensions import db
from ..homework.services import raise_flag
from ..sessions.models import TherapySession
from ..sessions.services import next_planned_session
from .models import Measure
from .safety import concerns_in
from .scale import CUTOFF, MAX_SCORE, below_cutoff, score


def save_measure(couple: Couple, partner: Partner, session: TherapySession, answers: list[int], source: str,
                 safety_answers: dict | None = None) -> Measure:
    """Store a partner's answers for a session; the therapist's paper entry replaces what is stored.

    Safety answers of concern each open a flag for the therapist, as homework safety answers do.
    A partner's check-in is stored once: the same one sent again (a double click, a retry, twenty
    at once) is answered with what the first stored, changing nothing and raising no new flag.
    """
    if partner.couple_id != couple.id or session.couple_id != couple.id:
        raise NotFound()
    measure = _stored_measure(partner, session)
    if measure is not None and source == "online":
        # The partner is never shown an answered check-in again: this is a second sending that
        # passed the page's check before the first committed.
        return measure
    measure = measure or Measure(couple_id=couple.id, partner_id=partner.id, session_id=session.id)
    measure.answers, measure.score, measure.source = list(answers), score(answers), source
    if safety_answers is not None:
        measure.safety_answers = dict(safety_answers)
    if not _written(measure):
        # Another request stored this partner's answers for the session a moment ago (a double
        # click, a resend): it is already answered, and its flags are already raised.
        return _stored_measure(partner, session)
    _remember_latest(partner)
    record("measure.save", measure, object_type="measure", detail=source)
    for question in concerns_in(safety_answers or {}):
        raise_flag(partner, question, safety_answers[question.name], measure_id=measure.id)
    return measure


def _stored_measure(partner: Partner, session: TherapySession) -> Measure | None:
    return db.session.execute(db.select(Measure).filter_by(partner_id=partner.id, session_id=session.id)).scalar()


def _written(measure: Measure) -> bool:
    """Flush the measure; False when a new one lost the race for its (partner, session).

    The insert runs under a savepoint, so losing undoes only it. On PostgreSQL the second of two
    simultaneous check-ins waits on the unique constraint until the first commits, then fails;
    SQLite's BEGIN IMMEDIATE has the second find the first's row instead.
    """
    db.session.flush()  # what else is pending is not this insert's to undo
    try:
        with db.session.begin_nested():
            db.session.add(measure)
    except IntegrityError:
        return False
    return True


def turn_safety_questions_off(couple: Couple, reason: str) -> None:
    couple.safety_questions_off_reason = reason.strip()
    record("couple.safety_questions_off", couple, detail=couple.safety_questions_off_reason)


def turn_safety_questions_on(couple: Couple) -> None:
    couple.safety_questions_off_reason = None
    record("couple.safety_questions_on", couple)


def _remember_latest(partner: Partner) -> None:
    """Copy the partner's two most recent scores (by session date) onto the partner."""
    scores = db.session.execute(
        db.select(Measure.score).join(TherapySession, TherapySession.id == Measure.session_id)
        .where(Measure.partner_id == partner.id).order_by(TherapySession.starts_at.desc()).limit(2)
    ).scalars().all()
    partner.latest_score = scores[0] if scores else None
    partner.previous_score = scores[1] if len(scores) > 1 else None


def pending_checkin(partner: Partner, couple: Couple, now: datetime) -> TherapySession | None:
    """The next planned session this partner has not yet answered the check-in for, if asked."""
    if not couple.checkin_enabled:
        return None
    upcoming = next_planned_session(couple.id, now)
    if upcoming is None:
        return None
    done = db.session.execute(
        db.select(Measure.id).where(Measure.partner_id == partner.id, Measure.session_id == upcoming.id)
    ).first()
    return None if done else upcoming


@dataclass
class Series:
    """One partner's scores in session order, ready for a chart and a summary line."""

    partner: Partner
    points: list[tuple]  # (a row with the session's number and starts_at, score)

    @property
    def scores(self) -> list[int]:
        return [s for _, s in self.points]

    @property
    def latest(self) -> int | None:
        return self.scores[-1] if self.points else None

    @property
    def change_since_first(self) -> int | None:
        return self.scores[-1] - self.scores[0] if len(self.points) > 1 else None

    @property
    def change_since_last(self) -> int | None:
        return self.scores[-1] - self.scores[-2] if len(self.points) > 1 else None

    @property
    def below_cutoff(self) -> bool:
        return self.latest is not None and below_cutoff(self.latest)


def series_for(couple: Couple) -> list[Series]:
    """Each partner's scores with their session's number and date, in session order (plain rows)."""
    rows = db.session.execute(
        db.select(Measure.partner_id, Measure.score, TherapySession.number, TherapySession.starts_at)
        .join(TherapySession, TherapySession.id == Measure.session_id)
        .where(Measure.couple_id == couple.id).order_by(TherapySession.starts_at)
    ).all()
    return [Series(p, [(row, row.score) for row in rows if row.partner_id == p.id]) for p in couple.partners]


@dataclass
class ChartPoint:
    x: float
    y: float
    score: int
    number: int  # the session's
    date: datetime

    @property
    def low(self) -> bool:
        return self.score < CUTOFF


@dataclass
class Chart:
    """Coordinates for a server-drawn SVG line chart of one partner's scores (0 to 21)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: float
    cutoff_y: float
    ticks: list[tuple[float, int]]  # (y, value)
    points: list[ChartPoint]

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(self.points))


def chart(series: Series, width: int = 560, height: int = 220) -> Chart:
    left, right, top, bottom = 36, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(series.points)

    def y(value: float) -> float:
        return round(top + plot_h * (1 - value / MAX_SCORE), 1)

    def x(i: int) -> float:
        return round(left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    points = [ChartPoint(x(i), y(v), v, s.number, s.starts_at) for i, (s, v) in enumerate(series.points)]
    return Chart(width, height, left, width - right, top, top + plot_h, y(CUTOFF),
                 [(y(v), v) for v in (0, 7, 14, 21)], points)
