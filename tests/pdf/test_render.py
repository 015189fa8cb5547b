"""The renderer: only bundled assets are fetched and parts join (time limits: test_pool.py)."""
import base64
import http.server
import threading
from pathlib import Path

import pytest

from toolkit.pdf.render import (
    AssetFetcher, RefusedURL, join_pdfs, render_many, render_traced,
)

from .conftest import reader, stream_bytes, text_of

PASSWD = Path("/etc/passwd").read_text().splitlines()[0]  # e.g. root:x:0:0:root:/root:/bin/bash
SVG_DATA = "data:image/svg+xml;base64," + base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>').decode()


def hostile_html(base: str = "http://169.254.169.254") -> str:
    """Every way an HTML document can make WeasyPrint fetch something, pointed at secrets."""
    return f"""<!doctype html><html><head>
    <link rel="stylesheet" href="{base}/style.css">
    <link rel="attachment" href="file:///etc/hostname">
    <style>@import url({base}/import.css); @import url(file:///etc/passwd);
      @font-face {{ font-family: x; src: url(file:///etc/passwd); }}
      body {{ background: url({base}/bg.png); }} p {{ font-family: x; }}</style>
    </head><body>
    <p>Hello</p>
    <img src="file:///etc/passwd"><img src="{base}/latest/meta-data/"><img src="{SVG_DATA}">
    <a rel="attachment" href="file:///etc/passwd">attached</a>
    <object data="file:///etc/passwd"></object><embed src="file:///etc/passwd">
    <iframe src="file:///etc/passwd"></iframe>
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="50" height="50">
      <image href="{base}/x" width="10" height="10"/><image xlink:href="file:///etc/passwd" width="10" height="10"/>
      <use href="file:///etc/passwd#a"/></svg>
    </body></html>"""


def assert_only_bundled(requested: list[str]) -> None:
    """The fetcher was asked only for bundled assets and PNG data, or refused the rest."""
    fetcher = AssetFetcher()
    for url in requested:
        if url.startswith(("toolkit-asset:", "data:image/png;base64,")):
            continue
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def assert_no_secrets(pdf: bytes) -> None:
    """Nothing of /etc/passwd or /etc/hostname is in the PDF, and it has no attachments."""
    data = stream_bytes(pdf)
    assert PASSWD.encode() not in data
    assert b"root:x:0:0" not in data
    hostname = Path("/etc/hostname").read_text().strip()
    if len(hostname) >= 8:
        assert hostname.encode() not in data
    pdf_reader = reader(pdf)
    assert "/EmbeddedFiles" not in pdf_reader.trailer["/Root"].get("/Names", {})
    assert not pdf_reader.attachments
    for page in pdf_reader.pages:
        for annotation in page.get("/Annots", []) or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment"


def test_the_fetcher_serves_bundled_fonts():
    response = AssetFetcher().fetch("toolkit-asset:fonts/DejaVuSans.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "https://example.org/x.css",
    "ftp://example.org/x", "data:text/css,body{}", SVG_DATA, "data:image/png;base64,bm90IGEgcG5n",
    "toolkit-asset:../../../etc/passwd", "toolkit-asset:/etc/passwd", "toolkit-asset:fonts/../../__init__.py",
    "toolkit-asset:%2e%2e/%2e%2e/pyproject.toml", "toolkit-asset:fonts/missing.ttf", "/etc/passwd", "x.png",
])
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(RefusedURL):
        AssetFetcher().fetch(url)


def test_a_hostile_document_fetches_nothing_and_leaks_nothing():
    rendered = render_traced(hostile_html())
    # The fetcher was asked (so WeasyPrint went through it) and refused every one.
    assert any("169.254.169.254" in url for url in rendered.requested)
    assert any(url.startswith("file:") for url in rendered.requested)
    assert_only_bundled(rendered.requested)
    assert_no_secrets(rendered.pdf)
    assert "Hello" in text_of(rendered.pdf)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server name
        self.requests.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_no_request_reaches_a_server_and_no_redirect_is_followed():
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        rendered = render_traced(hostile_html(f"http://127.0.0.1:{server.server_port}"))
    finally:
        server.shutdown()
        server.server_close()
    assert any(str(server.server_port) in url for url in rendered.requested)
    assert _Recorder.requests == []
    assert_no_secrets(rendered.pdf)


def test_render_many_keeps_the_order_and_join_keeps_every_page():
    htmls = [f"<h1>Part {n}</h1>" + ("<p>text</p>" * 80 if n == 2 else "") for n in range(1, 5)]
    parts = render_many(htmls)
    assert [text_of(p).split()[:2] for p in parts] == [["Part", str(n)] for n in range(1, 5)]
    counts = [len(reader(p).pages) for p in parts]
    joined = join_pdfs(parts, titles=["One", "Two", "Three", "Four"], title="All")
    joined_reader = reader(joined)
    assert len(joined_reader.pages) == sum(counts) and counts[1] > 1
    top_level = [item.title for item in joined_reader.outline if not isinstance(item, list)]
    assert top_level == ["One", "Two", "Three", "Four"]  # each part's own headings nest under its title
    assert joined_reader.metadata.title == "All"
