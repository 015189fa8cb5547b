"""toolkit: a session toolkit for couples therapists."""
import os
from pathlib import Path

from flask import Flask

from . import security
from .extensions import configure_sqlite, csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CRISIS_RESOURCES = (
    "If you are in danger right now, call 911 or your local emergency number.\n"
    "In the US, call or text 988 to reach the Suicide & Crisis Lifeline, any time of day.\n"
    "The National Domestic Violence Hotline: call 1-800-799-7233 or text START to 88788.\n"
    "Your therapist will also see your answer."
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment, then tests."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("TOOLKIT_INSTANCE", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
        template_folder="../templates",
    )
    app.config.from_mapping(
        SECRET_KEY=None,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "toolkit.sqlite"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        PREFERRED_URL_SCHEME="http",
        BASE_URL="http://127.0.0.1:5000",
        HTTPS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="toolkit_session",
        IDLE_TIMEOUT_MINUTES=30,
        ABSOLUTE_TIMEOUT_HOURS=12,
        LOGIN_FAILURES_PER_ACCOUNT=5,
        LOGIN_FAILURES_PER_ADDRESS=20,
        LOGIN_THROTTLE_MINUTES=15,
        PRACTICE_NAME="Your practice",
        HANDOUTS_DIR=str(PROJECT_ROOT / "handouts"),
        WTF_CSRF_TIME_LIMIT=None,
        PARTNER_LINK_DAYS=60,
        PARTNER_LINK_FAILURES_PER_ADDRESS=20,
        PARTNER_IDLE_MINUTES=120,
        CRISIS_RESOURCES=DEFAULT_CRISIS_RESOURCES,
        PAPER_SIZE="Letter",  # or "A4"
        PDF_CACHE_MAX_BYTES=200 * 1024 * 1024,
    )
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        raise RuntimeError(
            "No SECRET_KEY: run `make run` once (it writes instance/config.py) or set SECRET_KEY."
        )
    if app.config["HTTPS"]:
        app.config.update(SESSION_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
    os.makedirs(app.instance_path, exist_ok=True)
    security.redact_tokens_in_logs()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)

    from . import cli, library, models  # noqa: F401 - models registers every table
    from .auth import views as auth
    from .couples import views as couples
    from .dashboard import views as dashboard
    from .homework import views as homework
    from .library import views as library_views
    from .measures import views as measures
    from .notes import views as notes
    from .partners import views as partners
    from .printing import views as printing
    from .sessions import views as sessions

    security.init_app(app)
    library.init_app(app)
    for blueprint in (auth.bp, dashboard.bp, couples.bp, library_views.bp, sessions.bp, homework.bp, notes.bp, measures.bp, printing.bp,
                      partners.link_bp, partners.bp):
        app.register_blueprint(blueprint)
    if app.config.get("BENCH_FLOOR"):
        from .floor import bp as floor_bp

        app.register_blueprint(floor_bp)
    cli.init_app(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.context_processor(lambda: {"nav_items": NAV_ITEMS})
    return app


NAV_ITEMS = [("dashboard.home", "Home"), ("couples.index", "Couples"), ("library.index", "Library")]
