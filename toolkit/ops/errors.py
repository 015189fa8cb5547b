"""The page shown when the database cannot be written (or read) at all: 503, nothing saved.

A full disk, a read-only instance folder, an I/O error or a lost database server used to give
a bare 500 ("Something went wrong"), which tells the therapist neither that their work was lost
nor whether trying again can help. Every other database error is still a 500.
"""
import sqlite3

from flask import Flask, Response, current_app, render_template
from sqlalchemy.exc import DBAPIError, OperationalError

from ..extensions import db

TITLE = "Not saved"
TEXT = ("The practice's records could not be reached just now, so nothing was saved. Please try again in a few "
        "minutes. If it keeps happening, tell your practice.")

# SQLite's primary result codes (the low byte of an extended code) that mean "cannot store now".
SQLITE_UNAVAILABLE = {
    5: "database is locked past the busy timeout",  # SQLITE_BUSY
    8: "read-only database or folder",  # SQLITE_READONLY
    10: "disk I/O error",  # SQLITE_IOERR
    11: "damaged database",  # SQLITE_CORRUPT
    13: "disk full",  # SQLITE_FULL
    14: "cannot open the database file",  # SQLITE_CANTOPEN
    26: "not a database",  # SQLITE_NOTADB
}
# PostgreSQL SQLSTATEs (or their classes) of the same kind.
POSTGRES_UNAVAILABLE = {
    "08": "connection lost",
    "53": "insufficient resources (disk full, out of memory, too many connections)",
    "57P": "server shutting down or starting",
    "58": "system or I/O error",
    "25006": "read-only transaction (a standby?)",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, _database_error)


def why_unavailable(error: DBAPIError) -> str | None:
    """What keeps the database from storing anything now, or None for any other database error."""
    original = error.orig
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", None)
        return SQLITE_UNAVAILABLE.get(code & 0xFF) if code is not None else None
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is None:
        # A driver's OperationalError without a state is a connection that failed or broke.
        return "cannot connect" if isinstance(error, OperationalError) else None
    return next((why for prefix, why in POSTGRES_UNAVAILABLE.items() if sqlstate.startswith(prefix)), None)


def _database_error(error: DBAPIError):
    why = why_unavailable(error)
    if why is None:
        raise error  # not ours: Flask logs it and shows the 500 page, as before
    db.session.rollback()
    # The driver's message names the table or file (parameters stay hidden); the doctor says more.
    current_app.logger.error("The database is unavailable (%s), nothing was saved: %s. Run `flask --app toolkit "
                             "doctor`.", why, str(error.orig).strip().splitlines()[0])
    headers = {"Retry-After": "60"}
    try:
        return render_template("error.html", title=TITLE, text=TEXT, code=503), 503, headers
    except Exception:  # the layout asks who is signed in, which may need the same database: plain text then
        db.session.rollback()
        return Response(f"{TITLE}. {TEXT}", 503, headers, mimetype="text/plain")
