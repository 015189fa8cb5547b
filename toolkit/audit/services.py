"""Writing, checking and showing the audit trail."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import String, and_, bindparam, cast, insert, literal_column, null, text, union_all, update

from ..auth.models import Therapist
from ..couples.models import Couple, Partner
from ..extensions import db
from ..homework.models import Assignment, SafetyFlag
from ..measures.models import Measure
from ..notes.models import SessionNote
from ..sessions.models import TherapySession
from ..timeutil import utcnow
from .keys import same
from .models import KEYED, LEGACY, AuditEvent, AuditHead, expected_hash, head_seal

GENESIS = "0" * 64
ACCESS_ROWS = 20  # the newest events a couple's page lists

# Read on every audited request: built once. On PostgreSQL the head row's lock serialises appends.
_HEAD_FOR_APPEND = db.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_HEAD = db.select(AuditHead.seq, AuditHead.hash, AuditHead.mac).where(AuditHead.id == 1)
_NEWEST = (db.select(AuditEvent.seq, AuditEvent.hash, AuditEvent.scheme).where(AuditEvent.seq.is_not(None))
           .order_by(AuditEvent.seq.desc()).limit(1))


def current_actor() -> str:
    """Who is acting: a partner, a therapist, an anonymous visitor, or the system (CLI)."""
    if not has_request_context():
        return "system"
    if getattr(g, "partner", None) is not None:
        return f"partner:{g.partner.id}"
    if current_user and current_user.is_authenticated:
        return f"therapist:{current_user.id}"
    return "anonymous"


def record(action: str, obj=None, *, actor: str | None = None, subject: str | None = None,
           detail: str | None = None, object_type: str | None = None, object_id: int | None = None) -> AuditEvent:
    """Add an audit row to the current transaction; the caller commits."""
    if obj is not None:
        object_type = object_type or obj.__tablename__.rstrip("s")
        object_id = object_id or obj.id
    end = _chain_end()
    event = AuditEvent(
        seq=end.seq + 1,
        scheme=KEYED,
        at=utcnow(),
        actor=actor or current_actor(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        ip=request.remote_addr if has_request_context() else None,
        detail=detail,
        prev_hash=end.hash,
    )
    event.hash = event.keyed_hash()
    db.session.add(event)
    db.session.flush()
    _move_head(end.head, event)
    return event


@dataclass(frozen=True)
class _ChainEnd:
    seq: int
    hash: str
    head: str  # "advance" the head row, "create" it, or leave it "missing"


def _chain_end() -> _ChainEnd:
    """Where the next row attaches: the head, or the newest row while there is no head yet."""
    head = db.session.execute(_HEAD_FOR_APPEND).first()
    if head is None:
        _lock_chain()  # no head row to lock yet: the first append of a new or just-migrated database
        head = db.session.execute(_HEAD_FOR_APPEND).first()
    if head is not None:
        return _ChainEnd(head.seq, head.hash, "advance")
    newest = db.session.execute(_NEWEST).first()
    if newest is None:
        return _ChainEnd(0, GENESIS, "create")
    # Only rows from before keying: this first keyed row seals them and starts the head. A head
    # gone from behind keyed rows was removed: re-creating it would bless a log cut short, so the
    # app keeps appending without one and `verify_chain` keeps reporting it.
    return _ChainEnd(newest.seq, newest.hash, "create" if newest.scheme == LEGACY else "missing")


def _move_head(how: str, event: AuditEvent) -> None:
    values = {"seq": event.seq, "hash": event.hash, "mac": head_seal(event.seq, event.hash)}
    if how == "advance":
        db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(**values),
                           execution_options={"synchronize_session": False})
    elif how == "create":
        db.session.execute(insert(AuditHead).values(id=1, **values))


def _lock_chain() -> None:
    """Serialise appends so two writers cannot both chain onto the same row.

    SQLite already holds the write lock (BEGIN IMMEDIATE); PostgreSQL needs a lock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(727274)"))


@dataclass(frozen=True)
class ChainCheck:
    """The verdict on the audit log.

    `checked`: rows found sound (all of them when `ok`); `first_bad_id`: the first row that is
    wrong, or for rows cut off the end the row the log now ends at; `before_keying`: how many
    rows date from before the chain was keyed (checked by their old, unkeyed rule); `last_hash`:
    the newest row's hash, worth keeping outside the database (an older copy of the whole database
    restored over this one would otherwise verify).
    """

    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str | None = None
    before_keying: int = 0
    last_hash: str | None = None


