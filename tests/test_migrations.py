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


def test_records_from_before_keying_keep_verifying_by_their_old_rule_and_are_then_sealed(empty_app):
    """Migration 0009 re-hashes nothing: old rows and signed notes are marked and checked as they were."""
    from datetime import datetime

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from tests.audit.tamper import rewrite
    from toolkit.audit.models import LEGACY, AuditEvent
    from toolkit.audit.services import GENESIS, record, verify_chain
    from toolkit.notes.models import Addendum, SessionNote

    signed_at = datetime(2026, 11, 20, 17, 5, 1, 123456)
    note = SessionNote(id=1, session_id=1, format="SOAP", signed_at=signed_at, signed_by_id=1, signed_by_name="A",
                       sections={"subjective": "Tired.", "objective": "", "assessment": "", "plan": ""})
    addendum = Addendum(note_id=1, author_id=1, author_name="A", created_at=signed_at, text="Called.")
    note_hash, addendum_hash = note.legacy_hash(), addendum.legacy_hash()
    events, previous = [], GENESIS
    for n, (action, detail) in enumerate([("login", None), ("note.sign", note_hash), ("note.addendum", "addendum 1"),
                                          ("note.view", None)]):
        at = datetime(2026, 11, 20, 17, n, 0, 500)
        object_type, object_id = (None, None) if action == "login" else ("note", 1)
        digest = AuditEvent(prev_hash=previous, at=at, actor="therapist:1", action=action, object_type=object_type,
                            object_id=object_id, detail=detail).legacy_hash()
        events.append({"at": at, "action": action, "object_type": object_type, "object_id": object_id,
                       "detail": detail, "prev_hash": previous, "hash": digest})
        previous = digest

    with empty_app.app_context():
        upgrade(revision="5c1f0a9e7d21")  # the release before keying
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO therapists (id, email, name, password_hash, is_active_account, created_at) "
                              "VALUES (1, 'a@example.org', 'A', 'x', true, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO couples (id, therapist_id, created_at) VALUES (1, 1, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO therapy_sessions (id, couple_id, number, starts_at, status, created_at) "
                              "VALUES (1, 1, 1, :at, 'held', :at)"), {"at": signed_at})
            conn.execute(text("INSERT INTO session_notes (id, session_id, format, sections, created_at, updated_at, "
                              "signed_at, signed_by_id, signed_by_name, content_hash) VALUES (1, 1, 'SOAP', :sections, "
                              ":at, :at, :at, 1, 'A', :hash)"),
                         {"sections": '{"subjective": "Tired.", "objective": "", "assessment": "", "plan": ""}',
                          "at": signed_at, "hash": note_hash})
            conn.execute(text("INSERT INTO note_addenda (id, note_id, text, author_id, author_name, created_at, "
                              "content_hash) VALUES (1, 1, 'Called.', 1, 'A', :at, :hash)"),
                         {"at": signed_at, "hash": addendum_hash})
            conn.execute(text("INSERT INTO audit_events (at, actor, action, object_type, object_id, detail, prev_hash, "
                              "hash) VALUES (:at, 'therapist:1', :action, :object_type, :object_id, :detail, "
                              ":prev_hash, :hash)"), events)
        upgrade()

        stored = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        assert [(e.seq, e.scheme) for e in stored] == [(n, LEGACY) for n in (1, 2, 3, 4)]
        result = verify_chain()
        assert result.ok and result.checked == 4 and result.before_keying == 4
        note = db.session.get(SessionNote, 1)
        assert note.signed_before_keying and note.is_intact
        assert note.addenda[0].written_before_keying and note.addenda[0].is_intact

        first_keyed = record("note.view", note, object_type="note")
        db.session.commit()
        assert (first_keyed.seq, first_keyed.prev_hash) == (5, stored[-1].hash)
        assert verify_chain().ok

        # The first keyed row sealed the old rows: rewriting them by their old rule now shows.
        rewrite(stored[1].id, detail="0" * 64)
        result = verify_chain()
        assert not result.ok and result.first_bad_id == first_keyed.id
        if db.engine.dialect.name == "postgresql":  # the migration made the table append-only
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text("DELETE FROM audit_events"))
        db.session.remove()
        db.engine.dispose()


def test_browsers_signed_in_before_the_one_session_table_stay_signed_in_both_ways(empty_app):
    """Migration 0013 moves login_sessions and partner_sessions into browser_sessions, and back."""
    from datetime import timedelta

    from sqlalchemy import text

    from toolkit.auth.models import BrowserSession
    from toolkit.auth.services import load_session
    from toolkit.partners.services import load_partner
    from toolkit.timeutil import utcnow
    from toolkit.tokens import hash_token

    now = utcnow()
    times = {"now": now, "later": now + timedelta(days=30)}
    with empty_app.app_context():
        upgrade(revision="7c4b2e9f1a36")  # the release before one session table
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO therapists (id, email, name, password_hash, is_active_account, created_at) "
                              "VALUES (1, 'a@example.org', 'A', 'x', true, :now)"), times)
            conn.execute(text("INSERT INTO couples (id, therapist_id, created_at) VALUES (7, 1, :now)"), times)
            conn.execute(text("INSERT INTO partners (id, couple_id, position, first_name) VALUES (3, 7, 1, 'Ana')"))
            conn.execute(text("INSERT INTO partner_links (id, partner_id, nonce, token_hash, created_at, expires_at) "
                              "VALUES (5, 3, 'n', 'h', :now, :later)"), times)
            conn.execute(text("INSERT INTO login_sessions (id, token_hash, therapist_id, created_at, last_seen_at) "
                              "VALUES (1, :hash, 1, :now, :now)"), {**times, "hash": hash_token("therapist's")})
            conn.execute(text("INSERT INTO partner_sessions (id, token_hash, link_id, created_at, last_seen_at) "
                              "VALUES (1, :hash, 5, :now, :now)"), {**times, "hash": hash_token("partner's")})
        upgrade()
        moved = db.session.execute(db.select(BrowserSession).order_by(BrowserSession.id)).scalars().all()
        assert [(r.therapist_id, r.link_id) for r in moved] == [(1, None), (None, 5)]
        assert {r.created_at for r in moved} == {now}  # the idle and absolute limits count from the same moment
        assert load_session("therapist's").id == 1 and load_partner("partner's").id == 3
        db.session.remove()

        downgrade(revision="7c4b2e9f1a36")
        with db.engine.connect() as conn:
            therapists = conn.execute(text("SELECT token_hash, therapist_id FROM login_sessions")).all()
            partners = conn.execute(text("SELECT token_hash, link_id FROM partner_sessions")).all()
        assert therapists == [(hash_token("therapist's"), 1)] and partners == [(hash_token("partner's"), 5)]
        assert "browser_sessions" not in inspect(db.engine).get_table_names()
        upgrade()  # and up again: the schema is the models' for the tests that follow
        assert load_session("therapist's").id == 1 and load_partner("partner's").id == 3
        db.session.remove()
        db.engine.dispose()
