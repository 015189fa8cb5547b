"""Headers on every response, error pages that never show a stack trace, tokens kept out of logs."""
import logging
import re

from flask import Flask, render_template, request

from .extensions import db

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        # No page's address (which may hold a partner's token) leaves the site.
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.path.startswith("/static/"):
            # Pages and PDFs hold clinical data: no browser or proxy keeps a copy.
            headers["Cache-Control"] = "no-store"
        if app.config["HTTPS"]:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response

    @app.teardown_request
    def rollback_unfinished(exc):
        if exc is not None:
            db.session.rollback()

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, _error_page)


ERROR_TEXT = {
    400: ("Something in that request was not right", "Go back, check the form and try again."),
    403: ("Not allowed", "This page is not available to you."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "That action is not available here."),
    409: ("Cannot change this", "It is locked. Add an addendum instead."),
    413: ("Too large", "That was more than this form accepts."),
    429: ("Too many tries", "Wait a few minutes and try again."),
    500: ("Something went wrong", "Please go back and try again. If it keeps happening, tell your practice."),
}


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
    description = getattr(error, "description", None)
    if code == 409 and description:
        text = description
    if code >= 500:
        db.session.rollback()
    return render_template("error.html", title=title, text=text, code=code), code


PARTNER_TOKEN = re.compile(r"/p/[^\s/?\"]+")


class RedactPartnerTokens(logging.Filter):
    """Partner links are secrets: request logs show /p/[redacted] instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(PARTNER_TOKEN.sub("/p/[redacted]", a) if isinstance(a, str) else a
                                for a in (record.args if isinstance(record.args, tuple) else (record.args,)))
        if isinstance(record.msg, str):
            record.msg = PARTNER_TOKEN.sub("/p/[redacted]", record.msg)
        return True


def redact_tokens_in_logs() -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPartnerTokens) for f in logger.filters):
            logger.addFilter(RedactPartnerTokens())