def verify_chain() -> ChainCheck:
    """Walk the whole log in order: every row counted, chained and sealed, and the head matching."""
    # The head first: rows appended while we read are then newer than it, never missing from it.
    head = db.session.execute(_HEAD).first()
    previous, position, legacy, last, head_row = GENESIS, 0, 0, None, None
    for event in _rows_in_order():
        position += 1
        problem = _problem_with(event, position, previous, keyed_seen=position - 1 > legacy)
        if problem:
            return ChainCheck(False, position - 1, event.id, problem, legacy)
        legacy += event.scheme == LEGACY
        if head is not None and event.seq == head.seq:
            head_row = event
        previous, last = event.hash, event
    problem, bad_id = _head_problem(head, last, head_row, keyed=position - legacy)
    return ChainCheck(problem is None, position, bad_id, problem, legacy, last.hash if last else None)


def _rows_in_order():
    # Plain rows, straight from the database (never the session's copies), a thousand at a time.
    return db.session.execute(db.select(*AuditEvent.__table__.columns).order_by(AuditEvent.id),
                              execution_options={"yield_per": 1000})


def _problem_with(event, position: int, previous: str, *, keyed_seen: bool) -> str | None:
    if event.seq is None:
        return "it has no sequence number: it was not written by the app"
    if event.seq > position:
        return f"its sequence number is {event.seq} where {position} was expected: rows before it were removed"
    if event.seq < position:
        return f"its sequence number is {event.seq} where {position} was expected: numbers repeat or go back"
    if event.scheme not in (KEYED, LEGACY):
        return f"it names an unknown hash scheme ({event.scheme!r})"
    if event.scheme == LEGACY and keyed_seen:
        return "it carries an unkeyed hash after keyed rows began: it was written or rewritten outside the app"
    if event.prev_hash != previous:
        return "it does not follow the row before it: a row was removed, inserted or reordered"
    if not same(event.hash, expected_hash(event)):
        return "its content does not match its hash: the row was edited"
    return None


def _head_problem(head, last, head_row, *, keyed: int):
    """(problem, row id) about the end of the log, or (None, None)."""
    last_id = last.id if last else None
    if head is None:
        if keyed:
            return "the audit head is missing: rows may have been cut off the end after this row", last_id
        return None, None  # empty, or nothing written since the upgrade
    if not same(head.mac, head_seal(head.seq, head.hash)):
        return "the audit head was altered", last_id
    if last is None:
        return f"the log is empty but its sealed head records {head.seq} row(s): every row was removed", None
    if head.seq > last.seq:
        return (f"the log ends at this row, number {last.seq}, but its sealed head records {head.seq}: "
                f"the {head.seq - last.seq} newest row(s) were removed"), last_id
    if head_row is None or head_row.hash != head.hash:
        return f"row number {head.seq} is not the one the audit head recorded", head_row.id if head_row else last_id
    return None, None


# -- Throttles: failures counted from the log --------------------------------------------------

@dataclass(frozen=True)
class Throttle:
    """Failures of one kind (an audit action) counted over the last `minutes`.

    Counted from the audit log, so every server process shares the count; only failures are
    recorded under the action, so a refused try does not lengthen the wait.
    """

    action: str
    minutes: int

    def reached(self, limit: int, **where) -> bool:
        """Whether `limit` failures are in the window among those whose columns hold the values given.

        A value of None matches an empty column (IS NULL), not any value.
        """
        since = utcnow() - timedelta(minutes=self.minutes)
        query = db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == self.action, AuditEvent.at >= since)
        for column, value in where.items():
            query = query.where(getattr(AuditEvent, column) == value)
        return db.session.execute(query).scalar_one() >= limit


# -- A couple's record of access ---------------------------------------------------------------

@dataclass(frozen=True)
class AccessEvent:
    """One line of a couple's record of access: when, who, what, which record (no content)."""

    at: datetime
    who: str
    what: str
    which: str


