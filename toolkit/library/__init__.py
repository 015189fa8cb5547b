"""The module library: files in handouts/ (and instance/handouts/), held in memory."""
import sys
from pathlib import Path

from flask import Flask, current_app

from .loader import Library, LibraryError, load_library


def init_app(app: Flask) -> None:
    """Load the library once at start-up; an invalid built-in library stops the app here."""
    practice = Path(app.config.get("PRACTICE_HANDOUTS_DIR") or Path(app.instance_path) / "handouts")
    try:
        app.extensions["library"] = load_library(Path(app.config["HANDOUTS_DIR"]), practice)
    except LibraryError:
        # `flask check-handouts` must still start, to list the problems it is asked about.
        if "check-handouts" not in sys.argv[1:]:
            raise
        app.extensions["library"] = Library({})


def get_library() -> Library:
    return current_app.extensions["library"]

