"""Migration 0011 renumbers sessions that shared a number before the constraint forbids it."""
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from toolkit import create_app
from toolkit.extensions import db


@pytest.fixture
def empty_app(tmp_path):
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    yield app
    if url.startswith("postgresql"):
        import tests.conftest as conftest

        conftest._pg_schema_ready = False  # the other tests' fixture rebuilds the schema


def test_duplicate_session_numbers_are_renumbered_and_then_refused(empty_app):
    with empty_app.app_context():
        upgrade(revision="8d3f5a1c2b47")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO therapists (id, email, name, password_hash, is_active_account, created_at) "
                              "VALUES (1, 'a@example.org', 'A', 'x', true, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO couples (id, therapist_id, created_at) VALUES "
                              "(7, 1, CURRENT_TIMESTAMP), (8, 1, CURRENT_TIMESTAMP)"))
            # Couple 7 has two "Session 3" (and two "Session 1"); couple 8's numbers are fine.
            for id_, couple, number in [(1, 7, 1), (2, 7, 2), (3, 7, 3), (4, 7, 3), (5, 7, 1), (6, 8, 1), (7, 8, 2)]:
                conn.execute(text("INSERT INTO therapy_sessions (id, couple_id, number, starts_at, status, created_at) "
                                  "VALUES (:id, :couple, :number, CURRENT_TIMESTAMP, 'held', CURRENT_TIMESTAMP)"),
                             {"id": id_, "couple": couple, "number": number})
        upgrade()
        with db.engine.connect() as conn:
            numbers = dict(conn.execute(text("SELECT id, number FROM therapy_sessions")).all())
        # The first written keeps its number; the later duplicates come after the couple's highest.
        assert numbers == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 1, 7: 2}
        assert "submission_keys" in inspect(db.engine).get_table_names()
        with pytest.raises(IntegrityError, match="couple_id"):  # the constraint on (couple_id, number)
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO therapy_sessions (id, couple_id, number, starts_at, status, created_at) "
                                  "VALUES (100, 8, 2, CURRENT_TIMESTAMP, 'planned', CURRENT_TIMESTAMP)"))
        downgrade(revision="8d3f5a1c2b47")
        assert "submission_keys" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
