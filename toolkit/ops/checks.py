"""What the app needs from its environment, checked and said plainly.

`flask --app toolkit doctor` runs every check; create_app runs the cheap ones (the instance folder
takes a write, the SQLite file opens) and logs what fails; /healthz runs the three a load balancer
needs. Each finding names the check, the path, what is wrong and what to do.
"""
import errno
import os
import shutil
import sqlite3
import stat
import tempfile
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import READ_ONLY, db

MIN_KEY_LENGTH = 32  # `make run` writes 64 hex characters; anything shorter was typed by hand
BACKUPS = 'restore the newest backup (see "Backups" in the README)'
VERSION_TABLE = "alembic_version"  # where alembic records the revision (migrations/env.py keeps the default)
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26  # the primary result codes of a file that is not sound


@dataclass(frozen=True)
class Finding:
    """One check's result: `problem` and `fix` are empty when all is well."""

    check: str
    where: str
    problem: str = ""
    fix: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    def plain(self) -> str:
        """The finding as the doctor prints it, and as start-up logs it."""
        if self.ok:
            return f"ok       {self.check}: {self.where}"
        return f"PROBLEM  {self.check}: {self.where}\n         {self.problem}\n         What to do: {self.fix}"


# --- writing a file ------------------------------------------------------------------------

def write_probe(folder: Path) -> None:
    """Write, sync and delete a small file in `folder`; raises OSError as a real save would.

    Trying is the only sound test: permissions say nothing to root, and neither they nor
    os.access know of a read-only mount or a full disk.
    """
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=".toolkit-write-check-")
    try:
        os.write(descriptor, b"ok")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
        os.unlink(name)


def _why_unwritable(error: OSError, folder: Path) -> tuple[str, str]:
    if error.errno == errno.ENOSPC:
        return "The disk is full: nothing can be saved.", f"Free space on the disk that holds {folder}."
    if error.errno == errno.EROFS:
        return "It is on a read-only file system.", f"Mount {folder} writable, or set TOOLKIT_INSTANCE to a writable folder."
    if error.errno in (errno.EACCES, errno.EPERM):
        return (f"This user (uid {os.geteuid()}) may not write to it.",
                f"Give the app's user the folder: chown <app user> {folder} && chmod 700 {folder}.")
    return f"Writing a file failed: {error.strerror}.", f"Check the disk and the folder {folder}."


def writable(check: str, folder: Path) -> Finding:
    """The folder exists and takes a small write."""
    if not folder.is_dir():
        return Finding(check, str(folder), "The folder does not exist.",
                       f"Create it (mkdir -m 700 {folder}) or point TOOLKIT_INSTANCE at the right one.")
    try:
        write_probe(folder)
    except OSError as error:
        return Finding(check, str(folder), *_why_unwritable(error, folder))
    return Finding(check, str(folder))


def private(check: str, path: Path) -> Finding:
    """The folder or file is the app user's alone (it holds the keys and the records)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return Finding(check, str(path))
    if mode & 0o077:
        wanted = 0o700 if path.is_dir() else 0o600
        return Finding(check, str(path), f"Others may read it (mode {mode:04o}); it holds keys and records.",
                       f"chmod {wanted:o} {path}")
    return Finding(check, str(path))


# --- the database --------------------------------------------------------------------------

def sqlite_file(app: Flask) -> Path | None:
    """The SQLite database's file, or None for PostgreSQL and in-memory databases."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _open_read_only(path: Path):
    return closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5))


