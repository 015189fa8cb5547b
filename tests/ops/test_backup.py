"""A backup taken while partners keep writing is consistent and restores."""
import os
import sqlite3
import stat
import threading
import time

import pytest

from toolkit.backup import sqlite_path

pytestmark = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                reason="the backup command copies SQLite; PostgreSQL is backed up with pg_dump")


def test_backup_during_writes_is_consistent_and_restores(app, make, runner, app_factory, tmp_path):
    therapist = make.therapist()
    make.couple(therapist)
    source = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    stop, fifty_written = threading.Event(), threading.Event()
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
            if n == 50:
                fifty_written.set()
        conn.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert fifty_written.wait(30), "the writer did not get 50 rows in"
        target = tmp_path / "copy.sqlite"
        result = runner.invoke(args=["backup", str(target)])
    finally:
        stop.set()
        writer.join(30)
    assert result.exit_code == 0, result.output
    assert "integrity check passed" in result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copied = copy.execute("SELECT count(*) FROM audit_events WHERE action = 'load.test'").fetchone()[0]
        assert 50 <= copied <= len(written)
        assert copy.execute("SELECT count(*) FROM couples").fetchone()[0] == 1
    # Restoring is pointing the app at the copy: it starts and serves the same practice.
    from toolkit.couples.models import Couple
    from toolkit.extensions import db

    restored = app_factory(tmp_path / "restored", SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with restored.app_context():
        assert db.session.execute(db.select(db.func.count(Couple.id))).scalar_one() == 1


def test_backup_refuses_to_overwrite(runner, app, tmp_path):
    target = tmp_path / "exists.sqlite"
    target.write_text("keep me")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert target.read_text() == "keep me"


def test_a_backup_finishes_while_writes_go_on_and_holds_what_came_before(app, runner, tmp_path):
    """The online backup API restarted on every write by another connection: under a steady stream of
    answers it finished only when the writes stopped. VACUUM INTO takes one snapshot and finishes."""
    source = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    with sqlite3.connect(source, isolation_level=None) as conn:
        conn.execute("CREATE TABLE filler (data BLOB)")
        conn.execute("CREATE TABLE heartbeats (id INTEGER PRIMARY KEY)")
        # 20 MB: twenty of the backup API's steps, each one a chance for a write to restart it.
        conn.executemany("INSERT INTO filler VALUES (randomblob(4000))", [()] * 5000)
    committed, under_way = [0], threading.Event()

    def write_steadily(seconds=3.0, every=0.005):
        conn = sqlite3.connect(source, timeout=30, isolation_level=None)
        end = time.monotonic() + seconds  # bounded: the test ends even if the backup never does
        while time.monotonic() < end:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO heartbeats DEFAULT VALUES")
            conn.execute("COMMIT")
            committed[0] += 1
            if committed[0] == 20:
                under_way.set()
            time.sleep(every)
        conn.close()

    writer = threading.Thread(target=write_steadily)
    writer.start()
    assert under_way.wait(5), "the writer did not get going"
    before = committed[0]
    target = tmp_path / "during-writes.sqlite"
    result = runner.invoke(args=["backup", str(target)])
    finished_while_writing = writer.is_alive()
    writer.join()
    assert result.exit_code == 0, result.output
    assert finished_while_writing, "the backup waited for the writes to stop"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial file left
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert before <= copy.execute("SELECT count(*) FROM heartbeats").fetchone()[0] <= committed[0]
        assert copy.execute("SELECT count(*) FROM filler").fetchone()[0] == 5000
