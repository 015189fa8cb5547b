"""Assigning homework, saving answers, reviewing, and safety flags."""
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..audit.services import record
from ..couples.models import Couple, Partner
from ..errors import Invalid, Locked, NotFound
from ..extensions import db
from ..library.models import HomeworkTemplate
from ..sessions.services import next_planned_session
from ..timeutil import utcnow
from .models import Assignment, HomeworkRow, SafetyFlag
from .versions import keep_form


def default_due_date(couple_id: int, now: datetime) -> date:
    """The day of the next planned session, or a week from today."""
    upcoming = next_planned_session(couple_id, now)
    return upcoming.starts_at.date() if upcoming else (now + timedelta(days=7)).date()


def who_choices(couple: Couple) -> list[tuple[str, str]]:
    """Whom homework can go to: each partner, the couple, or one partner alone (a safety plan, say)."""
    names = [p.first_name for p in couple.partners]
    alone = [(f"only:{p.id}", f"Only {p.first_name}, alone ({' and '.join(n for n in names if n != p.first_name)} "
                              f"is not asked and sees nothing of it)") for p in couple.partners]
    return [("each", f"Each partner separately ({' and '.join(names)} each get their own)"),
            ("joint", "The couple together"), *alone]


def _recipients(couple: Couple, who: str) -> list:
    if who == "joint":
        return [None]
    if who.startswith("only:"):
        alone = [p for p in couple.partners if f"only:{p.id}" == who]
        if not alone:
            raise Invalid("That partner is not one of this couple.")
        return alone
    return list(couple.partners)


def assign(couple: Couple, template: HomeworkTemplate, *, who: str, due_on: date, instructions: str | None,
           session_id: int | None) -> list[Assignment]:
    """One assignment per partner (who='each'), one for the couple (who='joint'), or one for a single
    partner alone (who='only:<partner id>': the other partner is not asked, and sees nothing of it)."""
    batch = secrets.token_hex(8)
    partners = _recipients(couple, who)
    made = []
    for partner in partners:
        assignment = Assignment(
            couple_id=couple.id, partner_id=partner.id if partner else None, session_id=session_id, batch=batch,
            module_slug=template.module_slug, template_id=template.id, form_digest=keep_form(template),
            title=template.title,
            instructions=(instructions or "").strip() or None, due_on=due_on, answers={}, private_answers={},
        )
        db.session.add(assignment)
        made.append(assignment)
    db.session.flush()
    for assignment in made:
        record("assignment.create", assignment)
    return made


def _homework_list():
    """Assignments as list rows: plain columns without the answers, so a long history stays cheap."""
    return db.select(Assignment.id, Assignment.partner_id, Assignment.session_id, Assignment.title,
                     Assignment.due_on, Assignment.status, Assignment.submitted_at)


def homework_rows(couple: Couple, session_id: int | None = None) -> list[HomeworkRow]:
    """The couple's homework as list rows, newest due first (optionally only one session's)."""
    names = {p.id: p.first_name for p in couple.partners}
    query = _homework_list().where(Assignment.couple_id == couple.id).order_by(Assignment.due_on.desc(), Assignment.id)
    if session_id is not None:
        query = query.where(Assignment.session_id == session_id)
    return [HomeworkRow(*row, partner_name=names.get(row.partner_id)) for row in db.session.execute(query)]


def get_assignment_of(couple_id: int, assignment_id: int) -> Assignment:
    found = db.session.execute(
        db.select(Assignment).where(Assignment.id == assignment_id, Assignment.couple_id == couple_id)
    ).scalar()
    if found is None:
        raise NotFound()
    return found


# --- the partner's side -------------------------------------------------------------

def _visible_to(partner: Partner):
    return (Assignment.couple_id == partner.couple_id) & (
        (Assignment.partner_id == partner.id) | Assignment.partner_id.is_(None))


def homework_for_partner(partner: Partner) -> list[HomeworkRow]:
    """The partner's own assignments and the couple's joint ones, soonest due first, as list rows."""
    query = _homework_list().where(_visible_to(partner)).order_by(Assignment.due_on, Assignment.id)
    return [HomeworkRow(*row) for row in db.session.execute(query)]


def has_homework_from(partner: Partner, module_slug: str) -> bool:
    """Whether the partner has (or shares) homework from this module."""
    query = db.select(Assignment.id).where(_visible_to(partner), Assignment.module_slug == module_slug).limit(1)
    return db.session.execute(query).first() is not None


def get_for_partner(partner: Partner, assignment_id: int, *, for_update: bool = False) -> Assignment:
    """An assignment this partner may open; NotFound for anything else, whoever's it is."""
    query = db.select(Assignment).where(Assignment.id == assignment_id, _visible_to(partner))
    if for_update:
        query = query.with_for_update(of=Assignment)
    found = db.session.execute(query).scalar()
    if found is None:
        raise NotFound()
    return found


def answers_for_partner(assignment: Assignment, template: HomeworkTemplate, partner: Partner) -> dict:
    """What this partner may see: the shared answers and their own private ones, never the other's.

    Safety answers are sealed: never shown back, not even to the partner who gave them, since
    the other partner may pick up the phone later.
    """
    visible = {spec.name: assignment.answers.get(spec.name) for spec in template.fields if not spec.therapist_only}
    own = assignment.private_answers_of(partner.id)
    visible.update({spec.name: own[spec.name] for spec in template.fields
                    if spec.private and not spec.safety and spec.name in own})
    return visible


