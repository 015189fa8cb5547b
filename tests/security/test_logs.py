"""Logs hold no partner token, no password link and no cookie, whatever logger or record shape.

gunicorn's access log passes its atoms as a mapping (record.args is a dict); a redaction that
treats args as a tuple breaks every access line, and logging's error path then prints the
whole record, cookies included, to stderr. So these tests use gunicorn's own records: its
Logger class called as a worker calls it, and a real gunicorn serving the app.
"""
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from toolkit.extensions import db

TOKEN = "Zq3kTOKENvalue-that-must-never-be-logged_0123456789"
COOKIE = "toolkit_session=COOKIEvalue.that.must.never.be.logged"
SET_COOKIE = "toolkit_session=SETCOOKIEvalue.never.logged; HttpOnly; Path=/; SameSite=Lax"
# Every field of gunicorn's that can carry the address or a cookie.
ACCESS_FORMAT = ('%(h)s "%(r)s" %(s)s url=%(U)s query=%(q)s referer=%(f)s cookie=%({cookie}i)s '
                 'set=%({set-cookie}o)s env=%({http_cookie}e)s raw=%({raw_uri}e)s auth=%({authorization}i)s')
SECRETS = (TOKEN, "COOKIEvalue", "SETCOOKIEvalue", "Bearer-secret")


def assert_nothing_secret(text_: str) -> None:
    for secret in SECRETS:
        assert secret not in text_
    assert "--- Logging error ---" not in text_


@pytest.fixture
def gunicorn_loggers():
    """gunicorn's Logger rewires its two loggers; put them back as they were."""
    saved = {}
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.propagate, logger.level)
    yield
    for name, (handlers, propagate, level) in saved.items():
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if handler not in handlers:
                handler.close()
        logger.handlers[:] = handlers
        logger.propagate, logger.level = propagate, level


def test_gunicorns_access_record_is_redacted_and_still_written(app, tmp_path, capsys, gunicorn_loggers):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    cfg = Config()
    cfg.set("accesslog", str(access_log))
    cfg.set("errorlog", str(error_log))
    cfg.set("access_log_format", ACCESS_FORMAT)
    logger = Logger(cfg)
    # What a gunicorn worker hands its logger after answering GET /p/<token>.
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/p/{TOKEN}?from=mail", "PATH_INFO": f"/p/{TOKEN}",
               "QUERY_STRING": "from=mail", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.5",
               "HTTP_COOKIE": COOKIE, "HTTP_REFERER": f"https://toolkit.example/p/{TOKEN}",
               "HTTP_AUTHORIZATION": "Bearer-secret"}
    request = SimpleNamespace(headers=[("HOST", "toolkit.example"), ("COOKIE", COOKIE),
                                       ("REFERER", environ["HTTP_REFERER"]), ("AUTHORIZATION", "Bearer-secret")])
    response = SimpleNamespace(status="200 OK", sent=1234, response_length=1234,
                               headers=[("Content-Type", "text/html"), ("Set-Cookie", SET_COOKIE)])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    logger.error("Error handling request %s", f"/p/{TOKEN}")

    written = access_log.read_text()
    assert written.count("\n") == 1
    assert '"GET /p/[redacted]?from=mail HTTP/1.1" 200' in written
    assert "url=/p/[redacted]" in written and "cookie=[redacted]" in written and "set=[redacted]" in written
    assert "env=[redacted]" in written and "auth=[redacted]" in written
    assert_nothing_secret(written)
    assert_nothing_secret(error_log.read_text())
    assert "/p/[redacted]" in error_log.read_text()
    assert_nothing_secret(capsys.readouterr().err)


def _failing_formatter_output(record) -> str:
    """What logging's error path prints for a record whose message cannot be formatted."""
    return f"Message: {record.msg!r}\nArguments: {record.args}"


