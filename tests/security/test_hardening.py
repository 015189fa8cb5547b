"""Hardening found by a security test: each test here failed on the code before the fix.

Client addresses through the trusted proxies; ids and dates out of range are a 404 or a form
error, not a 500; request bodies are size-limited; instance/ is private; partner sessions end
after an absolute lifetime; redirects never name the Host header; and a built wheel is a
working app.
"""
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.routing import IntegerConverter

from toolkit import create_app
from toolkit.audit.models import AuditEvent
from toolkit.extensions import db
from toolkit.partners.models import PartnerSession
from toolkit.security import DatabaseIdConverter, without_request_host
from toolkit.sessions.models import TherapySession
from toolkit.timeutil import utcnow

PROJECT = Path(__file__).resolve().parents[2]


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def umask_022():
    """The usual umask, so files made without care come out 0644 and folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


# --- 2. behind a proxy ------------------------------------------------------------------

@pytest.mark.parametrize("app, recorded", [({"TRUSTED_PROXIES": 1}, "203.0.113.7"),
                                           ({"TRUSTED_PROXIES": 0}, "127.0.0.1")], indirect=["app"])
def test_the_client_address_is_read_through_the_trusted_proxies(client, recorded):
    # The client wrote the first entry itself; the one proxy in front added the second.
    client.get("/p/no-such-link", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    # The audit row's address is what the partner-link throttle counts per address.
    addresses = db.session.execute(db.select(AuditEvent.ip).filter_by(action="partner_link.invalid")).scalars()
    assert list(addresses) == [recorded]


# --- 3. ids and dates out of range ---------------------------------------------------------

@pytest.mark.parametrize("couple_id", ["99999999999999999999", "2147483648", "2147483647", "0"])
def test_ids_out_of_the_databases_range_are_not_found(client, make, login, couple_id):
    login(make.therapist())
    assert client.get(f"/couples/{couple_id}").status_code == 404
    assert client.get(f"/couples/{couple_id}/sessions/{couple_id}").status_code == 404


def test_every_integer_in_a_route_is_a_bounded_database_id(app):
    converters = [c for rule in app.url_map.iter_rules() for c in rule._converters.values()
                  if isinstance(c, IntegerConverter)]
    assert converters and all(isinstance(c, DatabaseIdConverter) for c in converters)


def test_a_session_date_outside_1900_to_2100_is_a_form_error(client, make, login):
    therapist = make.therapist()
    login(therapist)
    couple = make.couple(therapist)
    new = f"/couples/{couple.id}/sessions/new"
    for year in ("9999", "1066"):
        response = client.post(new, data={"starts_at": f"{year}-12-31T10:00", "status": "planned"})
        assert response.status_code == 200
        assert "Enter a date between 1900 and 2100." in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(TherapySession.id))).scalar_one() == 0
    assert client.post(new, data={"starts_at": "2100-12-31T10:00", "status": "planned"}).status_code == 302
    session = db.session.execute(db.select(TherapySession)).scalar_one()
    edit = client.post(f"/couples/{couple.id}/sessions/{session.id}/edit",
                       data={"starts_at": "9999-01-01T10:00", "status": "planned"})
    assert edit.status_code == 200 and "Enter a date between 1900 and 2100." in edit.get_data(as_text=True)
    assert client.get(f"/couples/{couple.id}/sessions/{session.id}").status_code == 200
    assert client.get(f"/couples/{couple.id}").status_code == 200


# --- 4. request size -----------------------------------------------------------------------

@pytest.mark.parametrize("fixture", ["app", "csrf_app"])
def test_a_too_large_post_gets_the_413_page(request, fixture):
    app = request.getfixturevalue(fixture)
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    response = app.test_client().post("/login", data={"email": "a@example.org", "password": "x" * (3 * 1024 * 1024)})
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "Too large" in page and "Error 413" in page


# --- 5. private files ------------------------------------------------------------------------

def test_instance_folder_database_and_config_are_private(tmp_path, monkeypatch, umask_022):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "config.py").write_text("PRACTICE_NAME = 'Test'\n")
    database = instance / "toolkit.sqlite"
    monkeypatch.setenv("TOOLKIT_INSTANCE", str(instance))
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        db.create_all()
        with db.engine.connect():  # in WAL, the -wal and -shm exist while it is open
            assert database.with_name("toolkit.sqlite-wal").exists() and database.with_name("toolkit.sqlite-shm").exists()
            for path in (database, database.with_name("toolkit.sqlite-wal"), database.with_name("toolkit.sqlite-shm")):
                assert mode_of(path) == 0o600, path
        db.engine.dispose()
    assert mode_of(instance) == 0o700 and mode_of(instance / "config.py") == 0o600
    # A database put in place by copying (a restore) is made private on the next connection.
    database.chmod(0o644)
    with app.app_context():
        with db.engine.connect():
            assert mode_of(database) == 0o600
        db.engine.dispose()


def test_a_new_instance_folder_is_created_private(tmp_path, monkeypatch, umask_022):
    instance = tmp_path / "new" / "instance"
    monkeypatch.setenv("TOOLKIT_INSTANCE", str(instance))
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    with app.app_context():
        db.engine.dispose()
    assert mode_of(instance) == 0o700 and mode_of(instance.parent) == 0o700


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_writes_a_private_config_with_new_keys(tmp_path, umask_022):
    (tmp_path / "instance").mkdir(mode=0o755)  # as a checkout has it (instance/.gitkeep)
    subprocess.run(["make", "-s", "-C", str(tmp_path), "-f", str(PROJECT / "Makefile"), "instance/config.py",
                    f"PYTHON={sys.executable}"], check=True, capture_output=True)
    config = tmp_path / "instance" / "config.py"
    assert mode_of(tmp_path / "instance") == 0o700 and mode_of(config) == 0o600
    written = config.read_text()
    assert "SECRET_KEY = '" in written and "RECORDS_KEY = '" in written


def test_cached_pdfs_and_backups_are_private(tmp_path, umask_022):
    import sqlite3

    from toolkit.backup import backup_sqlite
    from toolkit.pdf.cache import cache_dir_for, cached_pdf

    cache = cache_dir_for(tmp_path / "instance")
    cached_pdf(cache, {"couple_id": 1}, lambda: b"%PDF-1.7 test")
    assert [mode_of(p) for p in cache.iterdir()] == [0o600]
    assert mode_of(cache) == 0o700 and mode_of(cache.parent) == 0o700
    source = tmp_path / "live.sqlite"
    with sqlite3.connect(source) as live:
        live.execute("CREATE TABLE notes (body TEXT)")
    live.close()
    target = tmp_path / "backups" / "copy.sqlite"
    backup_sqlite(source, target)
    assert mode_of(target) == 0o600 and mode_of(target.parent) == 0o700


# --- 6. partner sessions end ------------------------------------------------------------------

def test_a_partner_session_ends_after_its_absolute_lifetime_however_active(app, make, partner_client, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    couple = make.couple(make.therapist())
    browser = partner_client(make.link(couple.partners[0]))
    hours = app.config["PARTNER_SESSION_HOURS"]
    assert hours == 12
    for _ in range(hours * 2 - 1):  # busy all along: a page every half hour, never idle
        time_machine.shift(timedelta(minutes=30))
        assert browser.get("/me/").status_code == 200
    time_machine.shift(timedelta(minutes=29))  # 11 h 59 min after opening: still open
    assert browser.get("/me/").status_code == 200
    time_machine.shift(timedelta(minutes=2))
    assert browser.get("/me/").status_code == 404
    assert db.session.execute(db.select(db.func.count(PartnerSession.id))).scalar_one() == 0


def test_a_partner_session_left_idle_ends_and_the_link_opens_a_new_one(app, make, partner_client, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    couple = make.couple(make.therapist())
    token = make.link(couple.partners[0])
    browser = partner_client(token)
    idle = timedelta(minutes=app.config["PARTNER_IDLE_MINUTES"])
    time_machine.shift(idle - timedelta(minutes=1))
    assert browser.get("/me/").status_code == 200  # back just in time: the session lives on
    time_machine.shift(idle + timedelta(minutes=1))
    gone = browser.get("/me/")
    assert gone.status_code == 404 and "ask your therapist" in gone.get_data(as_text=True)
    assert browser.post(f"/p/{token}").status_code == 302  # the link itself still works
    assert browser.get("/me/").status_code == 200


# --- 7. redirects never name the Host header -----------------------------------------------

def test_the_trailing_slash_redirect_does_not_reflect_the_host_header(client):
    response = client.get("/couples?archived=1", headers={"Host": "evil.example"})
    assert response.status_code in (301, 308)
    assert response.headers["Location"] == "/couples/?archived=1"


def test_a_redirect_to_the_request_host_becomes_relative_and_stays_on_this_site(app):
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert without_request_host("http://evil.example/couples/") == "/couples/"
        assert without_request_host("http://evil.example//other.example/x") == "/other.example/x"
        assert without_request_host("http://evil.example/\\other.example/x") == "/other.example/x"
        assert without_request_host("/me/") == "/me/"
        assert without_request_host("https://www.weather.gov/") == "https://www.weather.gov/"


# --- 8. the wheel ---------------------------------------------------------------------------

# What a build needs from the checkout; the rest (tests, the venv, caches) stays out of the copy.
NOT_BUILT_FROM = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "instance",
                                        "test-artifacts", "tests", "bench", ".hypothesis", ".pytest_cache",
                                        ".ruff_cache", ".ci")


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the checkout, offline (the venv's setuptools, no isolation)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(PROJECT, source, ignore=NOT_BUILT_FROM)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                            "-w", str(work / "dist"), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr + "\n(pip install -e '.[test]' brings setuptools>=70.1)"
    return next((work / "dist").glob("toolkit-*.whl"))


@pytest.mark.slow
def test_the_wheel_holds_every_package_template_handout_migration_and_static_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    code = PROJECT / "toolkit"
    expected = {f"toolkit/{p.relative_to(code).as_posix()}" for p in code.rglob("__init__.py")}
    expected |= {f"toolkit/{p.relative_to(code).as_posix()}" for p in _files_under(code / "static")}
    expected.add("toolkit/pdf/print.css")
    for folder in ("templates", "handouts", "migrations"):
        expected |= {f"toolkit/{p.relative_to(PROJECT).as_posix()}" for p in _files_under(PROJECT / folder)}
    assert sorted(expected - names) == []
    # Nothing lands at the top of site-packages (a "templates" or "migrations" of its own) but the package.
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"toolkit"}


INSTALLED_APP_CHECK = """
import sys
from pathlib import Path
import toolkit
assert Path(toolkit.__file__).is_relative_to(sys.argv[1]), toolkit.__file__
from flask_migrate import upgrade
from toolkit import create_app
app = create_app()
with app.app_context():
    upgrade()  # the migrations shipped in the wheel
    assert len(app.extensions["library"]) >= 30  # the handouts shipped in the wheel
