"""A write that fails leaves none of its clinical text in any log record, on SQLite and PostgreSQL.

hide_parameters keeps SQLAlchemy's own messages clean (tests/security/test_logs.py proves that of
the exception's text); this follows a failing write through a real request, with every logger
at DEBUG, into the records the app's error log is made of. PostgreSQL repeats the failing row in
its DETAIL ("Failing row contains (...)"), which hide_parameters does not hide.
"""
import logging
import os
import traceback

import pytest

from toolkit.couples.models import Couple, Partner
from toolkit.extensions import db
from toolkit.access import open_to_all

CLINICAL = "Qz9 disclosed the affair and thoughts of self-harm in session twelve Qz9"


def no_therapist(therapist_id):
    """A NOT NULL violation: a couple with no therapist (the row is repeated in PostgreSQL's DETAIL)."""
    db.session.add(Couple(therapist_id=None, notes=CLINICAL))


def too_long(therapist_id):
    """A value longer than its column (String(80)); PostgreSQL refuses it, SQLite would store it."""
    couple = Couple(therapist_id=therapist_id, notes=CLINICAL)
    db.session.add(couple)
    db.session.flush()
    db.session.add(Partner(couple_id=couple.id, position=1, first_name=CLINICAL * 3))


@pytest.mark.parametrize("failing_write", [
    no_therapist,
    pytest.param(too_long, marks=pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                                    reason="SQLite does not enforce a string's length")),
], ids=["not-null", "too-long"])
@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)  # as in production: Flask logs the 500 itself
def test_a_failing_write_logs_no_clinical_text(app, make, caplog, capsys, failing_write):
    @app.post("/_failing-write/<int:therapist_id>")
    @open_to_all  # a test route: no sign-in in the way of the error it provokes
    def write(therapist_id):
        failing_write(therapist_id)
        db.session.commit()
        return "saved"

    therapist_id = make.therapist().id
    caplog.set_level(logging.DEBUG)  # the root and so every logger, SQLAlchemy's engine included
    response = app.test_client().post(f"/_failing-write/{therapist_id}")
    db.session.remove()
    assert response.status_code == 500 and CLINICAL not in response.get_data(as_text=True)
    errors = [record for record in caplog.records if record.exc_info]
    assert errors, "the failing request was not logged"
    for record in caplog.records:
        written = record.getMessage() + "".join(traceback.format_exception(*record.exc_info) if record.exc_info else [])
        assert "Qz9" not in written, (record.name, written)
    assert "Qz9" not in caplog.text
    assert "Qz9" not in capsys.readouterr().err