ACTION_LABELS = {
    "couple.create": "added the couple", "couple.view": "opened the couple's page",
    "couple.edit_view": "opened the couple's details to edit", "couple.update": "changed the couple's details",
    "couple.archive": "archived the couple", "couple.unarchive": "made the couple active",
    "couple.reassign": "moved the couple to another therapist", "partner_links.view": "viewed the private links",
    "session.create": "planned a session", "session.view": "opened a session", "session.edit_view":
    "opened a session to edit", "session.update": "changed a session", "note.create": "started a note",
    "note.view": "read a note", "note.update": "edited a draft note", "note.sign": "signed a note",
    "note.addendum": "added an addendum", "note.print": "printed a note", "assignment.create": "assigned homework",
    "assignment.read": "read homework", "assignment.view": "opened their homework", "assignment.draft":
    "saved a homework draft", "assignment.submit": "sent homework", "assignment.review": "reviewed homework",
    "measure.save": "recorded a check-in", "measure.paper_form": "opened a paper check-in form",
    "safety_flag.raise": "raised a safety flag", "safety_flag.acknowledge": "acknowledged a safety flag",
    "partner_link.issue": "issued a private link", "partner_link.revoke": "revoked a private link",
    "partner_link.open": "opened their private link", "print.packet": "printed a packet",
    "print.handout": "printed a handout", "print.guide": "printed a facilitator guide",
    "print.worksheet": "printed a worksheet", "print.progress": "printed the progress summary",
    "couple.checkin_on": "turned the check-in on", "couple.checkin_off": "turned the check-in off",
    "couple.safety_questions_off": "turned the safety questions off",
    "couple.safety_questions_on": "turned the safety questions back on",
    "joint_work.confirm_safe": "confirmed joint work is safe", "partner.passcode_set": "set a passcode",
    "partner.passcode_declined": "declined a passcode", "partner.passcode_clear": "cleared a passcode",
    "partner.passcode_failed": "entered a wrong passcode", "partner.policy_agree": "agreed to the policy",
}


def events_for_couple(couple) -> list[AccessEvent]:
    """The newest events on the couple and its partners, sessions, notes, homework, check-ins and flags.

    One query: the couple's records are gathered as (type, id) pairs and joined to the log through
    its (object_type, object_id) index; `detail`, `subject` and `ip` are never read.
    """
    rows = db.session.execute(_ACCESS, {"couple_id": couple.id}).all()
    return [AccessEvent(row.at, _who(row.actor, row.therapist_name, couple), ACTION_LABELS.get(row.action, row.action),
                        _which(row.object_type, row.label)) for row in rows]


def _kind(name: str):
    return literal_column(f"'{name}'", String).label("object_type")


def _access_statement():
    """The couple's records as (type, id, label) pairs, joined to the log; the newest rows with names."""
    couple_id = bindparam("couple_id")
    number = cast(TherapySession.number, String)
    targets = union_all(
        db.select(_kind("couple"), Couple.id.label("object_id"), cast(null(), String).label("label"))
        .where(Couple.id == couple_id),
        db.select(_kind("partner"), Partner.id, Partner.first_name).where(Partner.couple_id == couple_id),
        db.select(_kind("session"), TherapySession.id, number).where(TherapySession.couple_id == couple_id),
        db.select(_kind("note"), SessionNote.id, number)
        .join(TherapySession, TherapySession.id == SessionNote.session_id).where(TherapySession.couple_id == couple_id),
        db.select(_kind("assignment"), Assignment.id, Assignment.title).where(Assignment.couple_id == couple_id),
        db.select(_kind("measure"), Measure.id, number)
        .join(TherapySession, TherapySession.id == Measure.session_id).where(Measure.couple_id == couple_id),
        db.select(_kind("safety_flag"), SafetyFlag.id, cast(null(), String)).where(SafetyFlag.couple_id == couple_id),
    ).cte("targets").prefix_with("MATERIALIZED")
    # MATERIALIZED: the few (type, id) pairs are found first, then each is looked up in the log's
    # index. Inlined, SQLite scans every event of a type (every session's, practice-wide) instead.
    newest = (db.select(AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, targets.c.object_type,
                        targets.c.label)
              .join(targets, and_(AuditEvent.object_type == targets.c.object_type,
                                  AuditEvent.object_id == targets.c.object_id))
              .order_by(AuditEvent.id.desc()).limit(ACCESS_ROWS).subquery())
    # Names are looked up for the rows shown only, not for every event of the couple.
    therapist_actor = literal_column("'therapist:'", String) + cast(Therapist.id, String)
    return (db.select(newest, Therapist.name.label("therapist_name"))
            .outerjoin(Therapist, newest.c.actor == therapist_actor).order_by(newest.c.id.desc()))


# Read on every couple page: built once.
_ACCESS = _access_statement()


def _who(actor: str, therapist_name: str | None, couple) -> str:
    kind, _, number = actor.partition(":")
    if kind == "therapist":
        return therapist_name or f"Therapist {number}"
    if kind == "partner":
        partner = next((p for p in couple.partners if str(p.id) == number), None)
        return f"{partner.first_name} (partner)" if partner else "A partner"
    return {"anonymous": "Someone not signed in", "system": "The system"}.get(kind, actor)


def _which(object_type: str, label: str | None) -> str:
    if object_type == "session":
        return f"Session {label}"
    if object_type == "note":
        return f"Note of session {label}"
    if object_type == "measure":
        return f"Check-in, session {label}"
    return {"couple": "The couple", "safety_flag": "A safety flag"}.get(object_type, label or object_type)
