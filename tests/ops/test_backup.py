"""A backup taken while partners keep writing is consistent and restores."""
import os
import sqlite3
import threading

import pytest

from toolkit.backup import sqlite_path

pytestmark = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                reason="the backup command copies SQLite; PostgreSQL is backed up with pg_dump")


def test_backup_during_writes_is_consistent_and_restores(app, make, runner, tmp_path):
    therapist = make.therapist()
    make.couple(therapist)
    source = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    stop = threading.Event()
    written = []

    def keep_writing():
        conn = sqlite3.connect(source, timeout=30, isolation_level=None)
        n = 0
        while not stop.is_set() and n < 2000:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO audit_events (at, actor, action, prev_hash, hash) "
                         "VALUES (CURRENT_TIMESTAMP, 'system', 'load.test', '', '')")
            conn.execute("COMMIT")
            n += 1
            written.append(n)
        conn.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    while len(written) < 50:
        pass
    target = tmp_path / "copy.sqlite"
    result = runner.invoke(args=["backup", str(target)])
    stop.set()
    writer.join()
    assert result.exit_code == 0, result.output
    assert "integrity check passed" in result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copied = copy.execute("SELECT count(*) FROM audit_events WHERE action = 'load.test'").fetchone()[0]
        assert 50 <= copied <= len(written)
        assert copy.execute("SELECT count(*) FROM couples").fetchone()[0] == 1
    # Restoring is pointing the app at the copy: it starts and serves the same practice.
    from tests.conftest import make_app

    restored = make_app(tmp_path / "restored", SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with restored.app_context():
        from toolkit.couples.models import Couple
        from toolkit.extensions import db

        assert db.session.execute(db.select(db.func.count(Couple.id))).scalar_one() == 1
        db.session.remove()


def test_backup_refuses_to_overwrite(runner, app, tmp_path):
    target = tmp_path / "exists.sqlite"
    target.write_text("keep me")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert target.read_text() == "keep me"
