"""HTML to PDF bytes with WeasyPrint, safely and within a time limit.

WeasyPrint's default fetcher reads file: URLs, follows redirects and requests any host, so a
document only ever gets `AssetFetcher`: bundled files from toolkit/static/ through the
`toolkit-asset:` scheme and PNG data URLs (the QR codes), nothing else. Renders run in worker
processes, so a render past its time limit is stopped by killing its worker, and several
renders run in parallel. Each web server process has its own pool of PDF_RENDER_PROCESSES
workers, and they die with it, even when it is killed with SIGKILL.
"""
import base64
import binascii
import ctypes
import math
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from io import BytesIO
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = Path(__file__).resolve().parent / "print.css"
ASSET_SCHEME = "toolkit-asset"
ASSET_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2", ".css": "text/css",
               ".png": "image/png"}
PNG_DATA_PREFIX = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_DATA_BYTES = 1_000_000
DEFAULT_TIMEOUT = 30.0


class RenderTimeout(Exception):
    """A render took longer than its time limit; its worker was killed."""


class RefusedURL(ValueError):
    """The document asked for something that is not a bundled asset."""


class AssetFetcher(URLFetcher):
    """Serves bundled assets and PNG data URLs; refuses every other URL.

    Every URL asked for is kept in `requested`, so tests (through `render_traced`) can prove
    what a document tried to reach. Refusals raise a plain exception, which WeasyPrint turns
    into a logged warning and a missing resource, so a hostile reference never stops a render.
    """

    def __init__(self):
        # No protocol is allowed and redirects are off, so even the inherited urllib
        # machinery could not open anything if it were ever reached.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        if url.startswith(PNG_DATA_PREFIX):
            return self._png_data(url)
        if url.startswith(ASSET_SCHEME + ":"):
            return self._asset(url)
        raise RefusedURL(f"not a bundled asset: {url[:80]}")

    def _asset(self, url: str) -> URLFetcherResponse:
        relative = unquote(url[len(ASSET_SCHEME) + 1:].split("?")[0].split("#")[0]).lstrip("/")
        path = (STATIC_DIR / relative).resolve()
        if not path.is_relative_to(STATIC_DIR) or path.suffix not in ASSET_TYPES or not path.is_file():
            raise RefusedURL(f"no such bundled asset: {url[:80]}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": ASSET_TYPES[path.suffix]})

    def _png_data(self, url: str) -> URLFetcherResponse:
        # Only PNG: a raster image cannot refer to anything else (an SVG could).
        try:
            data = base64.b64decode(url[len(PNG_DATA_PREFIX):], validate=True)
        except (binascii.Error, ValueError) as error:
            raise RefusedURL("malformed PNG data URL") from error
        if len(data) > MAX_DATA_BYTES or not data.startswith(PNG_SIGNATURE):
            raise RefusedURL("data URL is not a small PNG")
        return URLFetcherResponse("data:image/png", data, {"Content-Type": "image/png"})


# --- in the worker process -------------------------------------------------------------------

class Rendered(NamedTuple):
    """What a worker sends back about a document."""

    pdf: bytes
    pages: int
    requested: list[str]  # every URL the document asked the fetcher for
    anchors: dict[str, int]  # each element id and the index of the page it starts on


_font_config = None
_stylesheet = None


def _worker_style():
    """The font configuration and print stylesheet, made once per worker and reused.

    WeasyPrint writes each @font-face file to a temporary folder and registers it with
    Fontconfig, and parses every stylesheet, on each render; a worker does both once.
    """
    global _font_config, _stylesheet
    if _stylesheet is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        _stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=AssetFetcher(),
                          font_config=_font_config)
    return _font_config, _stylesheet


def _write_pdf(html: str) -> Rendered:
    """Render one document with the print stylesheet (runs in a worker)."""
    from weasyprint import HTML

    font_config, stylesheet = _worker_style()
    fetcher = AssetFetcher()
    document = HTML(string=html, url_fetcher=fetcher).render(font_config=font_config, stylesheets=[stylesheet])
    anchors = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    return Rendered(document.write_pdf(), len(document.pages), fetcher.requested, anchors)


def _warm_up() -> None:
    """Import WeasyPrint, load the fonts and lay out a line when a worker starts."""
    _write_pdf("<p>warm <b>up</b></p>")


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_PARENT_SECONDS = 0.5


def _start_worker(parent_pid: int, started_by_one_thread: bool) -> None:
    """The pool's initializer: tie the worker's life to its parent's, then warm up."""
    die_with_parent(parent_pid, death_signal=started_by_one_thread)
    _warm_up()


def die_with_parent(parent_pid: int, *, death_signal: bool = True) -> None:
    """End this process as soon as `parent_pid` (the web server process) is gone.

    A worker killed with SIGKILL runs no clean-up, so its renderers would live on, reparented,
    holding memory and finishing renders nobody waits for. On Linux the kernel kills us when the
    parent goes (PR_SET_PDEATHSIG); a thread watching our parent's pid covers other systems, and
    the parent dying before the signal was armed.
    """
    if death_signal:
        _set_parent_death_signal()
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="watch-parent", daemon=True).start()


def _set_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no libc prctl: the watching thread is left to do it
        pass


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_PARENT_SECONDS)
    os._exit(1)  # from this thread, even while the main thread is inside a render


# --- in the calling process ------------------------------------------------------------------

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_configured_processes: int | None = None
_starter_lock = threading.Lock()  # apart from _lock, which is held while the pool starts its workers
_starter: ThreadPoolExecutor | None = None


