"""Accounts, sign-in with throttling, and server-side sessions."""
import secrets
from contextlib import suppress
from datetime import timedelta
from functools import cache

from argon2.exceptions import VerificationError
from flask import current_app
from sqlalchemy.orm import joinedload

from ..audit.services import Throttle, record
from ..extensions import db
from ..timeutil import utcnow
from ..tokens import hash_token
from .models import AccountToken, BrowserSession, Therapist, password_hasher

# Verified against when the email is unknown or throttled, so every failure costs the same time.
_DUMMY_HASH = password_hasher.hash("not-a-real-password")

PASSWORD_MIN, PASSWORD_MAX = 8, 128


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str, email: str) -> str | None:
    """Why a new password will not do, or None: its length, the email itself, or a known breached password."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return f"The password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long."
    email = normalise_email(email)
    if password.strip().lower() in (email, email.split("@")[0]):
        return "The password cannot be your email address."
    if is_breached(password):
        return "That password is on a list of passwords leaked in breaches. Choose another one."
    return None


@cache
def _breached() -> frozenset[str]:
    # zxcvbn ships 30,000 of the most common leaked passwords; we check against them offline.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_breached(password: str) -> bool:
    return password.lower() in _breached()


def create_therapist(email: str, name: str, password: str | None, *, credentials: str | None = None,
                     practice_name: str | None = None, role: str = "therapist") -> Therapist:
    """Add an account; the caller commits. With no password, the account waits for its invitation."""
    email = normalise_email(email)
    if password is not None and (problem := password_problem(password, email)):
        raise ValueError(problem)
    if db.session.execute(db.select(Therapist.id).filter_by(email=email)).first():
        raise ValueError(f"There is already an account for {email}.")
    therapist = Therapist(email=email, name=name.strip(), credentials=credentials,
                          practice_name=practice_name, role=role)
    # No password yet: a random one nobody knows, until the invitation sets a real one.
    therapist.set_password(password if password is not None else secrets.token_urlsafe(32))
    db.session.add(therapist)
    db.session.flush()
    record("therapist.create", therapist, actor="system")
    return therapist


def is_throttled(email: str, ip: str | None) -> bool:
    """Too many recent failures for this account from this address, from this address, or in all.

    Someone else failing from their own address cannot lock the real user out: only the
    much higher per-account ceiling applies to them. Refused tries are not failures, so the
    wait always ends.
    """
    cfg = current_app.config
    failures = Throttle("login.failed", cfg["LOGIN_THROTTLE_MINUTES"])  # a wrong password or code
    if failures.reached(cfg["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"], subject=email, ip=ip):
        return True
    if ip and failures.reached(cfg["LOGIN_FAILURES_PER_ADDRESS"], ip=ip):
        return True
    return failures.reached(cfg["LOGIN_FAILURES_PER_ACCOUNT"], subject=email)


def record_failure(email: str, reason: str) -> None:
    record("login.failed", subject=normalise_email(email), detail=reason, actor="anonymous")


def authenticate(email: str, password: str, ip: str | None) -> Therapist | None:
    """The therapist when the email and password match and nothing is throttled; else None.

    Failures are recorded (they are what the throttle counts) and all look alike to the caller.
    """
    email = normalise_email(email)
    if is_throttled(email, ip):
        _burn_time(password)
        record("login.refused", subject=email, detail="throttled", actor="anonymous")
        return None
    therapist = db.session.execute(db.select(Therapist).filter_by(email=email)).scalar()
    if therapist is None or not therapist.is_active:
        _burn_time(password)
        record_failure(email, "unknown or inactive")
        return None
    if not therapist.check_password(password):
        record_failure(email, "wrong password")
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
    db.session.add(BrowserSession(token_hash=hash_token(token), therapist_id=therapist.id))
    therapist.session_token = token
    record("login", therapist, actor=f"therapist:{therapist.id}", object_type="therapist")
    return token


def _therapist_session(token: str):
    """The condition for the therapist's session of this token: a partner's never matches."""
    return (BrowserSession.token_hash == hash_token(token)) & BrowserSession.therapist_id.is_not(None)


def end_session(token: str | None) -> None:
    """Delete the login session so its cookie no longer works anywhere."""
    if token:
        db.session.execute(db.delete(BrowserSession).where(_therapist_session(token)))


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
        db.select(BrowserSession).options(joinedload(BrowserSession.therapist)).where(_therapist_session(token))
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


def end_every_session(therapist: Therapist, *, keep: str | None = None) -> None:
    """Sign the account out everywhere (but the browser whose token is `keep`)."""
    query = db.delete(BrowserSession).where(BrowserSession.therapist_id == therapist.id)
    if keep:
        query = query.where(BrowserSession.token_hash != hash_token(keep))
    db.session.execute(query)


def change_password(therapist: Therapist, new_password: str, *, keep_session: str | None = None) -> None:
    """Set a new password (already checked) and end every other session of the account."""
    therapist.set_password(new_password)
    therapist.password_changed_at = utcnow()
    end_every_session(therapist, keep=keep_session)
    record("password.change", therapist, object_type="therapist")


# --- one-time links: an invitation to a new account, a password reset ----------------------

TOKEN_LIFETIMES = {"invite": timedelta(days=7), "reset": timedelta(days=1)}


def issue_account_token(therapist: Therapist, purpose: str) -> str:
    """A one-time link's raw token (only its hash is kept); any earlier one of that purpose stops working."""
    now = utcnow()
    db.session.execute(db.update(AccountToken).where(
        AccountToken.therapist_id == therapist.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None)
    ).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(therapist_id=therapist.id, purpose=purpose, token_hash=hash_token(token),
                                expires_at=now + TOKEN_LIFETIMES[purpose]))
    record(f"account.{purpose}_issue", therapist, object_type="therapist")
    return token


def find_account_token(token: str) -> AccountToken | None:
    found = db.session.execute(db.select(AccountToken).filter_by(token_hash=hash_token(token))).scalar()
    if found is None or found.used_at is not None or found.expires_at <= utcnow() or not found.therapist.is_active:
        return None
    return found


def set_password_from_token(found: AccountToken, new_password: str) -> Therapist:
    """Use an invitation or reset link: the new password is set, the link and every session end."""
    found.used_at = utcnow()
    therapist = found.therapist
    change_password(therapist, new_password)
    record(f"account.{found.purpose}_used", therapist, object_type="therapist", actor=f"therapist:{therapist.id}")
    return therapist


def set_active(therapist: Therapist, active: bool) -> None:
    """Deactivate (every session ends at once) or reactivate an account."""
    therapist.is_active_account = active
    if not active:
        end_every_session(therapist)
    record("therapist.activate" if active else "therapist.deactivate", therapist, object_type="therapist")
