"""HTML to PDF bytes with WeasyPrint, safely and within a time limit.

WeasyPrint's default fetcher reads file: URLs, follows redirects and requests any host, so a
document only ever gets `AssetFetcher`: bundled files from toolkit/static/ through the
`toolkit-asset:` scheme and PNG data URLs (the QR codes), nothing else. Renders run in the
worker processes of a pebble ProcessPool, which kills the worker of a render past its time limit
and starts another in its place, and several renders run in parallel. Each web server process has
its own pool of PDF_RENDER_PROCESSES workers, and they die with it, even when it is killed with
SIGKILL.
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
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from io import BytesIO
from multiprocessing import active_children, get_context
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from pebble import ProcessExpired, ProcessFuture, ProcessPool
from pebble.pool.process import WORKERS_NAME
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


def _start_worker(parent_pid: int) -> None:
    """The pool's initializer: tie the worker's life to its parent's, then warm up."""
    die_with_parent(parent_pid)
    _warm_up()


def die_with_parent(parent_pid: int, *, death_signal: bool = True) -> None:
    """End this process as soon as `parent_pid` (the web server process) is gone.

    A worker killed with SIGKILL runs no clean-up, so its renderers would live on, reparented,
    holding memory and finishing renders nobody waits for. On Linux the kernel kills us when the
    parent goes (PR_SET_PDEATHSIG; it follows the thread that started us, see
    `_start_from_a_lasting_thread`); a thread watching our parent's pid covers other systems, and
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

MAX_RENDERS_PER_WORKER = 200  # then pebble replaces the worker, so a leak in WeasyPrint cannot grow without end
# Past a render's time limit pebble's manager thread notices within a tenth of a second and stops the
# worker (SIGTERM, then SIGKILL three seconds later); the caller gives up by itself only after that.
STOP_GRACE_SECONDS = 4.0

_lock = threading.Lock()
_pool: ProcessPool | None = None
_pool_size = 0
_configured_processes: int | None = None
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


def worker_pids() -> list[int]:
    """The process ids of this process's render workers that are running now."""
    return sorted(child.pid for child in active_children() if child.name == WORKERS_NAME)


def _new_pool(size: int) -> ProcessPool:
    # spawn, not fork: the web server's process has threads (and maybe GLib state) that a forked
    # child must not inherit.
    return ProcessPool(max_workers=size, max_tasks=MAX_RENDERS_PER_WORKER, initializer=_start_worker,
                       initargs=(os.getpid(),), context=get_context("spawn"))


def _start_from_a_lasting_thread(pool: ProcessPool) -> None:
    """Start the pool's first workers from a thread that lives as long as this process.

    PR_SET_PDEATHSIG fires when the *thread* that started a process ends, not the process. pebble
    starts a pool's first workers in the thread that first uses the pool, and every later one
    (replacing a worker past its time limit, dead, or done with its renders) in its manager thread,
    which lives as long as the pool. A pool first used from a request's thread (the development
    server answers each request in a thread of its own) would lose its first workers as soon as
    that request was answered, so this one thread starts every pool.
    """
    global _starter
    if _starter is None:
        _starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-pool-starter")
    _starter.submit(lambda: pool.active).result()  # asking whether it is active starts it


def _retire(pool: ProcessPool) -> None:
    """Stop a pool, killing a worker still rendering, and wait for its workers to be gone."""
    pool.stop()
    pool.join()


def _get_pool() -> ProcessPool:
    global _pool, _pool_size
    retired = None
    with _lock:
        if _pool is not None and (_pool_size != worker_count() or not _pool.active):
            retired, _pool = _pool, None  # configured anew, or failed: the next one has the new size
        if _pool is None:
            _pool_size = worker_count()
            _pool = _new_pool(_pool_size)
            _start_from_a_lasting_thread(_pool)
        pool = _pool
    if retired is not None:
        _retire(retired)
    return pool


def _forget_after_fork() -> None:
    """A forked child (a server that loads the app before forking) starts its own pool and thread."""
    global _lock, _pool, _starter
    _lock, _pool, _starter = threading.Lock(), None, None


os.register_at_fork(after_in_child=_forget_after_fork)


def _schedule_all(pool: ProcessPool, htmls: list[str], timeout: float) -> list[ProcessFuture]:
    """One task per document; the pool kills and replaces the worker of one still running after `timeout`."""
    try:
        return [pool.schedule(_write_pdf, args=(html,), timeout=timeout) for html in htmls]
    except RuntimeError as error:  # pebble refuses new tasks once the pool has failed
        raise BrokenProcessPool("the PDF render pool has stopped") from error


def _results(futures: list[ProcessFuture], deadline: float) -> list[Rendered]:
    """The results in order, or the first failure (a render past its time limit is one), or TimeoutError."""
    done, waiting = wait(futures, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_EXCEPTION)
    for future in futures:
        if future in done and future.exception() is not None:
            raise future.exception()
    if waiting:  # queued behind other calls' renders until the deadline
        raise TimeoutError
    return [future.result() for future in futures]


def _render_once(htmls: list[str], deadline: float, timeout: float) -> list[Rendered]:
    futures = _schedule_all(_get_pool(), htmls, timeout)
    try:
        return _results(futures, deadline)
    except TimeoutError:
        raise RenderTimeout(f"PDF rendering took longer than {timeout:g} s and was stopped") from None
    finally:
        # Nobody waits for what is left once one part failed: the pool drops a queued render and
        # kills the worker of a running one.
        for future in futures:
            future.cancel()


def _run_all(htmls: list[str], timeout: float) -> list[Rendered]:
    """Render documents in the pool, each round of one document per worker within `timeout`."""
    if not htmls:
        return []
    deadline = time.monotonic() + timeout * math.ceil(len(htmls) / worker_count()) + STOP_GRACE_SECONDS
    try:
        return _render_once(htmls, deadline, timeout)
    except (ProcessExpired, BrokenProcessPool):
        # A worker died under one of our renders (killed from outside, out of memory) or the pool
        # failed: try once more, on a fresh pool if need be, while there is time left.
        if time.monotonic() >= deadline:
            raise
        return _render_once(htmls, deadline, timeout)


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
