"""The cost of durable commits, measured in one run: `.venv/bin/python bench/durability.py`.

Every connection the app opens runs WAL with synchronous=FULL (toolkit/extensions.py), which
syncs the log on each commit; NORMAL syncs only at checkpoints and may lose the last commits on
power loss. Two databases, set up exactly as the app sets up its own (configure_sqlite), one left
at FULL and one turned back to NORMAL, take small write transactions like a saved answer (BEGIN
IMMEDIATE, one row of about 1 KB, COMMIT) in alternating batches, so a drift in the disk's speed
reaches both sides alike. Then the same for a write-heavy request: two apps, one per setting,
each adding couples (POST /couples/new: the couple, both partners, the audit row, one commit) in
alternating batches. Prints each side's median times and the ratios FULL / NORMAL; appends them
to bench/results.md. The databases live beside the project (BENCH_DIR chooses
another folder), not in /tmp, which may be a RAM disk where a sync costs nothing.
"""
import datetime
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.extensions import configure_sqlite  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
BATCH = int(os.environ.get("BENCH_BATCH", "50"))
REQUEST_BATCH = int(os.environ.get("BENCH_REQUEST_BATCH", "10"))
ANSWER = "I noticed that when we talk about money after dinner it goes better than in the morning. " * 12


def engine_for(path: Path, synchronous: str):
    """An engine set up as the app's, then (for NORMAL) with the old setting put back."""
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine)
    if synchronous != "FULL":
        event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute(f"PRAGMA synchronous={synchronous}"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE answers (id INTEGER PRIMARY KEY, partner INTEGER, body TEXT, at REAL)"))
    return engine


def commit_times(connection, count: int) -> list[float]:
    """Seconds taken by each of `count` one-row write transactions."""
    times = []
    for n in range(count):
        start = time.perf_counter()
        with connection.begin():
            connection.execute(text("INSERT INTO answers (partner, body, at) VALUES (:p, :b, :t)"),
                               {"p": n % 50, "b": ANSWER, "t": time.time()})
        times.append(time.perf_counter() - start)
    return times


def measure(folder: Path) -> dict[str, list[float]]:
    sides = {mode: engine_for(folder / f"{mode.lower()}.sqlite", mode) for mode in ("FULL", "NORMAL")}
    connections = {mode: engine.connect() for mode, engine in sides.items()}
    for mode, connection in connections.items():
        level = connection.exec_driver_sql("PRAGMA synchronous").scalar_one()
        assert level == {"FULL": 2, "NORMAL": 1}[mode], (mode, level)
        connection.rollback()
        commit_times(connection, BATCH)  # warm-up: files grown, caches filled
    times = {mode: [] for mode in sides}
    for round_ in range(ROUNDS):
        order = ("FULL", "NORMAL") if round_ % 2 == 0 else ("NORMAL", "FULL")
        for mode in order:
            times[mode] += commit_times(connections[mode], BATCH)
    for mode, connection in connections.items():
        connection.close()
        sides[mode].dispose()
    return times


def serving(folder: Path, synchronous: str):
    """An app on its own database at this setting, with a therapist signed in on a test client."""
    from toolkit import create_app
    from toolkit.auth.services import create_therapist
    from toolkit.extensions import db

    app = create_app({"SECRET_KEY": "bench-" * 8, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / synchronous}.app.sqlite",
                      "WTF_CSRF_ENABLED": False, "REQUIRE_MFA": False, "PDF_CACHE_DIR": str(folder / "cache")})
    with app.app_context():
        if synchronous != "FULL":
            event.listen(db.engine, "connect", lambda dbapi, _record: dbapi.execute(f"PRAGMA synchronous={synchronous}"))
        db.create_all()
        create_therapist("bench@example.org", "Bench Therapist", "a long bench password 2026")
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    response = client.post("/login", data={"email": "bench@example.org", "password": "a long bench password 2026"})
    assert response.status_code == 302, response.status_code
    return app, client


def request_times(app, client, count: int) -> list[float]:
    """Seconds taken by each of `count` requests that add a couple."""
    times = []
    with app.app_context():
        for n in range(count):
            start = time.perf_counter()
            response = client.post("/couples/new", data={"partner_1-first_name": f"Ana {n}", "partner_2-first_name": "Sam",
                                                         "notes": ANSWER})
            times.append(time.perf_counter() - start)
            assert response.headers.get("Location", "").startswith("/couples/"), response.status_code  # added
    return times


def measure_requests(folder: Path) -> dict[str, list[float]]:
    sides = {mode: serving(folder, mode) for mode in ("FULL", "NORMAL")}
    for app, client in sides.values():
        request_times(app, client, REQUEST_BATCH)  # warm-up
    times = {mode: [] for mode in sides}
    for round_ in range(ROUNDS):
        for mode in (("FULL", "NORMAL") if round_ % 2 == 0 else ("NORMAL", "FULL")):
            times[mode] += request_times(*sides[mode], REQUEST_BATCH)
    for app, _client in sides.values():
        with app.app_context():
            from toolkit.extensions import db

            db.engine.dispose()
    return times


def rows(times: dict[str, list[float]], unit: str) -> list[str]:
    lines = [f"| synchronous | median ms per {unit} | p99 ms | {unit}s per second |", "|---|---|---|---|"]
    for mode in ("NORMAL", "FULL"):
        values = sorted(times[mode])
        median = statistics.median(values)
        lines.append(f"| {mode} | {median * 1000:.3f} | {values[int(len(values) * 0.99) - 1] * 1000:.3f} | {1 / median:.0f} |")
    return lines


def ratio(times: dict[str, list[float]]) -> float:
    return statistics.median(times["FULL"]) / statistics.median(times["NORMAL"])


def main() -> None:
    base = Path(os.environ.get("BENCH_DIR") or ROOT)
    with tempfile.TemporaryDirectory(dir=base, prefix=".bench-durability-") as folder:
        times = measure(Path(folder))
        requests = measure_requests(Path(folder))
    lines = [f"## Durability, {datetime.date.today().isoformat()} on {platform.node()} "
             f"({os.cpu_count()} cores, CPython {platform.python_version()}, SQLite {sqlite3.sqlite_version})",
             "", f"WAL, in {base}. {ROUNDS * BATCH} one-row write transactions (BEGIN IMMEDIATE, about 1 KB, COMMIT) "
             f"per side in alternating batches of {BATCH}:", "", *rows(times, "commit"), "",
             f"{ROUNDS * REQUEST_BATCH} requests adding a couple (POST /couples/new, in process) per side in "
             f"alternating batches of {REQUEST_BATCH}:", "", *rows(requests, "request"), "",
             f"- FULL / NORMAL time per commit: {ratio(times):.2f}",
             f"- FULL / NORMAL time per write request: {ratio(requests):.2f} (the price of never losing an "
             "acknowledged answer on power loss)"]
    text_ = "\n".join(lines) + "\n"
    print(text_)
    with open(ROOT / "bench" / "results.md", "a", encoding="utf-8") as handle:
        handle.write("\n" + text_)


if __name__ == "__main__":
    main()
