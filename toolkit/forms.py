"""The base every form in the app builds on, and the one-time key of forms that create things."""
import re
import secrets
from datetime import datetime

from flask import abort, flash, redirect, request
from flask_wtf import FlaskForm
from sqlalchemy import String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import FieldList, Form, FormField, HiddenField
from wtforms.validators import ValidationError

from .extensions import db
from .timeutil import utcnow

# Dates are real days: a mistyped year (9999) would break the pages and printing that add days
# to it or count the weeks between sessions.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def within_sane_years(_form, field) -> None:
    """Refuse a date outside EARLIEST_YEAR..LATEST_YEAR, with a message saying what is accepted."""
    value = field.data
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")


def _drop_nul(value):
    """NUL is never meaningful in text, and PostgreSQL cannot store it: drop it everywhere."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class _CleanMeta:
    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, (FormField, FieldList)):
            return unbound_field.bind(form=form, **options)  # their parts get the filter themselves
        filters = [*unbound_field.kwargs.get("filters", ()), _drop_nul]
        return unbound_field.bind(form=form, filters=filters, **options)


class BaseForm(FlaskForm):
    """A FlaskForm (CSRF included) whose text arrives without NUL characters."""

    class Meta(_CleanMeta, FlaskForm.Meta):
        pass


class SubForm(Form):
    """For FormField parts of a larger form; the parent carries the CSRF token."""

    class Meta(_CleanMeta, Form.Meta):
        pass


# --- sent once: a double click or a resend creates nothing twice ------------------------------

ALREADY_SENT = "That form was sent twice; it was saved once, and this is what it saved."
_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")


class SubmissionKey(db.Model):
    """A creating form's one-time key, and the page showing what its first submission created."""

    __tablename__ = "submission_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # the primary key: one claim per key
    endpoint: Mapped[str] = mapped_column(String(80))
    redirect_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def _ours_or_new(value):
    """A key missing (a client that never rendered the form) or malformed is replaced by a fresh one.

    That submission then simply counts as a first one; refusing it would gain nothing, since only
    the same rendered form sent twice is a duplicate.
    """
    return value if isinstance(value, str) and _KEY.fullmatch(value) else new_submission_key()


class SubmittedOnce:
    """Mixed into a form that creates something, before its FlaskForm base.

    Every rendered form carries a fresh key (`hidden_tag()` renders it). The first submission
    with a key claims it in the transaction that creates the thing, and records where the thing
    is shown; any other submission with that key is sent there instead of creating it again.
    """

    submission_key = HiddenField(default=new_submission_key, filters=[_ours_or_new])

    def sent_before(self):
        """Claim this submission's key: None for the first, else a redirect to what the first made.

        The claim is inserted under a savepoint, so a lost race undoes only the claim. On
        PostgreSQL the second of two simultaneous submissions waits on the key's primary key
        until the first commits, then fails and reads the first's page; under SQLite's
        BEGIN IMMEDIATE the second simply finds the key.
        """
        key = self.submission_key.data
        try:
            with db.session.begin_nested():
                # A plain INSERT: the row is never an object of the session, which may still hold the same
                # key's row from an earlier request of its own (tests do), and is only ever updated below.
                db.session.execute(insert(SubmissionKey).values(key=key, endpoint=request.endpoint,
                                                                 redirect_url=request.path, created_at=utcnow()))
        except IntegrityError:
            first = db.session.execute(db.select(SubmissionKey.endpoint, SubmissionKey.redirect_url)
                                       .where(SubmissionKey.key == key)).one()
            if first.endpoint != request.endpoint:
                abort(400)  # a key is only ever rendered into one form
            flash(ALREADY_SENT, "info")
            return redirect(first.redirect_url)
        return None

    def created(self, url: str) -> str:
        """Record (in the creating transaction) the page of what this submission made; returns it."""
        db.session.execute(update(SubmissionKey).where(SubmissionKey.key == self.submission_key.data)
                           .values(redirect_url=url))
        return url