client = app.test_client()
page = client.get("/login")
assert page.status_code == 200 and "csrf_token" in page.get_data(as_text=True), page.status_code
assert client.get("/static/css/app.css").status_code == 200
# Every module came from the wheel, none from the checkout (the editable install would fill gaps).
stray = [m.__file__ for name, m in list(sys.modules.items())
         if name.split(".")[0] == "toolkit" and getattr(m, "__file__", None)
         and not Path(m.__file__).is_relative_to(sys.argv[1])]
assert not stray, stray
print("installed app works")
"""


@pytest.mark.slow
def test_the_installed_wheel_is_a_working_app(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    instance = tmp_path / "instance"
    env = {**os.environ, "PYTHONPATH": str(site), "TOOLKIT_INSTANCE": str(instance), "SECRET_KEY": "x",
           "DATABASE_URL": f"sqlite:///{instance / 'toolkit.sqlite'}"}
    ran = subprocess.run([sys.executable, "-c", INSTALLED_APP_CHECK, str(site)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and "installed app works" in ran.stdout, ran.stdout + ran.stderr


def test_every_date_a_form_takes_is_bounded_to_sane_years(client, make, login):
    """A couple's start, a homework's due date and the audit log's range refuse year 9999 with a clear error."""
    from tests.couples.test_couples import NEW_COUPLE

    therapist = make.therapist(role="admin")
    couple = make.couple(therapist)
    session = make.session(couple, modules=["weekly-check-in"])
    login(therapist)
    message = "Enter a date between 1900 and 2100."
    pages = [
        client.post("/couples/new", data=dict(NEW_COUPLE, started_on="9999-01-01")),
        client.post(f"/couples/{couple.id}/sessions/{session.id}/assign?template=weekly-check-in/three-two-one",
                    data={"who": "each", "due_on": "9999-01-01"}),
        client.get("/admin/audit?since=9999-01-01"),
    ]
    for page in pages:
        assert page.status_code == 200 and message in page.get_data(as_text=True)
