"""Therapist accounts, and the server-side sessions of signed-in browsers (therapists' and partners')."""
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

# argon2-cffi's defaults are argon2id, t=3, m=64 MiB, p=4: above OWASP's minimum.
password_hasher = PasswordHasher()


class Therapist(UserMixin, db.Model):
    """A clinician with an account; owns couples."""

    __tablename__ = "therapists"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str | None] = mapped_column(String(60))
    practice_name: Mapped[str | None] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "therapist", or "admin": an admin manages accounts and reads the audit log, and sees
    # only their own couples' clinical records, like anyone else.
    role: Mapped[str] = mapped_column(String(16), default="therapist", server_default="therapist")
    password_changed_at: Mapped[datetime | None]
    # The second factor: a TOTP secret, encrypted under a key kept apart from the database,
    # and the last time step used (a code works once). Only the demo account is exempt.
    mfa_secret: Mapped[str | None] = mapped_column(String(255))
    mfa_enrolled_at: Mapped[datetime | None]
    mfa_last_step: Mapped[int | None]
    mfa_exempt: Mapped[bool] = mapped_column(default=False, server_default=false())

    couples = relationship("Couple", back_populates="therapist", lazy="raise")

    # The raw token of the login session this object was loaded for (not stored).
    session_token = None

    def set_password(self, password: str) -> None:
        self.password_hash = password_hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return password_hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def get_id(self) -> str | None:
        """Flask-Login keeps this in the cookie: the login session's token, never the user id."""
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def has_mfa(self) -> bool:
        return self.mfa_enrolled_at is not None

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class BrowserSession(db.Model):
    """A signed-in browser: a therapist's after sign-in, or a partner's after Continue on their link.

    Exactly one owner is set, and each is indexed: signing out everywhere deletes by therapist,
    revoking a link by link. Only the token's hash is kept. Signing out, "leave quickly" and
    revoking the link delete the row, so a copied cookie stops working.
    """

    __tablename__ = "browser_sessions"
    __table_args__ = (CheckConstraint("(therapist_id IS NULL) <> (link_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    therapist_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("partner_links.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Loaded with the session by whoever needs them (auth.services, partners.services): a
    # therapist's session has no link to join, a partner's no therapist.
    therapist: Mapped[Therapist | None] = relationship(lazy="raise")
    link: Mapped["PartnerLink | None"] = relationship(lazy="raise")  # noqa: F821 (partners.models)


class RecoveryCode(db.Model):
    """A one-time code to sign in without the authenticator; only its keyed hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]


class AccountToken(db.Model):
    """A one-time link to set a password: an invitation to a new account, or a reset."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "invite" or "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    therapist: Mapped[Therapist] = relationship(lazy="joined")