def sqlite_opens(path: Path, *, thorough: bool) -> Finding:
    """The file is there, readable and a sound SQLite database (`thorough`: PRAGMA quick_check).

    A missing file is reported; create_app's start-up check skips it, since `flask db upgrade`
    creates it.
    """
    where = str(path)
    if not path.parent.is_dir():
        return Finding("database", where, f"Its folder {path.parent} does not exist.",
                       "Check SQLALCHEMY_DATABASE_URI (or TOOLKIT_INSTANCE), or create the folder.")
    if not path.exists():
        return Finding("database", where, "There is no database file.",
                       f"Create it with `flask --app toolkit db upgrade`, or {BACKUPS}.")
    try:
        with _open_read_only(path) as connection:
            rows = connection.execute("PRAGMA quick_check" if thorough else "PRAGMA schema_version").fetchall()
    except sqlite3.DatabaseError as error:
        # Only these two say the file itself is bad; a full disk or a read-only folder shows as
        # "disk I/O error" or "unable to open" (no room or no right to make the -shm file), and
        # restoring a backup would not help.
        if (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return Finding("database", where, f"It is damaged or not a SQLite database ({error}).",
                           f"Stop the app and {BACKUPS}.")
        return Finding("database", where, f"It cannot be opened or read ({error}).",
                       f"Fix the disk first: free space, a writable mount, the app's user owning {path.parent}; "
                       "the file itself may well be sound.")
    if thorough and rows[0][0] != "ok":
        summary = "; ".join(row[0] for row in rows[:3])
        return Finding("database", where, f"PRAGMA quick_check found damage: {summary}", f"Stop the app and {BACKUPS}.")
    return Finding("database", where)


def database_answers(app: Flask) -> Finding:
    """PostgreSQL (or any server) answers SELECT 1."""
    where = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    try:
        with db.engine.connect().execution_options(**READ_ONLY) as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        first_line = str(getattr(error, "orig", error)).strip().splitlines()[0]
        return Finding("database", where, f"It does not answer ({first_line}).",
                       "Check DATABASE_URL and that the database server runs and accepts this user.")
    return Finding("database", where)


@dataclass(frozen=True)
class MigrationState:
    """Where the database's schema stands against the code's migrations."""

    status: str  # "current", "behind", "ahead", "empty", or "unrecorded" (made by create_all)
    database: tuple[str, ...]
    code: tuple[str, ...]
    missing: tuple[str, ...] = ()  # tables and columns of the models the database lacks


@lru_cache(maxsize=4)
def _script(directory: str) -> ScriptDirectory:
    # Parsing the migration files costs milliseconds; the code does not change while it runs.
    return ScriptDirectory(directory)


def migration_state(connection: Connection, directory: str) -> MigrationState:
    """Compare the revision recorded in the database (alembic_version) with the code's head.

    A database made by `db.create_all()` (tests, or someone skipping migrations) records no
    revision. It is "unrecorded" when every table and column of the models is there, so the
    app can serve it, and "behind" when some are missing; the doctor still asks for it to be
    stamped, or the next `db upgrade` would try to create tables that exist.
    """
    script = _script(directory)
    code = tuple(sorted(script.get_heads()))
    database = _recorded_revisions(connection)
    if database == code:
        return MigrationState("current", database, code)
    if database:
        known = {revision.revision for revision in script.walk_revisions()}
        return MigrationState("ahead" if set(database) - known else "behind", database, code)
    tables, columns = _missing_from_models(connection)
    if len(tables) == len(db.metadata.tables):
        return MigrationState("empty", database, code, tables)
    missing = tables + columns
    return MigrationState("behind" if missing else "unrecorded", database, code, missing)


def _recorded_revisions(connection: Connection) -> tuple[str, ...]:
    # Read directly: alembic's MigrationContext logs two INFO lines each time, every few seconds
    # under a load balancer's health checks.
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    return tuple(sorted(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()))  # noqa: S608


def _missing_from_models(connection: Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The models' tables, and the columns of the tables that exist, that the database lacks."""
    inspector = inspect(connection)
    existing = set(inspector.get_table_names())
    tables, columns = [], []
    for table in db.metadata.sorted_tables:
        if table.name not in existing:
            tables.append(table.name)
            continue
        found = {column["name"] for column in inspector.get_columns(table.name)}
        columns += [f"{table.name}.{column.name}" for column in table.columns if column.name not in found]
    return tuple(tables), tuple(columns)


def migrations(app: Flask) -> Finding:
    """The database's schema is the code's: migrated to the head revision."""
    where = VERSION_TABLE
    try:
        with db.engine.connect().execution_options(**READ_ONLY) as connection:
            state = migration_state(connection, app.extensions["migrate"].directory)
    except SQLAlchemyError as error:
        return Finding("migrations", where, f"Could not read the schema ({str(getattr(error, 'orig', error))}).",
                       "Fix the database problem above first.")
    upgrade = "Run `flask --app toolkit db upgrade` (back up first)."
    head = ", ".join(state.code)
    if state.status == "current":
        return Finding("migrations", f"{where} = {head} (the code's head)")
    if state.status == "empty":
        return Finding("migrations", where, "The database has no tables yet.", "Run `flask --app toolkit db upgrade`.")
    if state.status == "unrecorded":
        return Finding("migrations", where, "Every table is there, but no migration is recorded (made by create_all), "
                       "so the next upgrade would fail.", "Run `flask --app toolkit db stamp head`.")
    if state.status == "ahead":
        return Finding("migrations", f"{where} = {', '.join(state.database)}",
                       f"The database is from a newer release than this code (head {head}).",
                       "Install the release that made it, or restore a backup taken before the upgrade.")
    found = ", ".join(state.database) or f"none recorded; missing {', '.join(state.missing[:5])}"
    return Finding("migrations", f"{where} = {found}", f"The database is behind the code (head {head}).", upgrade)


# --- disk space and keys -------------------------------------------------------------------

def free_space(folder: Path, minimum_mb: int) -> Finding:
    """Enough free space on the disk that holds `folder` (a full disk stops every save)."""
    try:
        free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    except OSError as error:
        return Finding("disk space", str(folder), f"Cannot read the free space ({error.strerror}).",
                       "Check that the folder exists.")
    if free_mb < minimum_mb:
        return Finding("disk space", str(folder), f"Only {free_mb} MB free (at least {minimum_mb} MB wanted).",
                       "Free space on that disk (MIN_FREE_DISK_MB sets the threshold).")
    return Finding("disk space", f"{folder} ({free_mb} MB free)")


def keys(app: Flask) -> list[Finding]:
    """SECRET_KEY (sessions) and RECORDS_KEY (the audit chain and signed notes) are set and random-length."""
    config_file = Path(app.instance_path) / "config.py"
    findings = []
    for name, purpose in (("SECRET_KEY", "signs sessions"), ("RECORDS_KEY", "keys the audit log and signed notes")):
        value = app.config.get(name)
        if not value:
            problem = f"{name} is not set (it {purpose})."
        elif len(value) < MIN_KEY_LENGTH:
            problem = f"{name} is only {len(value)} characters (it {purpose}); a random key has {MIN_KEY_LENGTH} or more."
        else:
            findings.append(Finding(name, f"set, {len(value)} characters"))
            continue
        fix = f"Set it in {config_file} to secrets.token_hex(32)"
        if name == "RECORDS_KEY":
            # Records already sealed with the old key would read as altered under a new one.
            fix += ", only while the instance has no records yet; then keep it with the backups"
        findings.append(Finding(name, str(config_file), problem, fix + "."))
    return findings


# --- the three entry points ----------------------------------------------------------------

def doctor(app: Flask) -> list[Finding]:
    """Every check, in the order a problem is best fixed."""
    instance = Path(app.instance_path)
    findings = [writable("instance folder", instance), private("instance folder mode", instance),
                private("config.py mode", instance / "config.py")]
    database_file = sqlite_file(app)
    folders = {instance}
    if database_file is None:
        database = database_answers(app)
    else:
        database = sqlite_opens(database_file, thorough=True)
        folders.add(database_file.parent)
        if database_file.parent != instance and database_file.parent.is_dir():
            findings.append(writable("database folder", database_file.parent))  # the -wal and -shm go there
    findings.append(database)
    if database.ok:  # the schema of a database that does not open says nothing more
        findings.append(migrations(app))
    findings += [free_space(folder, int(app.config["MIN_FREE_DISK_MB"])) for folder in sorted(folders) if folder.is_dir()]
    return findings + keys(app)


def startup_problems(app: Flask) -> list[Finding]:
    """The cheap checks: the instance folder takes a write; the SQLite file, if there, opens."""
    findings = [writable("instance folder", Path(app.instance_path))]
    database_file = sqlite_file(app)
    if database_file is not None and database_file.exists():
        findings.append(sqlite_opens(database_file, thorough=False))
        if database_file.parent != Path(app.instance_path):
            findings.append(writable("database folder", database_file.parent))  # the -wal and -shm go there
    return [finding for finding in findings if not finding.ok]


def failing_health_check(app: Flask) -> str | None:
    """The name of the first failing check of /healthz ("database", "migrations", "disk"), or None."""
    try:
        with db.engine.connect().execution_options(**READ_ONLY) as connection:
            connection.execute(text("SELECT 1"))
            state = migration_state(connection, app.extensions["migrate"].directory)
    except SQLAlchemyError:
        return "database"
    if state.status not in ("current", "unrecorded"):
        return "migrations"
    folders = {Path(app.instance_path)}
    database_file = sqlite_file(app)
    if database_file is not None:
        folders.add(database_file.parent)
    try:
        for folder in folders:
            write_probe(folder)
    except OSError:
        return "disk"
    return None
