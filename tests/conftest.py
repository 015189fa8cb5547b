"""Fixtures: a fresh app and database for every test.

SQLite (the default) gets a new file per test. With DATABASE_URL pointing at PostgreSQL
the schema is created once per run and every table is emptied before each test.
"""
import os
import re

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import text

from toolkit import create_app
from toolkit.extensions import db

from .factories import Factories

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
_pg_schema_ready = False


def _database_url(tmp_path) -> str:
    return POSTGRES_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"


class Client(FlaskClient):
    """A test client whose every request starts with empty `g`, as in a real server.

    Tests keep an app context pushed (to use the database directly), and Flask reuses
    it for requests; without this, the user loaded by one request would leak into the next.
    """

    def open(self, *args, **kwargs):
        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)


def make_app(tmp_path, **overrides):
    global _pg_schema_ready
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "RECORDS_KEY": None,  # derived from SECRET_KEY, whatever instance/config.py holds
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://toolkit.test",
        "PDF_CACHE_DIR": str(tmp_path / "pdf-cache"),
        # Clinical features are tested signed in with a password; tests/auth prove the second factor.
        "REQUIRE_MFA": False,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = Client
    with app.app_context():
        if POSTGRES_URL:
            if not _pg_schema_ready:
                db.drop_all()
                with db.engine.begin() as conn:
                    conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
                db.create_all()
                _pg_schema_ready = True
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def csrf_app(tmp_path):
    """An app with CSRF protection on, for tests about forms."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factory helpers: make.therapist(), make.couple(therapist), ..."""
    return Factories()


@pytest.fixture
def login(client):
    """Sign a therapist in on the test client."""

    def do_login(therapist, password="correct horse battery"):
        response = client.post("/login", data={"email": therapist.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


@pytest.fixture
def partner_client(app):
    """A fresh browser that opens a partner link and presses Continue."""

    def open_as(token, *, agree=True):
        """Continue from the link; then (by default) agree to the policy and pass on the passcode offer."""
        browser = app.test_client()
        response = browser.post(f"/p/{token}")
        assert response.status_code == 302 and response.headers["Location"] == "/me/"
        if agree:
            assert browser.post("/me/policy", data={"agree": "y"}).status_code == 302
            assert browser.post("/me/passcode", data={"action": "skip"}).status_code == 302
        return browser

    return open_as


def csrf_token_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
