"""The key that makes the audit chain and signed notes tamper-evident.

An unkeyed hash proves nothing against whoever can write the database: they edit a row and
recompute. An HMAC under a key kept apart from the database (instance/config.py or the
environment, never a table) cannot be recomputed without that key.
"""
import hashlib
import hmac
import json

from flask import current_app

# Domain separation: the derived key is useless as SECRET_KEY and SECRET_KEY is never used as is.
DERIVATION_LABEL = b"toolkit records key"


def records_key() -> bytes:
    """RECORDS_KEY when configured, else a key derived from SECRET_KEY for this purpose only.

    Changing either (with RECORDS_KEY unset, rotating SECRET_KEY) makes every keyed record read as
    altered: set RECORDS_KEY once and keep it with the backups of the instance folder.
    """
    configured = current_app.config.get("RECORDS_KEY")
    if configured:
        return _as_bytes(configured)
    return hmac.new(_as_bytes(current_app.config["SECRET_KEY"]), DERIVATION_LABEL, hashlib.sha256).digest()


def seal(purpose: str, fields: list) -> str:
    """The HMAC-SHA256 (hex) of these fields for one purpose ("audit", "note", ...).

    JSON keeps the encoding unambiguous (no separator a field could contain, None apart from ""),
    and the purpose keeps a seal made for one kind of record from passing for another.
    """
    message = json.dumps([purpose, fields], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(records_key(), message.encode(), hashlib.sha256).hexdigest()


def same(stored: str | None, expected: str) -> bool:
    """Constant-time comparison of a stored seal (possibly tampered, possibly None) with the expected one."""
    return stored is not None and hmac.compare_digest(stored.encode(), expected.encode())


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()
