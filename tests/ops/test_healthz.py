"""/healthz for a load balancer: 200 "ok", or 503 naming only the failing check; public and throttled.

"Migrations current" means the database records the code's head revision. A database made by
`db.create_all()` (every test's, and the PostgreSQL test schema) records none: it counts as
current when every table and column of the models is there, and as behind when any is missing,
so a health check never passes a schema the code cannot use. (`flask doctor` still asks for
such a database to be stamped.)
"""
import errno
import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from toolkit import create_app
from toolkit.extensions import db
from toolkit.ops import checks
from toolkit.ops.throttle import TokenBucket

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
FIRST_RELEASE = "8d535b21dce2"


def test_a_healthy_app_answers_ok_to_anyone_and_sets_nothing(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"
    assert "Set-Cookie" not in response.headers  # no session made, nothing about anyone sent


def test_a_database_migrated_to_the_head_is_current(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        upgrade()
        assert app.test_client().get("/healthz").get_data(as_text=True) == "ok"
        db.engine.dispose()


def test_a_database_behind_the_migrations_is_503_migrations(app, client):
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES (:revision)"), {"revision": FIRST_RELEASE})
    try:
        response = client.get("/healthz")
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
    assert response.status_code == 503 and response.get_data(as_text=True) == "migrations"


@pytest.mark.skipif(ON_POSTGRES, reason="drops a table, which the PostgreSQL schema shared by the run must keep")
def test_a_database_missing_a_table_of_the_models_is_503_migrations(app, client):
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE submission_keys"))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_data(as_text=True) == "migrations"


def test_a_database_that_cannot_be_opened_is_503_database(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_INSTANCE", str(tmp_path / "instance"))
    missing = tmp_path / "no" / "such" / "folder" / "toolkit.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_data(as_text=True) == "database"


def test_an_instance_disk_that_takes_no_write_is_503_disk(app, client, monkeypatch):
    def full(folder):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checks, "write_probe", full)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_data(as_text=True) == "disk"


@pytest.mark.app_config(HEALTHZ_PER_MINUTE=3)
def test_healthz_is_throttled_per_address(client):
    statuses = [client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code for _ in range(5)]
    other = client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.8"})
    assert statuses == [200, 200, 200, 429, 429]
    assert other.status_code == 200


def test_the_bucket_refills_and_forgets_idle_addresses():
    now = [0.0]
    bucket = TokenBucket(60, max_keys=2, clock=lambda: now[0])
    assert all(bucket.allow("a") for _ in range(60)) and not bucket.allow("a")
    now[0] += 1.0  # one a second
    assert bucket.allow("a") and not bucket.allow("a")
    bucket.allow("b")
    now[0] += 120.0
    bucket.allow("c")  # a third address: the full (idle) buckets are dropped
    assert len(bucket._buckets) <= 2
