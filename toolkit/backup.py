"""A consistent copy of a live database.

SQLite: `VACUUM INTO` writes one snapshot of the database as it stood when the copy began, in a
single read transaction, so writes may go on meanwhile (WAL) and never make it start over. The
backup API, used before, restarts its page-by-page copy whenever another connection writes, so
under a steady stream of answers it may never finish. Copying the file alone would miss what
sits in the -wal file. PostgreSQL: use pg_dump, which does the same.
"""
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

WHAT_TO_DO_WHEN_DAMAGED = "Run `flask --app toolkit doctor`; restore the newest good backup if it is damaged."


class BackupError(Exception):
    """A backup could not be made; the message says why in plain words."""


def sqlite_path(database_uri: str) -> Path:
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise ValueError("backup copies a SQLite database; for PostgreSQL use pg_dump (see README).")
    return Path(url.database)


def create_private_file(target: Path) -> None:
    """An empty file only the app's user can read: a backup holds every record.

    SQLite would create it 0644 (less the umask). Created here with O_EXCL, so an existing file
    (or one appearing meanwhile) is never overwritten.
    """
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise FileExistsError(f"{target} already exists; choose a new file name.") from None


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy `source` to `target` while others may write; returns the number of pages copied.

    The name asked for is claimed first (so an existing file is refused before any work); the
    snapshot goes to a temporary file beside it, is checked and synced, then takes that name.
    Nothing but a complete, checked copy is ever left under the name asked for.
    """
    if not source.is_file():
        raise BackupError(f"There is no database at {source}. Check SQLALCHEMY_DATABASE_URI or TOOLKIT_INSTANCE.")
    try:
        create_private_file(target)
    except FileExistsError:
        raise
    except OSError as error:
        raise BackupError(f"Cannot write {target}: {error.strerror}. Choose a folder this user may write to.") from None
    partial = None
    try:
        # An empty private file of its own name: VACUUM INTO fills it and keeps its mode (0600).
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
        os.close(descriptor)
        partial = Path(name)
        pages = _snapshot(source, partial)
        _sync(partial)
        os.replace(partial, target)
        _sync(target.parent)
    except BaseException as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        target.unlink(missing_ok=True)  # no empty claim left behind under the name asked for
        if isinstance(error, OSError):
            raise BackupError(f"Could not write the copy to {target.parent}: {error.strerror}.") from None
        raise
    return pages


def _snapshot(source: Path, partial: Path) -> int:
    """VACUUM INTO the (empty) partial file, then check it; returns its page count."""
    try:
        # mode=rw: never create a database where none is (a plain connect would).
        with closing(sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=30)) as live:
            live.execute("VACUUM INTO ?", (str(partial),))
        with closing(sqlite3.connect(partial)) as copy:
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:  # corrupt, not a database, disk full, unreadable
        raise BackupError(f"Could not copy {source}: {error}. {WHAT_TO_DO_WHEN_DAMAGED}") from None
    if check != "ok":
        raise BackupError(f"The copy of {source} failed its integrity check ({check}). {WHAT_TO_DO_WHEN_DAMAGED}")
    return pages


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entry for it) to the disk: SQLite does not sync VACUUM INTO's output."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
