"""A database that cannot store (disk full, read-only, I/O error, server gone) gives a plain 503.

The page says nothing was saved and to try again later, rather than the bare 500 it used to be.
The failures are SQLite's and PostgreSQL's own, brought about for real on new connections.
"""
import os

import pytest
from sqlalchemy import event, text

from toolkit.extensions import db
from toolkit.access import open_to_all

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
NOT_SAVED = "nothing was saved"
NEW_COUPLE = {"partner_1-first_name": "Ana", "partner_2-first_name": "Sam"}


def on_new_connections(statement: str) -> None:
    """Run `statement` on every connection made from now on (and none made before)."""
    def run(connection, _record):
        connection.cursor().execute(statement)
        connection.commit()  # psycopg ran the SET in a transaction; a rollback would undo it

    db.session.remove()
    event.listen(db.engine, "connect", run)
    db.engine.dispose()


def assert_not_saved(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:300]
    assert NOT_SAVED in body and "try again" in body
    assert response.headers["Retry-After"]


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own read-only and full-disk errors")
def test_a_read_only_database_says_nothing_was_saved(app, client, make, login):
    login(make.therapist())
    on_new_connections("PRAGMA query_only = ON")  # SQLITE_READONLY: "attempt to write a readonly database"
    assert_not_saved(client.post("/couples/new", data=NEW_COUPLE))


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own read-only and full-disk errors")
def test_a_full_disk_says_nothing_was_saved(app, client, make, login):
    login(make.therapist())
    pages = db.session.execute(text("PRAGMA page_count")).scalar_one()
    # The database may not grow by a page: SQLITE_FULL, "database or disk is full", as on a full disk.
    on_new_connections(f"PRAGMA max_page_count = {pages}")
    response = client.post("/couples/new", data={**NEW_COUPLE, "notes": "A long private note. " * 230})
    assert_not_saved(response)


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's read-only transactions (a standby)")
def test_a_read_only_postgresql_says_nothing_was_saved(app, client, make, login):
    login(make.therapist())
    on_new_connections("SET default_transaction_read_only = on")
    assert_not_saved(client.post("/couples/new", data=NEW_COUPLE))


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)  # as in production: the error page, not the exception
def test_other_database_errors_are_still_a_500(app):
    @app.get("/_broken-query")
    @open_to_all  # a test route: no sign-in in the way of the error it provokes
    def broken():
        db.session.execute(text("SELECT * FROM no_such_table"))

    response = app.test_client().get("/_broken-query")
    assert response.status_code == 500 and NOT_SAVED not in response.get_data(as_text=True)
