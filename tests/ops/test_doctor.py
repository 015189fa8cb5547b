"""`flask --app toolkit doctor`, the start-up checks and `flask backup` say plainly what is wrong.

A read-only instance folder, a damaged or missing database, one left behind the code's
migrations: each used to start and then answer 500, or print a traceback. These tests use a
SQLite instance folder of their own whatever DATABASE_URL says: the checks are about files.
"""
import errno
import logging
import os
import sqlite3

import pytest
from flask_migrate import upgrade

from toolkit import create_app
from toolkit.extensions import db
from toolkit.ops import checks

KEYS = {"SECRET_KEY": "s" * 64, "RECORDS_KEY": "r" * 64}
FIRST_RELEASE = "8d535b21dce2"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    folder = tmp_path / "instance"
    monkeypatch.setenv("TOOLKIT_INSTANCE", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return folder


def build(instance, **config):
    return create_app({"TESTING": True, **KEYS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'toolkit.sqlite'}",
                       **config})


def migrated(instance, revision="head", **config):
    app = build(instance, **config)
    with app.app_context():
        upgrade(revision=revision)
        db.engine.dispose()
    return app


def doctor(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert "Traceback" not in result.output
    return result


def test_a_healthy_instance_passes(instance):
    result = doctor(migrated(instance))
    assert result.exit_code == 0, result.output
    assert "PROBLEM" not in result.output and "No problems found." in result.output
    for check in ("instance folder", "database", "migrations", "disk space", "SECRET_KEY", "RECORDS_KEY"):
        assert f"ok       {check}" in result.output


def test_a_damaged_database_is_named_with_what_to_do(instance, caplog):
    instance.mkdir(mode=0o700)
    (instance / "toolkit.sqlite").write_bytes(b"not a database, whatever it once was " * 200)
    with caplog.at_level(logging.ERROR):
        app = build(instance)
    # Start-up already said so, rather than starting quietly to answer 500s.
    assert "file is not a database" in caplog.text and str(instance / "toolkit.sqlite") in caplog.text
    result = doctor(app)
    assert result.exit_code == 1
    assert f"PROBLEM  database: {instance / 'toolkit.sqlite'}" in result.output
    assert "damaged or not a SQLite database (file is not a database)" in result.output
    assert "restore the newest backup" in result.output


def test_a_read_only_instance_folder_is_named(instance, monkeypatch, caplog):
    # Not migrated with alembic, whose env.py reconfigures logging (and so drops caplog's handler).
    app = build(instance)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    os.chmod(instance, 0o500)
    try:
        if os.geteuid() == 0:  # root writes anyway: fail the write as the kernel would for anyone else
            real_probe = checks.write_probe

            def refused(folder):
                if folder == instance:
                    raise PermissionError(errno.EACCES, "Permission denied")
                real_probe(folder)

            monkeypatch.setattr(checks, "write_probe", refused)
        with caplog.at_level(logging.ERROR):
            build(instance)
        assert "may not write to it" in caplog.text
        result = doctor(app)
    finally:
        os.chmod(instance, 0o700)
    assert result.exit_code == 1
    assert f"PROBLEM  instance folder: {instance}" in result.output
    assert "may not write to it" in result.output and f"chmod 700 {instance}" in result.output


def test_a_database_in_a_folder_that_does_not_exist_is_named(instance, tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "toolkit.sqlite"
    result = doctor(build(instance, SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}"))
    assert result.exit_code == 1
    assert f"PROBLEM  database: {missing}" in result.output and "does not exist" in result.output


@pytest.mark.parametrize("state, expected", [
    ("empty", "The database has no tables yet."),
    ("first release", "The database is behind the code"),
    ("create_all", "no migration is recorded"),
])
def test_a_database_not_migrated_to_the_code_is_named(instance, state, expected):
    if state == "first release":
        app = migrated(instance, revision=FIRST_RELEASE)
    else:
        app = build(instance)
        with app.app_context():
            sqlite3.connect(instance / "toolkit.sqlite").close()  # an empty database file
            if state == "create_all":
                db.create_all()
            db.engine.dispose()
    result = doctor(app)
    assert result.exit_code == 1
    assert "PROBLEM  migrations" in result.output and expected in result.output
    assert ("db stamp head" if state == "create_all" else "db upgrade") in result.output


def test_short_or_missing_keys_are_named(instance):
    result = doctor(migrated(instance, SECRET_KEY="dev", RECORDS_KEY=None))
    assert result.exit_code == 1
    assert "SECRET_KEY is only 3 characters" in result.output and "RECORDS_KEY is not set" in result.output


def test_low_disk_space_is_named(instance):
    result = doctor(migrated(instance, MIN_FREE_DISK_MB=10**12))
    assert result.exit_code == 1 and "PROBLEM  disk space" in result.output and "MB free" in result.output


@pytest.mark.parametrize("database", ["damaged", "missing"])
def test_backup_of_a_damaged_or_missing_database_says_so_plainly(instance, tmp_path, database):
    app = build(instance)
    if database == "damaged":
        (instance / "toolkit.sqlite").write_bytes(b"garbage " * 2000)
    target = tmp_path / "backups" / "copy.sqlite"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    if database == "damaged":
        assert result.output.startswith(f"Error: Could not copy {instance / 'toolkit.sqlite'}: file is not a database.")
        assert "doctor" in result.output
    else:
        assert result.output.startswith(f"Error: There is no database at {instance / 'toolkit.sqlite'}.")
        assert not (instance / "toolkit.sqlite").exists()  # and none was created by trying
    assert not target.exists() and (not target.parent.exists() or list(target.parent.iterdir()) == [])


def test_a_full_disk_is_not_taken_for_a_damaged_database(instance, monkeypatch):
    """On a full disk SQLite cannot make its -shm file and says "disk I/O error" (seen on a full
    tmpfs); advising to restore a backup over a sound file would be wrong."""
    app = migrated(instance)

    def full_disk(path):
        error = sqlite3.OperationalError("disk I/O error")
        error.sqlite_errorcode = 10  # SQLITE_IOERR, as SQLite sets it
        raise error

    monkeypatch.setattr(checks, "_open_read_only", full_disk)
    result = doctor(app)
    assert result.exit_code == 1
    assert "It cannot be opened or read (disk I/O error)" in result.output and "free space" in result.output
    assert "restore the newest backup" not in result.output
