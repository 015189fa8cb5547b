"""A consistent copy of a live database.

SQLite: the sqlite3 backup API copies page by page under SQLite's own locking, so writes may
go on meanwhile and the copy is still a single consistent snapshot (copying the file alone
would miss what sits in the -wal file). PostgreSQL: use pg_dump, which does the same.
"""
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


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
    """Copy `source` to `target` while others may write; returns the number of pages copied."""
    create_private_file(target)
    try:
        with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(target)) as copy:
            live.backup(copy, pages=256)
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except BaseException:
        target.unlink(missing_ok=True)  # no half copy left behind under the name asked for
        raise
    if check != "ok":
        target.unlink(missing_ok=True)
        raise RuntimeError(f"The copy failed its integrity check: {check}")
    return pages
