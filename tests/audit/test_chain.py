"""The audit log is keyed, counted and sealed at its end: edits, removals and cuts all show."""
import hashlib
import hmac
import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from toolkit.audit.keys import records_key
from toolkit.audit.models import KEYED, AuditEvent, AuditHead
from toolkit.audit.services import record, verify_chain
from toolkit.extensions import db

from .tamper import as_database_owner, delete, rewrite, rows

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")


@pytest.fixture
def logged(app):
    """Five events, as the app writes them."""
    for n in range(5):
        record("couple.view", object_type="couple", object_id=n + 1, detail=f"visit {n}")
    db.session.commit()
    return rows()


def test_an_intact_log_verifies_and_the_command_says_so(logged, runner):
    assert [e.seq for e in logged] == [1, 2, 3, 4, 5]
    assert all(e.scheme == KEYED for e in logged)
    result = verify_chain()
    assert (result.ok, result.checked, result.first_bad_id, result.problem) == (True, 5, None, None)
    cli = runner.invoke(args=["verify-audit"])
    assert cli.exit_code == 0, cli.output
    assert cli.output.strip().count("\n") == 0 and "intact" in cli.output and "5 row(s)" in cli.output


def test_an_edited_row_with_its_unkeyed_hashes_recomputed_is_named(logged, runner):
    victim = logged[2]
    rewrite(victim.id, detail="nothing to see")
    result = verify_chain()
    assert not result.ok and result.first_bad_id == victim.id and "edited" in result.problem
    assert result.checked == 2
    cli = runner.invoke(args=["verify-audit"])
    assert cli.exit_code == 1
    assert f"row {victim.id}" in cli.output and "edited" in cli.output


def test_deleting_the_newest_row_shows_as_a_cut(logged, runner):
    delete(logged[-1].id)
    result = verify_chain()
    assert not result.ok and result.first_bad_id == logged[-2].id and "removed" in result.problem
    cli = runner.invoke(args=["verify-audit"])
    assert cli.exit_code == 1 and f"row {logged[-2].id}" in cli.output and "removed" in cli.output


def test_deleting_the_newest_rows_and_rewinding_the_head_unsealed_shows(logged):
    for event in logged[-2:]:
        delete(event.id)
    with as_database_owner():
        db.session.execute(db.update(AuditHead).values(seq=3, hash=logged[2].hash))
    result = verify_chain()
    assert not result.ok and result.problem == "the audit head was altered"


def test_deleting_a_middle_row_names_the_row_after_it(logged, runner):
    delete(logged[2].id)
    result = verify_chain()
    assert not result.ok and result.first_bad_id == logged[3].id and "removed" in result.problem
    assert runner.invoke(args=["verify-audit"]).exit_code == 1


def test_renumbering_after_a_deletion_still_shows(logged):
    delete(logged[2].id)
    with as_database_owner():
        for event in logged[3:]:
            db.session.execute(db.update(AuditEvent).where(AuditEvent.id == event.id).values(seq=event.seq - 1))
    result = verify_chain()
    assert not result.ok and result.first_bad_id == logged[3].id


def test_passing_a_keyed_row_off_as_one_from_before_keying_shows(logged):
    rewrite(logged[1].id, scheme="sha256")
    result = verify_chain()
    assert not result.ok and result.first_bad_id == logged[1].id and "unkeyed" in result.problem


def test_a_row_inserted_outside_the_app_shows(logged):
    with as_database_owner():
        db.session.execute(db.insert(AuditEvent).values(at=logged[-1].at, actor="system", action="forged",
                                                        prev_hash=logged[-1].hash, hash="0" * 64))
    result = verify_chain()
    assert not result.ok and "no sequence number" in result.problem


def test_without_the_head_the_app_keeps_logging_and_verify_keeps_failing(logged):
    with as_database_owner():
        db.session.execute(db.delete(AuditHead))
    record("couple.view", object_type="couple", object_id=1)
    db.session.commit()
    assert db.session.execute(db.select(db.func.count()).select_from(AuditHead)).scalar_one() == 0
    result = verify_chain()
    assert not result.ok and "head is missing" in result.problem


def test_the_chain_depends_on_the_key(app, logged):
    app.config["RECORDS_KEY"] = "another key entirely"
    result = verify_chain()
    assert not result.ok and result.first_bad_id == logged[0].id


def test_the_key_is_records_key_or_derived_from_the_secret_key_for_this_purpose(app):
    expected = hmac.new(b"test-secret", b"toolkit records key", hashlib.sha256).digest()
    assert records_key() == expected != b"test-secret"
    app.config["RECORDS_KEY"] = "kept in instance/config.py"
    assert records_key() == b"kept in instance/config.py"


def test_an_empty_log_verifies(app, runner):
    assert verify_chain().ok
    assert runner.invoke(args=["verify-audit"]).exit_code == 0


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only triggers are PostgreSQL's")
@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET detail = 'changed' WHERE seq = 2",
    "DELETE FROM audit_events WHERE seq = 5",
    "DELETE FROM audit_head",
    "UPDATE audit_head SET seq = 3",
])
def test_postgresql_refuses_to_rewrite_the_log(logged, statement):
    with pytest.raises(DBAPIError, match="append-only|only moves forward"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert verify_chain().ok
