"""A commit the app acknowledged survives a power loss: SQLite runs WAL with synchronous=FULL."""
import os

import pytest
from sqlalchemy import text

from toolkit.extensions import db

pytestmark = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                reason="PostgreSQL syncs every commit by default (synchronous_commit=on)")

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_every_new_connection_is_wal_and_syncs_each_commit(app):
    db.engine.dispose()  # a connection made now, not one the fixture's create_all left in the pool
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == FULL
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
