"""PDF render processes die with the web server process that started them, even on SIGKILL.

A gunicorn worker killed with `kill -9` runs no clean-up; its render processes used to live on,
reparented, holding a WeasyPrint each. Each test starts a parent process of its own, so the
pool of the test run itself is never touched.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from toolkit.pdf import render
from tests.helpers import kill_leftover_render_process

ROOT = Path(__file__).resolve().parents[2]
GIVE_UP_SECONDS = 10

# A web server process in miniature: its pool renders, one render is still running when it is killed.
PARENT = """
    import threading
    from toolkit.pdf import render

    if __name__ == "__main__":
        SLOW = "<table>" + "<tr><td>a long cell of text</td><td>and another</td></tr>" * 20000 + "</table>"
        {before}
        threading.Thread(target=render.render_pdf, args=(SLOW,), kwargs={{"timeout": 120}}, daemon=True).start()
        print(" ".join(str(pid) for pid in render.worker_pids()), flush=True)
        threading.Event().wait(120)
"""
RENDER_IN_MAIN_THREAD = 'render.render_pdf("<p>warm</p>")'
# The development server answers each request in a new thread: the pool is started by one that ends.
RENDER_IN_A_THREAD_THAT_ENDS = ('t = threading.Thread(target=render.render_pdf, args=("<p>warm</p>",)); t.start(); '
                                't.join(); render.render_pdf("<p>again, after that thread ended</p>")')


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan waits to be reaped by init)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_until_gone(pids: list[int], seconds: float = GIVE_UP_SECONDS) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if alive(pid)]


def start_parent(script: str) -> tuple[subprocess.Popen, list[int]]:
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    line = parent.stdout.readline()
    assert line.strip(), "the parent printed no render process ids"
    return parent, [int(pid) for pid in line.split()]


def kill_hard(parent: subprocess.Popen) -> None:
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)


@pytest.fixture
def reap():
    """Kill whatever a failing test left running, so nothing outlives the run."""
    started = []
    yield started
    for pid in started:
        kill_leftover_render_process(pid)


pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]


@pytest.mark.parametrize("before", [RENDER_IN_MAIN_THREAD, RENDER_IN_A_THREAD_THAT_ENDS], ids=["main", "thread"])
def test_render_processes_die_when_their_parent_is_killed(before, reap):
    parent, pids = start_parent(PARENT.format(before=before))
    reap.extend(pids)
    assert len(pids) == render.default_process_count()
    # Still serving after the thread that started them ended (PR_SET_PDEATHSIG follows the thread).
    assert all(alive(pid) for pid in pids)
    time.sleep(0.3)  # the slow render is under way
    kill_hard(parent)
    assert wait_until_gone(pids) == [], "render processes outlived their killed parent"


def test_the_watching_thread_alone_ends_a_worker_whose_parent_is_gone(reap):
    # As on a system without prctl: only the thread watching the parent's pid is left.
    grandparent = """
        import subprocess, sys, os, threading
        child = ("from toolkit.pdf import render; import threading; "
                 f"render.die_with_parent({os.getpid()}, death_signal=False); print('armed', flush=True); threading.Event().wait(120)")
        worker = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
        worker.stdout.readline()
        print(worker.pid, flush=True)
        threading.Event().wait(120)
    """
    parent, pids = start_parent(grandparent)
    reap.extend(pids)
    assert all(alive(pid) for pid in pids)
    kill_hard(parent)
    assert wait_until_gone(pids) == []


def test_the_pool_size_is_the_setting_and_a_bad_one_stops_start_up(app_factory):
    cores = len(os.sched_getaffinity(0))
    assert render.default_process_count() == min(2, cores)
    with pytest.raises(RuntimeError, match="PDF_RENDER_PROCESSES"):
        app_factory(PDF_RENDER_PROCESSES=0)
    try:
        app_factory(PDF_RENDER_PROCESSES=3)
        assert render.worker_count() == 3
    finally:
        render.configure(None)  # back to the default for the rest of the run
    assert render.worker_count() == min(2, cores)
