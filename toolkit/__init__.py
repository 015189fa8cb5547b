"""toolkit: a session toolkit for couples therapists."""
import os
from pathlib import Path

from flask import Flask

from . import security
from .extensions import configure_sqlite, csrf, db, keep_row_values_out_of_errors, login_manager, migrate

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# templates/, handouts/ and migrations/ live at the top of a source checkout; a wheel ships them
# inside the package (pyproject.toml maps them there), since site-packages has no project root.
INSTALLED_FROM_WHEEL = (PACKAGE_DIR / "migrations").is_dir()
FILES_ROOT = PACKAGE_DIR if INSTALLED_FROM_WHEEL else PROJECT_ROOT
TEMPLATES_DIR = FILES_ROOT / "templates"
HANDOUTS_DIR = FILES_ROOT / "handouts"
MIGRATIONS_DIR = FILES_ROOT / "migrations"
# A checkout keeps its instance/ beside the code; an installed app uses Flask's default,
# <prefix>/var/toolkit-instance (TOOLKIT_INSTANCE chooses another).
DEFAULT_INSTANCE = None if INSTALLED_FROM_WHEEL else str(PROJECT_ROOT / "instance")

DEFAULT_CRISIS_RESOURCES = (
    "If you are in danger right now, call 911 or your local emergency number.\n"
    "In the US, call or text 988 to reach the Suicide & Crisis Lifeline, any time of day.\n"
    "The National Domestic Violence Hotline: call 1-800-799-7233 or text START to 88788."
)

# What each partner reads and agrees to before their first homework (COUPLES_POLICY).
DEFAULT_COUPLES_POLICY = """\
How your answers are kept

Your therapist sees everything you send here. Your partner does not see what you write in your own homework.
Work you are given together is shared: both of you can see it.

Some questions are marked "only your therapist". Your therapist keeps those answers private. They will not tell your partner what you wrote unless you agree, or unless the law requires it.

Questions about safety are always private. If you tell your therapist you are not safe, they will talk with you alone about what could help.

There are limits. Your therapist must act if someone is in danger of serious harm, if a child or a vulnerable adult is being hurt, or if a court orders it.

Your therapist may choose not to keep a secret that gets in the way of the couple's work. If that could happen, they will talk with you about it first.

You can ask your therapist about any of this at any time."""


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment, then tests."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("TOOLKIT_INSTANCE") or DEFAULT_INSTANCE,
        instance_relative_config=True,
        template_folder=str(TEMPLATES_DIR),
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
        # Wrong passwords or codes are counted per account and address, so someone else failing
        # cannot lock the real user out; the per-account ceiling only stops a spread-out attack.
        LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS=5,
        LOGIN_FAILURES_PER_ACCOUNT=50,
        LOGIN_FAILURES_PER_ADDRESS=20,
        LOGIN_THROTTLE_MINUTES=15,
        PRACTICE_NAME="Your practice",
        HANDOUTS_DIR=str(HANDOUTS_DIR),
        WTF_CSRF_TIME_LIMIT=None,
        PARTNER_LINK_DAYS=60,
        PARTNER_LINK_FAILURES_PER_ADDRESS=20,
        PARTNER_IDLE_MINUTES=120,
        CRISIS_RESOURCES=DEFAULT_CRISIS_RESOURCES,
        COUPLES_POLICY=DEFAULT_COUPLES_POLICY,
        QUICK_EXIT_URL="https://www.weather.gov/",
        PARTNER_PASSCODE="offered",  # or "required" or "off"
        PASSCODE_FAILURES_PER_PARTNER_AND_ADDRESS=5,
        PASSCODE_FAILURES_PER_PARTNER=10,
        PASSCODE_THROTTLE_MINUTES=15,
        PAPER_SIZE="Letter",  # or "A4"
        PDF_CACHE_MAX_BYTES=200 * 1024 * 1024,
        # The key of the audit chain's and signed notes' HMACs; kept apart from the database.
        # None: derived from SECRET_KEY (make run writes its own RECORDS_KEY into instance/config.py).
        RECORDS_KEY=None,
        REQUIRE_MFA=True,  # every account but the demo's signs in with a second factor
        TRUSTED_PROXIES=0,  # how many proxies stand in front (X-Forwarded-For is read through ProxyFix)
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        PARTNER_SESSION_HOURS=12,  # a partner's browser session ends after this, however active
        # PDF render processes per web server process (None: min(2, cores)); each holds its own WeasyPrint.
        PDF_RENDER_PROCESSES=None,
        MIN_FREE_DISK_MB=500,  # `flask doctor` reports less free space than this beside the instance or database
        HEALTHZ_PER_MINUTE=60,  # /healthz requests per client address and minute, counted per process
    )
    app.config.from_pyfile("config.py", silent=True)
    # TOOLKIT_NAME=value sets NAME, the value read as JSON where it parses (TOOLKIT_PDF_RENDER_PROCESSES=3
    # is the number 3). TOOLKIT_INSTANCE alone is read by hand, above: it chooses the instance folder,
    # which holds config.py, so it must be known before the app and its config exist.
    app.config.from_prefixed_env("TOOLKIT")
    # The two unprefixed names CI, the README and `make test DATABASE_URL=...` have always used.
    for variable, setting in (("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"), ("SECRET_KEY", "SECRET_KEY")):
        if os.environ.get(variable):
            app.config[setting] = os.environ[variable]
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        raise RuntimeError(
            "No SECRET_KEY: run `make run` once (it writes instance/config.py) or set SECRET_KEY."
        )
    if app.config["PARTNER_PASSCODE"] not in ("offered", "required", "off"):
        raise RuntimeError('PARTNER_PASSCODE must be "offered", "required" or "off".')
    if app.config["HTTPS"]:
        app.config.update(SESSION_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
    from .pdf import render

    try:
        render.configure(app.config["PDF_RENDER_PROCESSES"])
    except ValueError as error:
        raise RuntimeError(str(error)) from None
    # A failing statement's parameters (clinical text) stay out of errors and logs, whatever the
    # configuration's engine options say.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True}
    # The instance folder holds the keys (config.py), the SQLite database and cached PDFs.
    security.private_dir(Path(app.instance_path))
    security.make_private(Path(app.instance_path) / "config.py")
    security.redact_tokens_in_logs()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        keep_row_values_out_of_errors(db.engine)
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
            security.keep_sqlite_files_private(db.engine)

    from . import access, cli, errors, library, models, ops  # noqa: F401 - models registers every table
    from .admin import views as admin
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
    errors.init_app(app)
    access.init_app(app)  # the login guard, the couple of a request, the isolation rule
    library.init_app(app)
    for blueprint in (auth.bp, admin.bp, dashboard.bp, couples.bp, library_views.bp, sessions.bp, homework.bp, notes.bp, measures.bp, printing.bp,
                      partners.link_bp, partners.public_bp, partners.bp):
        app.register_blueprint(blueprint)
    ops.init_app(app)  # /healthz, the page for a database that cannot store, the start-up checks
    if app.config.get("BENCH_FLOOR"):
        from .floor import bp as floor_bp

        app.register_blueprint(floor_bp)
    cli.init_app(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    from .partners.display import crisis_links

    app.jinja_env.filters["crisis_links"] = crisis_links
    app.context_processor(lambda: {"nav_items": NAV_ITEMS})
    return app


NAV_ITEMS = [("dashboard.home", "Home"), ("couples.index", "Couples"), ("library.index", "Library")]
