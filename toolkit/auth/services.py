"""Accounts, sign-in with throttling, and server-side sessions."""
import secrets
from contextlib import suppress
from datetime import timedelta

from argon2.exceptions import VerificationError
from flask import current_app

from ..audit.models import AuditEvent
from ..audit.services import record
from ..extensions import db
from ..timeutil import utcnow
from .models import LoginSession, Therapist, password_hasher

# Verified against when the email is unknown or throttled, so every failure costs the same time.
_DUMMY_HASH = password_hasher.hash("not-a-real-password")

PASSWORD_MIN, PASSWORD_MAX = 8, 128


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_therapist(email: str, name: str, password: str, *, credentials: str | None = None,
                     practice_name: str | None = None) -> Therapist:
    """Add an account; the caller commits."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValueError(f"The password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long.")
    email = normalise_email(email)
    if db.session.execute(db.select(Therapist.id).filter_by(email=email)).first():
        raise ValueError(f"There is already an account for {email}.")
    therapist = Therapist(email=email, name=name.strip(), credentials=credentials,
                          practice_name=practice_name)
    therapist.set_password(password)
    db.session.add(therapist)
    db.session.flush()
    record("therapist.create", therapist, actor="system")
    return therapist


def _recent_failures(column, value) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])
    return db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "login.failed", column == value, AuditEvent.at >= since
        )
    ).scalar_one()


def is_throttled(email: str, ip: str | None) -> bool:
    """Too many recent failures for this account or from this address."""
    cfg = current_app.config
    if _recent_failures(AuditEvent.subject, email) >= cfg["LOGIN_FAILURES_PER_ACCOUNT"]:
        return True
    return bool(ip) and _recent_failures(AuditEvent.ip, ip) >= cfg["LOGIN_FAILURES_PER_ADDRESS"]


def authenticate(email: str, password: str, ip: str | None) -> Therapist | None:
    """The therapist when the email and password match and nothing is throttled; else None.

    Failures are recorded (they are what the throttle counts) and all look alike to the caller.
    """
    email = normalise_email(email)
    therapist = db.session.execute(db.select(Therapist).filter_by(email=email)).scalar()
    throttled = is_throttled(email, ip)
    if therapist is None or throttled or not therapist.is_active:
        _burn_time(password)
        reason = "throttled" if throttled else "unknown or inactive"
        record("login.failed", subject=email, detail=reason, actor="anonymous")
        return None
    if not therapist.check_password(password):
        record("login.failed", subject=email, detail="wrong password", actor="anonymous")
        return None
    if password_hasher.check_needs_rehash(therapist.password_hash):
        therapist.set_password(password)
    return therapist


def _burn_time(password: str) -> None:
    with suppress(VerificationError):  # failing is the point: the time spent is what matters
        password_hasher.verify(_DUMMY_HASH, password)


def start_session(therapist: Therapist) -> str:
    """Create a server-side login session and return its raw token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_hash=LoginSession.hash_token(token), therapist_id=therapist.id))
    therapist.session_token = token
    record("login", therapist, actor=f"therapist:{therapist.id}", object_type="therapist")
    return token


def end_session(token: str | None) -> None:
    """Delete the login session so its cookie no longer works anywhere."""
    if token:
        db.session.execute(db.delete(LoginSession).filter_by(token_hash=LoginSession.hash_token(token)))


def keep_alive(row, idle: timedelta, absolute: timedelta | None = None) -> bool:
    """Whether a server-side session row is still live; ends it if not, else notes it was used.

    The row needs `created_at` and `last_seen_at`. It is touched at most once a minute: a
    write on every request would be wasted work.
    """
    now = utcnow()
    if now - row.last_seen_at > idle or (absolute is not None and now - row.created_at > absolute):
        db.session.delete(row)
        db.session.commit()
        return False
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        db.session.commit()
    return True


def load_session(token: str) -> Therapist | None:
    """The therapist of a live login session; expires idle and over-long sessions."""
    login = db.session.execute(
        db.select(LoginSession).filter_by(token_hash=LoginSession.hash_token(token))
    ).scalar()
    if login is None:
        return None
    cfg = current_app.config
    if not keep_alive(login, timedelta(minutes=cfg["IDLE_TIMEOUT_MINUTES"]), timedelta(hours=cfg["ABSOLUTE_TIMEOUT_HOURS"])):
        return None
    therapist = login.therapist
    if not therapist.is_active:
        return None
    therapist.session_token = token
    return therapist
