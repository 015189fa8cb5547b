"""Fixtures: a fresh app and database for every test.

SQLite (the default) gets a new file per test. With DATABASE_URL pointing at PostgreSQL
the schema is created once per run and every table is emptied before each test.

Every app comes from `app_factory`, which disposes each app's engine when the test ends:
- `app` (with its context pushed), `client`, `make` and `login` are what most tests need.
  A test that needs other settings says so with `@pytest.mark.app_config(NAME=value)`, or
  through `@pytest.mark.parametrize("app", [{...}, ...], indirect=True)`.
- `csrf_app` is the same app with CSRF protection on, for tests about forms as a browser sends them.
- `app_factory(**settings)` itself, for a test that builds several apps, or one that must fail to start.
"""
import os
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import text

from toolkit import create_app
from toolkit.extensions import db

from .factories import PASSWORD, Factories

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
_pg_schema_ready = False


def pytest_configure(config):
    config.addinivalue_line("markers", "app_config(**settings): settings for the test's `app` (and `csrf_app`)")


def _database_url(folder: Path) -> str:
    return POSTGRES_URL or f"sqlite:///{folder / 'test.sqlite'}"


class Client(FlaskClient):
    """A test client whose every request starts with empty `g`, as in a real server.

    Tests keep an app context pushed (to use the database directly), and Flask reuses
    it for requests; without this, the user loaded by one request would leak into the next.
    """

    def open(self, *args, **kwargs):
        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)


def make_app(folder: Path, **overrides):
    """An app on a fresh database in `folder` (on PostgreSQL: the run's schema, emptied)."""
    global _pg_schema_ready
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "RECORDS_KEY": None,  # derived from SECRET_KEY, whatever instance/config.py holds
        "SQLALCHEMY_DATABASE_URI": _database_url(folder),
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://toolkit.test",
        "PDF_CACHE_DIR": str(folder / "pdf-cache"),
        # Clinical features are tested signed in with a password; tests/auth prove the second factor.
        "REQUIRE_MFA": False,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = Client
    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            if not _pg_schema_ready:
                # The whole schema, not only the models' tables: a migration test may leave tables of
                # an older revision behind (tests/reliability/test_migration.py downgrades), and a
                # table the models no longer know would keep theirs from being dropped.
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
                db.create_all()
                _pg_schema_ready = True
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            db.create_all()
    return app


@pytest.fixture
def app_factory(tmp_path):
    """Build apps with settings of the test's own: `app_factory(NAME=value, folder=...)`.

    Each app has its database (SQLite: `folder`/test.sqlite, the test's tmp_path by default) and
    its PDF cache in `folder`. When the test ends, every app built is closed: its session
    removed and its engine disposed, so no connection outlives the test.
    """
    built = []

    def build(folder: Path | None = None, **overrides):
        app = make_app(Path(folder or tmp_path), **overrides)
        built.append(app)
        return app

    yield build
    for app in reversed(built):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _settings(request) -> dict:
    settings = {}
    for marker in reversed(list(request.node.iter_markers("app_config"))):  # the closest marker wins
        settings.update(marker.kwargs)
    settings.update(getattr(request, "param", None) or {})
    return settings


@pytest.fixture
def app(request, app_factory):
    app = app_factory(**_settings(request))
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def csrf_app(request, app_factory):
    """The app with CSRF protection on, for tests about forms."""
    app = app_factory(**{**_settings(request), "WTF_CSRF_ENABLED": True})
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
def make(request):
    """Factory helpers: make.therapist(), make.couple(therapist), ...

    They write through the test's app: `csrf_app` when the test asks for it, `app` otherwise.
    """
    request.getfixturevalue("csrf_app" if "csrf_app" in request.fixturenames else "app")
    return Factories()


@pytest.fixture
def login(client):
    """Sign a therapist in on the test client."""

    def do_login(therapist, password=PASSWORD):
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
