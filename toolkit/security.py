"""Headers on every response, error pages that never show a stack trace, tokens kept out of logs.

Also what every request passes through: the proxies in front, the ids a URL may hold, where a
redirect may point; and the rule that the instance folder is private to the app's user.
"""
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .extensions import db

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: routes take the `int` converter when they are added."""
    app.url_map.converters["int"] = DatabaseIdConverter
    trust_proxies(app)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        if "Location" in headers:
            headers["Location"] = without_request_host(headers["Location"])
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


# PostgreSQL's integer: an id beyond it is no row, and must be a 404 rather than a database error.
LARGEST_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: a positive id the database's integer column can hold."""

    def __init__(self, map, fixed_digits=0, min=1, max=LARGEST_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme through the TRUSTED_PROXIES proxies in front.

    Without it every request has the proxy's address, so every client shares one throttle
    bucket and the audit log records the proxy. Only as many X-Forwarded-For entries as there
    are proxies are believed; anything further left was written by the client.
    """
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies < 0:
        raise RuntimeError("TRUSTED_PROXIES must be 0 (no proxy) or the number of proxies in front.")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def without_request_host(location: str) -> str:
    """A redirect's target with the request's own Host header taken out (a relative URL).

    werkzeug builds some redirects (the trailing slash of /couples) from the Host header, which
    the client chooses. Links that must be absolute are built from BASE_URL instead.
    """
    parts = urlsplit(location)
    if not parts.netloc or parts.netloc.lower() != request.host.lower():
        return location
    # One leading slash: "//evil.example/" (or "/\\evil.example/") would be another site's address.
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


# --- files only the app's user may read --------------------------------------------------

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
GROUP_AND_OTHERS = 0o077
log = logging.getLogger(__name__)


def make_private(path: Path) -> None:
    """Take the group's and others' access from an existing folder or file (0755 to 0700, 0644 to 0600)."""
    try:
        mode = path.stat().st_mode
        if mode & GROUP_AND_OTHERS:
            os.chmod(path, mode & 0o7777 & ~GROUP_AND_OTHERS)
    except FileNotFoundError:
        pass
    except PermissionError:  # not ours (a mounted folder, say): say so rather than refuse to start
        log.warning("Cannot make %s private to this user; check its owner and mode.", path)


def private_dir(path: Path) -> Path:
    """The folder, created if need be, and made private (an existing one may have been 0755).

    Folders created on the way to it are private too (mkdir gives parents the default mode).
    """
    created = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    for folder in {path, *created}:
        make_private(folder)
    return path


def keep_sqlite_files_private(engine: Engine) -> None:
    """The database file and its -wal and -shm are 0600 (SQLite creates them 0644, less the umask).

    Checked on every new connection: a database restored by copying a file into place is
    caught too. SQLite gives a new -wal or -shm the database file's mode.
    """
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return

    @event.listens_for(engine, "connect")
    def on_connect(_dbapi_connection, _record):
        for suffix in ("", "-wal", "-shm"):
            make_private(Path(database + suffix))


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


# --- keeping secrets out of logs ---------------------------------------------------------

# Addresses that carry a secret: a partner's link and a password-setting (invitation or reset) link.
SECRET_PATH = re.compile(r"(/p/|/account/set-password/)[^\s/?#\"]+")
REDACTED = "[redacted]"
# Log fields whose whole value is a secret: cookies and credentials, under any of gunicorn's names
# for them ({cookie}i, {set-cookie}o, {http_cookie}e, {authorization}i ...).
SECRET_FIELD = re.compile(r"cookie|authorization", re.IGNORECASE)


def redact(text: str) -> str:
    """The text with the token of every secret link replaced."""
    return SECRET_PATH.sub(r"\1" + REDACTED, text)


def _redacted_arg(value):
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, (int, float)):
        return value  # keeps %d and %f working
    try:
        text = str(value)  # an object logged with %s (a request, an exception) may print a URL
    except Exception:  # logging must not raise; nor may its error path print the object's repr
        return REDACTED
    cleaned = redact(text)
    return value if cleaned == text else cleaned


class RedactedAtoms(Mapping):
    """A record's mapping of arguments (gunicorn's access-log atoms), read with secrets taken out.

    Read through rather than copied, so gunicorn's own lookups still work: any header by
    `{name}i` whatever its case, and "-" for one the request did not have.
    """

    def __init__(self, atoms: Mapping):
        self._atoms = atoms

    def __getitem__(self, key):
        value = self._atoms[key]
        if isinstance(key, str) and SECRET_FIELD.search(key) and value not in (None, "-"):
            return REDACTED
        return _redacted_arg(value)

    def __iter__(self):
        return iter(self._atoms)

    def __len__(self):
        return len(self._atoms)

    def __repr__(self):  # what logging's error path prints as "Arguments:"
        return repr(dict(self.items()))


def redact_record(record: logging.LogRecord) -> None:
    """Take tokens and cookies out of a record, whatever the shape of its arguments; safe to repeat."""
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, Mapping) and not isinstance(record.args, RedactedAtoms):
        record.args = RedactedAtoms(record.args)
    elif isinstance(record.args, tuple):
        record.args = tuple(_redacted_arg(arg) for arg in record.args)
    if record.exc_info and not record.exc_text:
        # Formatters use exc_text when it is set: the traceback is written out once, redacted.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactPartnerTokens(logging.Filter):
    """The same redaction as a filter, for records made without the record factory."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def _redacting(make_record):
    def make_redacted_record(*args, **kwargs):
        record = make_record(*args, **kwargs)
        redact_record(record)
        return record

    make_redacted_record.redacts = True
    return make_redacted_record


def redact_tokens_in_logs() -> None:
    """Redact every record of every logger (the app's, werkzeug's, gunicorn's, SQLAlchemy's, root).

    A filter on a logger misses what its children propagate, and the handlers that gunicorn or
    a log configuration set up come later; the record factory sees every record as it is made.
    """
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts", False):
        logging.setLogRecordFactory(_redacting(factory))
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPartnerTokens) for f in logger.filters):
            logger.addFilter(RedactPartnerTokens())