def save_answers(assignment: Assignment, template: HomeworkTemplate, partner: Partner, answers: dict,
                 *, submit: bool) -> list:
    """Save a draft or submit, in the caller's transaction; returns the safety fields answered with concern.

    A submission that arrives again (double click, retry) changes nothing: once
    submitted, answers are read-only.
    """
    if assignment.is_done:
        return []
    shared = {k: v for k, v in (assignment.answers or {}).items()}
    private = dict(assignment.private_answers or {})
    own_private = dict(private.get(str(partner.id), {}))
    for spec in template.fields:
        target = own_private if spec.therapist_only else shared
        # A draft keeps no safety answer: it would sit on the partner's page until sent.
        target[spec.name] = None if spec.safety and not submit else answers.get(spec.name)
    private[str(partner.id)] = own_private
    assignment.answers, assignment.private_answers = shared, private  # new objects, so the change is seen
    concerns = [spec for spec in template.fields if spec.is_concern(own_private.get(spec.name))]
    if submit:
        assignment.status = "submitted"
        assignment.submitted_at = utcnow()
        assignment.submitted_by_id = partner.id
        for spec in concerns:
            raise_flag(partner, spec, own_private.get(spec.name), assignment_id=assignment.id)
        record("assignment.submit", assignment)
    else:
        assignment.status = "started"
        record("assignment.draft", assignment)
    return concerns


def raise_flag(partner: Partner, spec, answer, *, assignment_id: int | None = None,
               measure_id: int | None = None) -> SafetyFlag:
    """Open a safety flag for the therapist: from a homework answer or from the check-in."""
    flag = SafetyFlag(couple_id=partner.couple_id, partner_id=partner.id, assignment_id=assignment_id,
                      measure_id=measure_id, field_name=spec.name, question=spec.label, answer=str(answer))
    db.session.add(flag)
    db.session.flush()
    record("safety_flag.raise", flag, object_type="safety_flag")
    return flag


# --- the therapist's side -----------------------------------------------------------

def batch_of(assignment: Assignment) -> list[Assignment]:
    """The assignments made together with this one (both partners' copies), partner order."""
    rows = db.session.execute(
        db.select(Assignment).where(Assignment.batch == assignment.batch, Assignment.couple_id == assignment.couple_id)
    ).scalars().all()
    return sorted(rows, key=lambda a: a.partner.position if a.partner else 0)


def mark_reviewed(assignment: Assignment, comment: str | None) -> None:
    if assignment.status != "submitted":
        raise Locked("Only submitted homework can be marked reviewed.")
    assignment.status = "reviewed"
    assignment.reviewed_at = utcnow()
    assignment.review_comment = (comment or "").strip() or None
    record("assignment.review", assignment)


def open_flag_rows():
    """Open safety flags as rows, oldest first, with the partner's first name: narrowed to one
    couple here and to one therapist's couples on the home page."""
    return (db.select(SafetyFlag.id, SafetyFlag.couple_id, SafetyFlag.assignment_id, SafetyFlag.question,
                      SafetyFlag.answer, SafetyFlag.created_at, Partner.first_name.label("partner_name"))
            .join(Partner, Partner.id == SafetyFlag.partner_id)
            .where(SafetyFlag.acknowledged_at.is_(None)).order_by(SafetyFlag.created_at))


def open_flags(couple_id: int) -> list:
    return db.session.execute(open_flag_rows().where(SafetyFlag.couple_id == couple_id)).all()


def confirm_joint_work_safe(couple: Couple, what: str) -> None:
    """The therapist confirmed joint work is safe despite an open safety flag (audited)."""
    record("joint_work.confirm_safe", couple, detail=what)


def acknowledge_flag(couple_id: int, flag_id: int, therapist_id: int) -> SafetyFlag:
    flag = db.session.execute(
        db.select(SafetyFlag).where(SafetyFlag.id == flag_id, SafetyFlag.couple_id == couple_id)
    ).scalar()
    if flag is None:
        raise NotFound()
    if flag.acknowledged_at is None:
        flag.acknowledged_at = utcnow()
        flag.acknowledged_by_id = therapist_id
        record("safety_flag.acknowledge", flag, object_type="safety_flag")
    return flag


@dataclass
class SinceLastTime:
    """What a therapist reads before a session."""

    since: datetime | None
    submissions: list  # (partner's first name or "Joint", homework submitted since), joint only when there is some
    overdue: list
    flags: list


def since_last_session(couple: Couple, assignments: list[HomeworkRow], last_held: datetime | None,
                       today: date) -> SinceLastTime:
    by_partner: dict[int | None, list] = {p.id: [] for p in couple.partners} | {None: []}
    for a in assignments:
        if a.submitted_at and (last_held is None or a.submitted_at >= last_held):
            by_partner[a.partner_id].append(a)
    submissions = [(p.first_name, by_partner[p.id]) for p in couple.partners]
    if by_partner[None]:
        submissions.append(("Joint", by_partner[None]))
    overdue = [a for a in assignments if a.is_overdue(today)]
    return SinceLastTime(last_held, submissions, overdue, open_flags(couple.id))
