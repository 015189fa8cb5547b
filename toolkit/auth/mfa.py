"""The second factor: time-based one-time codes (RFC 6238, pyotp) and one-time recovery codes.

The TOTP secret is stored encrypted (Fernet) under a key derived from the records key,
so a copy of the database alone cannot make codes. Recovery codes are kept as keyed hashes.
A code is accepted once: the time step it belongs to is remembered.
"""
import base64
import hashlib
import hmac
import secrets

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from ..audit.keys import records_key
from ..audit.services import record
from ..extensions import db
from ..timeutil import utcnow
from .models import RecoveryCode, Therapist

RECOVERY_CODES = 10
ISSUER = "toolkit"


def _key(purpose: bytes) -> bytes:
    """A key for one purpose, derived from the records key (kept apart from the database)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"toolkit " + purpose).derive(records_key())


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(b"mfa secret")))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str | None:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_qr(therapist: Therapist, secret: str) -> str:
    """An SVG data URL of the otpauth:// address, for an authenticator app to scan."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=therapist.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#1f2a30")


def _clean(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _accepted_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step the code belongs to (this one or either neighbour), unless already used."""
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_totp(therapist: Therapist, code: str | None, secret: str | None = None) -> bool:
    """Whether a six-digit code from the authenticator is good now; it then cannot be used again."""
    secret = secret or (unseal(therapist.mfa_secret) if therapist.mfa_secret else None)
    code = _clean(code)
    if not secret or not (len(code) == 6 and code.isdigit()):
        return False
    step = _accepted_step(secret, code, therapist.mfa_last_step)
    if step is None:
        return False
    therapist.mfa_last_step = step
    return True


def _code_hash(code: str) -> str:
    return hmac.new(_key(b"recovery code"), _clean(code).encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(therapist: Therapist) -> list[str]:
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.therapist_id == therapist.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 40 bits, shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(therapist_id=therapist.id, code_hash=_code_hash(raw)))
    return codes


def enrol(therapist: Therapist, secret: str, code: str | None) -> list[str] | None:
    """Turn on the second factor once a first code proves the app is set up; returns the recovery codes."""
    if not check_totp(therapist, code, secret):
        return None
    therapist.mfa_secret = seal(secret)
    therapist.mfa_enrolled_at = utcnow()
    codes = _new_recovery_codes(therapist)
    record("mfa.enrol", therapist, object_type="therapist", actor=f"therapist:{therapist.id}")
    return codes


def new_recovery_codes(therapist: Therapist) -> list[str]:
    codes = _new_recovery_codes(therapist)
    record("mfa.recovery_codes_renew", therapist, object_type="therapist")
    return codes


def use_recovery_code(therapist: Therapist, code: str | None) -> bool:
    """Sign in with a recovery code instead of the authenticator; each works once."""
    if not _clean(code):
        return False
    found = db.session.execute(db.select(RecoveryCode).where(
        RecoveryCode.therapist_id == therapist.id, RecoveryCode.code_hash == _code_hash(code),
        RecoveryCode.used_at.is_(None))).scalar()
    if found is None:
        return False
    found.used_at = utcnow()
    record("mfa.recovery_code_used", therapist, object_type="therapist", actor=f"therapist:{therapist.id}")
    return True


def recovery_codes_left(therapist: Therapist) -> int:
    return db.session.execute(db.select(db.func.count(RecoveryCode.id)).where(
        RecoveryCode.therapist_id == therapist.id, RecoveryCode.used_at.is_(None))).scalar_one()


def reset_mfa(therapist: Therapist) -> None:
    """An admin clears a lost authenticator: the account enrols again at its next sign-in."""
    therapist.mfa_secret = therapist.mfa_enrolled_at = therapist.mfa_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.therapist_id == therapist.id))
    record("mfa.reset", therapist, object_type="therapist")


def mfa_required(therapist: Therapist) -> bool:
    return current_app.config["REQUIRE_MFA"] and not therapist.mfa_exempt
