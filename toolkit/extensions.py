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


def read_rows(statement, params: dict | None = None) -> list:
    """Plain rows of a SELECT of columns, in the session's transaction.

    Goes through the session's connection rather than the ORM's result machinery, which costs
    as much as running a small query; pending changes are flushed first, as the ORM would.
    """
    db.session.flush()
    return db.session.connection().execute(statement, params or {}).all()


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and write-ready transactions.

    pysqlite opens transactions lazily and as DEFERRED; in WAL a transaction that
    reads and then writes fails at once with "database is locked" when another
    writer got in between. Beginning every transaction IMMEDIATE makes concurrent
    writers queue on the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