def test_every_logger_and_record_shape_is_redacted(app, caplog):
    caplog.set_level(logging.DEBUG)
    werkzeug_line = '%s - - [%s] "%s" %s %s'
    logging.getLogger("werkzeug").info(werkzeug_line, "127.0.0.1", "01/Dec/2026 09:00:00",
                                       f"GET /p/{TOKEN} HTTP/1.1", 200, "-")
    app.logger.error("Exception on %s [%s]", f"/p/{TOKEN}", "POST")
    logging.getLogger().warning(f"root saw /p/{TOKEN} and /account/set-password/{TOKEN}")
    logging.getLogger("toolkit.somewhere").info("an object printed with %%s: %s", SimpleNamespace(url=f"/p/{TOKEN}"))
    logging.getLogger("gunicorn.error").info("Error handling request %s", f"/p/{TOKEN}")
    logging.getLogger("some.library").info("a mapping: %(path)s %(cookie)s", {"path": f"/p/{TOKEN}", "cookie": COOKIE})
    try:
        raise ValueError(f"no route for /p/{TOKEN}")
    except ValueError:
        logging.getLogger("toolkit").exception("failed")
    assert caplog.text.count("/p/[redacted]") >= 7 and "/account/set-password/[redacted]" in caplog.text
    assert_nothing_secret(caplog.text)
    # Numbers keep their type (a %d still formats), and a record that fails to format anyway
    # shows only redacted arguments on logging's error path.
    logging.getLogger("toolkit").info("%d bytes", 12)
    assert "12 bytes" in caplog.text
    broken = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(h)s %(missing", ({"h": f"/p/{TOKEN}", "{cookie}i": COOKIE},), None)
    assert_nothing_secret(_failing_formatter_output(broken))


def test_a_failing_statement_does_not_show_its_parameters(app):
    clinical = "She said she feels unsafe at home"
    with pytest.raises(DBAPIError) as failure:
        db.session.execute(text("SELECT * FROM no_such_table WHERE note = :note"), {"note": clinical})
    db.session.rollback()
    assert clinical not in str(failure.value)
    assert db.engine.hide_parameters


# --- a real gunicorn -----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepared_database(instance: Path) -> tuple[str, str]:
    """A SQLite database with its tables and one partner link; returns its URL and the raw token."""
    from tests.factories import Factories
    from toolkit import create_app

    url = f"sqlite:///{instance / 'toolkit.sqlite'}"
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, "REQUIRE_MFA": False})
    with app.app_context():
        db.create_all()
        make = Factories()
        couple = make.couple(make.therapist())
        token = make.link(couple.partners[0])
        db.session.remove()
        db.engine.dispose()
    return url, token


def _get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_all("Set-Cookie") or []


def _wait_until_serving(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


@pytest.mark.slow
def test_a_real_gunicorn_logs_no_token_and_no_cookie(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setenv("TOOLKIT_INSTANCE", str(instance))
    database_url, token = _prepared_database(instance)
    access_log, error_log, stderr_file = tmp_path / "access.log", tmp_path / "error.log", tmp_path / "stderr"
    port = _free_port()
    env = {**os.environ, "TOOLKIT_INSTANCE": str(instance), "SECRET_KEY": "x", "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
               "--access-logfile", str(access_log), "--error-logfile", str(error_log),
               "--access-logformat", ACCESS_FORMAT, "toolkit:create_app()"]
    with open(stderr_file, "wb") as stderr:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                                  cwd=Path(__file__).resolve().parents[2])
        try:
            _wait_until_serving(port, server)
            status, set_cookies = _get(f"http://127.0.0.1:{port}/login")
            assert status == 200 and set_cookies  # the login form's session cookie
            session_cookie = set_cookies[0].split(";")[0]
            status, _ = _get(f"http://127.0.0.1:{port}/p/{token}", cookie=f"{session_cookie}; {COOKIE}")
            assert status == 200
        finally:
            server.terminate()
            server.wait(timeout=30)
    logged = access_log.read_text()
    assert logged.count("\n") >= 2
    assert "/p/[redacted]" in logged and "cookie=[redacted]" in logged
    for secret in (token, session_cookie.split("=", 1)[1], *SECRETS):
        assert secret not in logged
        assert secret not in error_log.read_text()
        assert secret not in stderr_file.read_text()
    assert "--- Logging error ---" not in stderr_file.read_text() + error_log.read_text()