def default_process_count() -> int:
    """Two workers, or one on a single core: each holds its own WeasyPrint, fonts and layouts.

    Every web server process has its own pool, so the renderers on a machine are the server's
    processes times this; two keep a packet's parts in parallel without one pool per core per
    process.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


def configure(processes: int | None) -> None:
    """Set the pool's size from PDF_RENDER_PROCESSES (None: the default); a pool of another size is replaced."""
    global _configured_processes
    if processes is not None and (isinstance(processes, bool) or not isinstance(processes, int) or processes < 1):
        raise ValueError("PDF_RENDER_PROCESSES must be a whole number of 1 or more (or None for the default).")
    _configured_processes = processes


def worker_count() -> int:
    """How many render processes this process's pool has (PDF_RENDER_PROCESSES)."""
    return _configured_processes or default_process_count()


class _RenderPool(ProcessPoolExecutor):
    """A process pool whose workers are all started by one thread that lives as long as we do.

    PR_SET_PDEATHSIG fires when the *thread* that started a process ends, not the process: a
    pool started from a request's thread (the development server runs each request in a thread
    of its own) would lose its workers as soon as that request was answered.
    """

    def _spawn_process(self):  # CPython's one place where a pool starts a worker
        _in_starter_thread(super()._spawn_process)


# Should a Python lack that hook, workers might be started by a request's thread, and the death
# signal would kill them when it ends: they are then left to the watching thread alone.
_STARTED_BY_ONE_THREAD = hasattr(ProcessPoolExecutor, "_spawn_process")


def _in_starter_thread(start):
    global _starter
    if threading.current_thread().name.startswith("pdf-starter"):
        return start()
    with _starter_lock:
        if _starter is None:
            _starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-starter")
    return _starter.submit(start).result()


def _get_pool() -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is not None and _pool_size != worker_count():
            _pool.shutdown(wait=False, cancel_futures=True)  # configured anew: the next one has the new size
            _pool = None
        if _pool is None:
            _pool_size = worker_count()
            # spawn, not fork: the web server's process has threads (and maybe GLib state)
            # that a forked child must not inherit.
            _pool = _RenderPool(
                max_workers=_pool_size, mp_context=get_context("spawn"),
                initializer=_start_worker, initargs=(os.getpid(), _STARTED_BY_ONE_THREAD),
                max_tasks_per_child=200,
            )
            # Start every worker now: the pool only starts one when none is idle, so a run of
            # single renders would leave the first parallel render to start (and warm) the rest.
            for _ in range(_pool_size):
                _pool.submit(int)
        return _pool


def _forget_after_fork() -> None:
    """A forked child (a server that loads the app before forking) starts its own pool and thread."""
    global _lock, _starter_lock, _pool, _starter
    _lock, _starter_lock, _pool, _starter = threading.Lock(), threading.Lock(), None, None


os.register_at_fork(after_in_child=_forget_after_fork)


def _discard_pool(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's workers (one of them is stuck) and let the next call start a new pool."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    # The executor cannot stop one running task, so its processes are killed directly.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _wait_all(htmls: list[str], deadline: float, timeout: float) -> list[Rendered]:
    """Submit the documents to the pool and collect the results before the deadline."""
    pool = _get_pool()
    try:
        futures = [pool.submit(_write_pdf, html) for html in htmls]
        return [f.result(timeout=max(0.0, deadline - time.monotonic())) for f in futures]
    except FutureTimeout:
        _discard_pool(pool)
        raise RenderTimeout(f"PDF rendering took longer than {timeout:g} s and was stopped") from None
    except BrokenProcessPool:
        _discard_pool(pool)
        raise


def _run_all(htmls: list[str], timeout: float) -> list[Rendered]:
    """Render documents in the pool, each round of one document per worker within `timeout`."""
    if not htmls:
        return []
    deadline = time.monotonic() + timeout * math.ceil(len(htmls) / worker_count())
    try:
        return _wait_all(htmls, deadline, timeout)
    except BrokenProcessPool:
        # Another call killed the pool for its own stuck render (or a worker died):
        # try once more on a fresh pool while there is time left.
        if time.monotonic() >= deadline:
            raise
        return _wait_all(htmls, deadline, timeout)


def render_pdf(html: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Render one HTML document, with the print stylesheet, to PDF bytes.

    Raises RenderTimeout past `timeout` seconds.
    """
    return _run_all([html], timeout)[0].pdf


def render_traced(html: str, *, timeout: float = DEFAULT_TIMEOUT) -> Rendered:
    """Like render_pdf, with the page count and every URL the document asked for."""
    return _run_all([html], timeout)[0]


def render_many_traced(htmls: list[str], *, timeout: float = DEFAULT_TIMEOUT) -> list[Rendered]:
    """Render several documents in parallel, one per core, in the same order."""
    return _run_all(htmls, timeout)


def render_many(htmls: list[str], *, timeout: float = DEFAULT_TIMEOUT) -> list[bytes]:
    """Render several documents in parallel, one per core; the PDFs in the same order."""
    return [r.pdf for r in _run_all(htmls, timeout)]


def join_pdfs(parts: list[bytes], *, titles: list[str] | None = None, title: str | None = None) -> bytes:
    """One PDF of the parts in order; `titles` become bookmarks, `title` the document title."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for i, part in enumerate(parts):
        writer.append(PdfReader(BytesIO(part)), outline_item=titles[i] if titles else None)
    if title:
        writer.add_metadata({"/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)
