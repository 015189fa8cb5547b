"""Settings from the environment: TOOLKIT_NAME sets NAME; DATABASE_URL and SECRET_KEY work unprefixed."""
import pytest

from tests.conftest import make_app
from toolkit import create_app
from toolkit.extensions import db
from toolkit.pdf import render


@pytest.fixture
def close():
    """Dispose of each app's engine when the test ends, and put the render pool's size back."""
    apps = []
    yield apps.append
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    render.configure(None)


def test_prefixed_variables_reach_the_config_parsed_as_json_where_they_parse(tmp_path, monkeypatch, close):
    monkeypatch.setenv("TOOLKIT_PDF_RENDER_PROCESSES", "3")
    monkeypatch.setenv("TOOLKIT_PRACTICE_NAME", "Northside Couples Therapy")
    app = make_app(tmp_path)
    close(app)
    assert app.config["PDF_RENDER_PROCESSES"] == 3
    assert app.config["PRACTICE_NAME"] == "Northside Couples Therapy"
    assert render.worker_count() == 3


def test_a_test_config_overrides_the_environment(tmp_path, monkeypatch, close):
    monkeypatch.setenv("TOOLKIT_PRACTICE_NAME", "From the environment")
    app = make_app(tmp_path, PRACTICE_NAME="From the test")
    close(app)
    assert app.config["PRACTICE_NAME"] == "From the test"


def test_a_bad_render_process_count_from_the_environment_stops_start_up(tmp_path, monkeypatch, close):
    monkeypatch.setenv("TOOLKIT_PDF_RENDER_PROCESSES", "many")
    with pytest.raises(RuntimeError, match="PDF_RENDER_PROCESSES"):
        make_app(tmp_path)


def test_database_url_and_secret_key_still_work_unprefixed(tmp_path, monkeypatch, close):
    database = f"sqlite:///{tmp_path / 'from-the-environment.sqlite'}"
    monkeypatch.setenv("TOOLKIT_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app({"TESTING": True})
    close(app)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database
    assert app.config["SECRET_KEY"] == "from-the-environment"
