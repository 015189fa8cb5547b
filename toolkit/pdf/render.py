"""HTML to PDF bytes with WeasyPrint, safely and within a time limit.

WeasyPrint's default fetcher reads file: URLs, follows redirects and requests any host, so a
document only ever gets `AssetFetcher`: bundled files from toolkit/static/ through the
`toolkit-asset:` scheme and PNG data URLs (the QR codes), nothing else. Renders run in worker
processes, so a render past its time limit is stopped by killing its worker, and several
renders use all cores.
"""
import base64
import binascii
import math
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
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


# --- in the calling process ------------------------------------------------------------------

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def worker_count() -> int:
    """TOOLKIT_PDF_WORKERS, or one worker per core this process may use.

    Each web server process has its own pool, so a server with many processes may want fewer.
    """
    configured = os.environ.get("TOOLKIT_PDF_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # spawn, not fork: the web server's process has threads (and maybe GLib state)
            # that a forked child must not inherit.
            _pool = ProcessPoolExecutor(
                max_workers=worker_count(), mp_context=get_context("spawn"),
                initializer=_warm_up, max_tasks_per_child=200,
            )
            # Start every worker now: the pool only starts one when none is idle, so a run of
            # single renders would leave the first parallel render to start (and warm) the rest.
            for _ in range(worker_count()):
                _pool.submit(int)
        return _pool


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
