"""Rendered PDFs on disk, keyed by a SHA-256 of everything that went into them.

The second download of the same packet is a file read. A key covers every input the caller
names, and must name the couple, so one couple's PDF can never be served for another's. The
folder is bounded in size: the least recently used files go first. Files hold client names,
so the folder is private to the app's user like the database is.
"""
import dataclasses
import datetime
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..security import private_dir

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
SUFFIX = ".pdf"


def cache_dir_for(instance_path: str | Path) -> Path:
    """Where an app instance keeps its rendered PDFs."""
    return Path(instance_path) / "cache" / "pdf"


def _jsonable(value):
    """Turn the kinds of values a document is made from into JSON, each tagged with its type."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__" + type(value).__name__: dataclasses.asdict(value)}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return {"__" + type(value).__name__: value.isoformat()}
    if isinstance(value, (set, frozenset)):
        return {"__set": sorted(value, key=repr)}
    if isinstance(value, bytes):
        return {"__bytes": hashlib.sha256(value).hexdigest()}
    raise TypeError(f"cannot key a PDF by a {type(value).__name__}")


def cache_key(inputs: dict) -> str:
    """The SHA-256 of the inputs, written canonically (sorted keys, tagged types)."""
    if "couple_id" not in inputs:
        raise ValueError("PDF cache inputs must include couple_id (None for a document for no couple)")
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=_jsonable, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cached_pdf(cache_dir: Path, inputs: dict, produce: Callable[[], bytes],
               max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, bool]:
    """The PDF for these inputs and whether it came from the cache; `produce` renders on a miss."""
    path = Path(cache_dir) / (cache_key(inputs) + SUFFIX)
    data = _read(path)
    if data is not None:
        return data, True
    data = produce()
    _write_atomically(path, data)
    evict(Path(cache_dir), max_bytes)
    return data, False


def _read(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if not data.startswith(b"%PDF"):
        return None  # not ours or damaged: render again and overwrite it
    try:
        os.utime(path)  # a hit makes the file recent, so eviction drops the least recently used
    except OSError:
        pass
    return data


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename: readers never see half a PDF.

    The PDFs hold client names: the folder is 0700 and each file 0600 (mkstemp's mode, kept by the rename).
    """
    private_dir(path.parent)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=SUFFIX)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def evict(cache_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Delete the least recently used PDFs until the folder holds at most max_bytes; return how many."""
    entries = []
    for path in cache_dir.glob("*" + SUFFIX):
        if path.name.startswith(".tmp-"):
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:  # another process evicted it first
            continue
        entries.append((stat.st_mtime_ns, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, path in sorted(entries, key=lambda e: (e[0], e[2].name)):
        if total <= max_bytes:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    return removed
