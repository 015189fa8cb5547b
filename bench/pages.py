"""Page speed under a bounded load, measured in one run: `make bench` (or .venv/bin/python bench/pages.py).

For a practice of 30 and of 300 couples (300 couples: 3,000 sessions and 20,000 submissions), each
served by gunicorn on 127.0.0.1 at the same time, a second process sends a fixed number of requests
to the home page, a couple page, the library with a search and a partner's page, interleaved with a
minimal page (one query for 50 rows, a small template on the base layout), visiting both practices
in turn so that a drift in the machine's speed cannot pass for growth. Prints each page's median and 99th
percentile, its median divided by the minimal page's median (target at most 2), and the growth of
each median from 30 to 300 couples (target under 1.5). Appends the results to bench/results.md.
"""
import datetime
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000"))
SIZES = ((30, 2000), (300, 20000))  # couples, submissions
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(instance: Path, database_url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=SECRET, TOOLKIT_INSTANCE=str(instance))
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "toolkit:create_app()"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def practice(couples: int, submissions: int, workdir: Path, stack: list) -> dict:
    """Generate a practice of this size and serve it; returns what the load needs to sign in."""
    from bench.generate import generate

    instance = workdir / f"instance-{couples}"
    instance.mkdir()
    (instance / "config.py").write_text(f"SECRET_KEY = {SECRET!r}\nBENCH_FLOOR = True\n")
    # PostgreSQL: BENCH_DATABASE_URL names one database per size, e.g. .../bench{couples}.
    url = os.environ.get("BENCH_DATABASE_URL", "").format(couples=couples) or f"sqlite:///{instance / 'bench.sqlite'}"
    login = generate(url, couples, submissions=submissions, secret_key=SECRET)
    port = free_port()
    stack.append(serve(instance, url, port))
    return {"base": f"http://127.0.0.1:{port}", "email": login["email"], "password": login["password"],
            "token": login["partner_token"]}


def measure(workdir: Path) -> dict:
    """Both practices served at once and loaded in turn, so the growth compares like with like."""
    servers: list[subprocess.Popen] = []
    try:
        targets = {str(couples): practice(couples, submissions, workdir, servers) for couples, submissions in SIZES}
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), str(REQUESTS), json.dumps(targets)],
                             capture_output=True, text=True, check=True)
    finally:
        for server in servers:
            server.terminate()
            server.wait()
    return {int(couples): times for couples, times in json.loads(out.stdout).items()}


def summarise(times: dict) -> dict:
    floor = statistics.median(times["floor"])
    rows = {}
    for name, values in times.items():
        values = sorted(values)
        median = statistics.median(values)
        rows[name] = {"median_ms": median * 1000, "p99_ms": values[int(len(values) * 0.99) - 1] * 1000,
                      "ratio": median / floor}
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = {couples: summarise(times) for couples, times in measure(Path(tmp)).items()}
    lines = [f"## Pages, {datetime.date.today().isoformat()} on {platform.node()} "
             f"({os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
             f"{os.environ.get('BENCH_DATABASE_URL', 'SQLite').split('@')[-1]})",
             "", f"gunicorn, 2 workers per practice, both practices served at once; {REQUESTS} requests per page "
             "and practice from a second process, 2 at a time, every page of both practices in turn.", "",
             "| page | couples | median ms | p99 ms | median / minimal page (target ≤ 2) |",
             "|---|---|---|---|---|"]
    for couples, rows in results.items():
        for name, row in rows.items():
            lines.append(f"| {name} | {couples} | {row['median_ms']:.2f} | {row['p99_ms']:.2f} | {row['ratio']:.2f} |")
    lines += ["", "| page | growth of the median, 30 → 300 couples (target < 1.5) |", "|---|---|"]
    small, large = results[SIZES[0][0]], results[SIZES[1][0]]
    for name in small:
        lines.append(f"| {name} | {large[name]['median_ms'] / small[name]['median_ms']:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(ROOT / "bench" / "results.md", "a", encoding="utf-8") as handle:
        handle.write("\n" + text)


if __name__ == "__main__":
    main()
