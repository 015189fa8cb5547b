"""The migrations build exactly the schema the models describe."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

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
        # Leave the schema to the other tests' fixture, which rebuilds it when needed.
        import tests.conftest as conftest

        conftest._pg_schema_ready = False


def test_upgrade_matches_the_models_and_downgrade_undoes_it(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], diff
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_a_database_from_the_first_release_upgrades_with_its_rows_intact(empty_app):
    from sqlalchemy import text

    with empty_app.app_context():
        upgrade(revision="8d535b21dce2")  # the first release: accounts, couples, audit
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO therapists (id, email, name, password_hash, is_active_account, created_at) "
                              "VALUES (1, 'a@example.org', 'A', 'x', true, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO couples (id, therapist_id, notes, created_at) "
                              "VALUES (7, 1, 'kept', CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO partners (couple_id, position, first_name) VALUES (7, 1, 'Ana'), (7, 2, 'Sam')"))
        upgrade()
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT notes, checkin_enabled FROM couples WHERE id = 7")).one()
            names = conn.execute(text("SELECT first_name FROM partners WHERE couple_id = 7 ORDER BY position")).scalars().all()
        assert row.notes == "kept" and not row.checkin_enabled
        assert names == ["Ana", "Sam"]
        db.engine.dispose()
