"""What services raise when a request cannot be met, and the one place that turns it into HTTP.

Services know nothing of HTTP: they raise these, and `init_app` maps each to its status, with
the message shown on the error page.
"""
from flask import Flask
from werkzeug.exceptions import default_exceptions


class DomainError(Exception):
    """A request the rules refuse; `status` is what the error page answers with."""

    status = 400
    default_message: str | None = None

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError):
    """No such record for whoever asks (another therapist's couple is not found either)."""

    status = 404


class NotAllowed(DomainError):
    """The record exists for this person, but the action is not theirs to take."""

    status = 403


class Locked(DomainError):
    """The record is part of the signed record, or not in the state the action needs."""

    status = 409


class Invalid(DomainError):
    """What was sent cannot be acted on."""

    status = 400


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def refuse(error: DomainError):
        # The error page registered for that status renders it, with the message.
        return app.handle_http_exception(default_exceptions[error.status](description=error.message))
