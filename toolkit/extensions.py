"""Extensions, created unbound and initialised in the app factory."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so SQLite batch migrations can find and alter them.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


# Views commit their audit row before rendering; objects must stay loaded after that commit
# (expiring them would reload every row the page shows, one query each).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login_manager = LoginManager()


# An execution option for work that only reads and must not queue behind writers (the health
# check): `connection.execution_options(**READ_ONLY)` begins its transaction DEFERRED on SQLite.
READ_ONLY = {"toolkit_read_only": True}


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, durable commits and write-ready transactions.

    pysqlite opens transactions lazily and as DEFERRED; in WAL a transaction that
    reads and then writes fails at once with "database is locked" when another
    writer got in between. Beginning every transaction IMMEDIATE makes concurrent
    writers queue on the busy timeout instead.

    synchronous=FULL: in WAL, NORMAL syncs the log only at checkpoints, so a power loss can
    roll back commits a partner or therapist was already told were saved. FULL syncs the log
    on every commit (bench/durability.py measures the cost).
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        read_only = connection.get_execution_options().get("toolkit_read_only")
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def keep_row_values_out_of_errors(engine: Engine) -> None:
    """A failing statement's error names the problem, never the values of the row.

    hide_parameters keeps SQLAlchemy from printing the parameters, but PostgreSQL repeats them
    itself: a NOT NULL or CHECK violation says "DETAIL: Failing row contains (...)", a unique
    violation "Key (...)=(...)", and that message is what a 500 logs. Only the primary message
    (which names the column or constraint) is kept, in the driver's error and in SQLAlchemy's.
    SQLite's messages hold no values; its errors have no `diag` and pass unchanged.
    """

    @event.listens_for(engine, "handle_error")
    def drop_detail(context):
        original = context.original_exception
        diag = getattr(original, "diag", None)
        primary = getattr(diag, "message_primary", None)
        if not primary or str(original).strip() == primary:
            return
        original.args = (primary,)
        wrapped = context.sqlalchemy_exception
        if wrapped is not None and wrapped.args:
            # The wrapper's text was built from the driver's before this event: build it again.
            wrapped.args = (f"({type(original).__module__}.{type(original).__name__}) {primary}", *wrapped.args[1:])
