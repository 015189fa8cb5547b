"""The render pool: a stuck render is stopped and its worker replaced, workers are recycled, replaced
when killed, forgotten by a forked child, and die with a parent killed with SIGKILL."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from toolkit.pdf import render
from toolkit.pdf.render import RenderTimeout, render_pdf

from .conftest import text_of
from tests.helpers import kill_leftover_render_process

ROOT = Path(__file__).resolve().parents[2]
GIVE_UP_SECONDS = 30
SLOW = "<table>" + "<tr><td>a long cell of text</td><td>and another</td></tr>" * 20_000 + "</table>"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan waits to be reaped by init)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def eventually(condition, seconds: float = GIVE_UP_SECONDS) -> bool:
    """Whether `condition()` holds within `seconds` (a new worker takes a moment to start)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def a_full_pool() -> bool:
    return len(render.worker_pids()) == render.worker_count()


def test_a_render_past_its_time_limit_is_stopped_and_only_its_worker_is_replaced():
    render_pdf("<p>warm</p>")
    workers = render.worker_pids()
    assert len(workers) == render.worker_count()
    with pytest.raises(RenderTimeout, match=r"took longer than 0\.2 s and was stopped"):
        render_pdf(SLOW, timeout=0.2)
    stopped = [pid for pid in workers if not alive(pid)]
    assert len(stopped) == 1  # the stuck render's worker is gone before the error is raised; the others render on
    assert eventually(lambda: a_full_pool() and stopped[0] not in render.worker_pids())
    assert "after" in text_of(render_pdf("<p>after</p>"))


def test_a_worker_is_replaced_after_its_share_of_renders(monkeypatch):
    monkeypatch.setattr(render, "MAX_RENDERS_PER_WORKER", 2)
    render.configure(1)  # a pool of another size: a new one, made with the smaller share
    try:
        render_pdf("<p>one</p>")
        [first] = render.worker_pids()
        render_pdf("<p>two</p>")
        assert eventually(lambda: render.worker_pids() not in ([], [first]))
        assert "three" in text_of(render_pdf("<p>three</p>"))
    finally:
        render.configure(None)


def test_workers_killed_from_outside_are_replaced_and_the_next_render_works():
    render_pdf("<p>warm</p>")
    killed = render.worker_pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    assert "after" in text_of(render_pdf("<p>after</p>"))
    assert not set(killed) & set(render.worker_pids())


def exit_code_of(child: int, seconds: float = 60) -> int | None:
    """The child's exit code, or None (and the child killed) if it is still running after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ended, status = os.waitpid(child, os.WNOHANG)
        if ended:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    return None


def test_a_forked_child_renders_with_a_pool_of_its_own():
    # A server that loads the app and then forks (gunicorn --preload): the parent's pool, its
    # threads and its lock do not cross the fork.
    render_pdf("<p>warm</p>")
    child = os.fork()
    if child == 0:
        try:
            code = 0 if "child" in text_of(render_pdf("<p>child</p>", timeout=20)) else 1
        except BaseException:
            code = 2
        os._exit(code)
    assert exit_code_of(child) == 0
    assert "parent" in text_of(render_pdf("<p>parent</p>"))


# A web server process in miniature: the pool is first used from a request's thread that ends,
# a stuck render has the pool's manager thread start a replacement, then the parent is killed.
# Each line it prints is its render processes' ids at one step.
PARENT = """
    import threading, time
    from toolkit.pdf import render

    def first_request():
        render.render_pdf("<p>warm</p>")
        print(" ".join(str(pid) for pid in render.worker_pids()), flush=True)

    if __name__ == "__main__":
        SLOW = "<table>" + "<tr><td>a long cell of text</td><td>and another</td></tr>" * 20000 + "</table>"
        first_use = threading.Thread(target=first_request)
        first_use.start()
        first_use.join()
        render.render_pdf("<p>after the first request's thread ended</p>")
        print(" ".join(str(pid) for pid in render.worker_pids()), flush=True)
        try:
            render.render_pdf(SLOW, timeout=0.2)
        except render.RenderTimeout:
            pass
        deadline = time.monotonic() + 30
        while len(render.worker_pids()) < render.worker_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        render.render_pdf("<p>rendering on after the stuck one</p>")
        threading.Thread(target=render.render_pdf, args=(SLOW,), kwargs={"timeout": 120}, daemon=True).start()
        print(" ".join(str(pid) for pid in render.worker_pids()), flush=True)
        threading.Event().wait(120)
"""


@pytest.fixture
def reap():
    """Kill whatever a failing test left running, so nothing outlives the run."""
    started = []
    yield started
    for pid in started:
        kill_leftover_render_process(pid)


@pytest.mark.slow
def test_first_and_replacement_workers_die_with_a_parent_killed_with_sigkill(reap):
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(PARENT)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        steps = []
        for _ in range(3):
            steps.append([int(pid) for pid in parent.stdout.readline().split()])
            reap.extend(steps[-1])
        first, after_that_thread, now = steps
        # The workers started for a request's thread outlive it (PR_SET_PDEATHSIG follows the thread)...
        assert after_that_thread == first and len(first) == render.worker_count()
        # ...and the stuck render's replacement, started by the pool's manager thread, serves too.
        assert len(now) == render.worker_count() and set(now) != set(first)
        assert all(alive(pid) for pid in now)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
    assert eventually(lambda: not any(alive(pid) for pid in now), 10), "render processes outlived their killed parent"
