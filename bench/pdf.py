"""PDF speed, measured in one run: `.venv/bin/python bench/pdf.py` (or `make bench`).

(a) a handout's render time / WeasyPrint's time for a plain document of the same page count
    (target at most 1.2: our templates add little to the renderer's own work). The plain document
    is varied real text from the library in bare <p> tags: one paragraph repeated would flatter the
    renderer, whose text shaping caches repeated runs. Both sides run in this process;
(b) a 10-module packet's time / 10 single handouts rendered one after another (target at most
    0.6: the parts render in parallel and are joined);
(c) a cached download's time (target under 10 ms).
Each is a median of several runs after a warm-up; the two sides of a ratio run alternately.
"""
import datetime
from html import escape
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from weasyprint import HTML  # noqa: E402

from toolkit.library.loader import load_library  # noqa: E402
from toolkit.library.markdown import plain_text  # noqa: E402
from toolkit.pdf.cache import cached_pdf  # noqa: E402
from toolkit.pdf.documents import PrintContext, handout_html, packet  # noqa: E402
from toolkit.pdf.render import _write_pdf, page_count, render_pdf, worker_count  # noqa: E402

REPEAT = 5
PARAGRAPH = (
    "<p>Couples rarely drift apart in one big moment. It happens in small steps: a hurt that no one "
    "mentions, a plan that slips, a week without a real talk. A short, regular check-in gives both "
    "of you a calm place to notice what went well, say what could be better and choose one small "
    "change. Over time these small choices add up to a steadier, kinder relationship.</p>"
)


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def paired_medians(first, second, repeat: int = REPEAT) -> tuple[float, float]:
    """Median times of two actions run alternately, so both see the same machine load."""
    times = ([], [])
    for _ in range(repeat):
        times[0].append(seconds(first))
        times[1].append(seconds(second))
    return statistics.median(times[0]), statistics.median(times[1])


def plain_document(pages: int, words: list[str]) -> str:
    """Plain paragraphs of real, varied text (no repeats, which the shaper would cache), default
    fonts and page, as many as fit in exactly `pages` pages (the last one full)."""
    paragraphs = [" ".join(words[i:i + 70]) for i in range(0, len(words), 70)]

    def html(n: int) -> str:
        return "".join(f"<p>{escape(p)}</p>" for p in paragraphs[:n])

    count = 1
    while count < len(paragraphs) and len(HTML(string=html(count + 1)).render().pages) <= pages:
        count += 1
    return html(count)


def main() -> None:
    library = load_library(ROOT / "handouts")
    ctx = PrintContext(
        couple_names="Sam Rivera & Alex Chen", therapist_name="Dr. Jo Park, LMFT",
        practice_name="Northside Couples Therapy", date=datetime.date(2026, 3, 3),
        session_label="Session 4", note_to_couple="See you next week.",
    )
    module = library.get("weekly-check-in")
    ten = list(library)[:10]

    load = os.getloadavg()[0]
    # Warm up: start the workers and load fonts in this process and in each worker.
    for m in ten[:worker_count() * 2]:
        render_pdf(handout_html(m, ctx))
    packet(ctx, ten, [])
    HTML(string=PARAGRAPH).write_pdf()

    pages = page_count(render_pdf(handout_html(module, ctx)))
    words = [w for m in library if m.slug != module.slug for w in plain_text(m.handout_md).split()]
    plain_html = plain_document(pages, words)
    # Both sides in this process, so the ratio is templates and stylesheet against the renderer's
    # own work, not the hand-off to a worker process.
    _write_pdf(handout_html(module, ctx))
    handout, plain = paired_medians(lambda: _write_pdf(handout_html(module, ctx)),
                                    lambda: HTML(string=plain_html).write_pdf(), 9)
    serial, packed = paired_medians(lambda: [render_pdf(handout_html(m, ctx)) for m in ten],
                                    lambda: packet(ctx, ten, []))

    with tempfile.TemporaryDirectory() as folder:
        inputs = {"couple_id": 1, "document": "packet", "modules": [m.slug for m in ten], "ctx": ctx}
        cached_pdf(Path(folder), inputs, lambda: packet(ctx, ten, []))
        hits = [seconds(lambda: cached_pdf(Path(folder), inputs, lambda: sys.exit("cache miss"))) for _ in range(21)]
        hit = statistics.median(hits)

    lines = [
        f"workers: {worker_count()}, load average before: {load:.2f} (other processes slow both sides)",
        f"(a) handout {handout * 1000:.0f} ms ({pages} pages) / plain {plain * 1000:.0f} ms "
        f"= {handout / plain:.2f}  (target <= 1.2)",
        f"(b) 10-module packet {packed * 1000:.0f} ms / 10 handouts one by one {serial * 1000:.0f} ms "
        f"= {packed / serial:.2f}  (target <= 0.6)",
        f"(c) cached download {hit * 1000:.2f} ms  (target < 10 ms)",
    ]
    print("\n".join(lines))
    heading = f"## PDF, {datetime.date.today().isoformat()} on {platform.node()} ({os.cpu_count()} cores)"
    with open(ROOT / "bench" / "results.md", "a", encoding="utf-8") as handle:
        handle.write("\n" + heading + "\n\n" + "\n".join(f"- {line}" for line in lines) + "\n")


if __name__ == "__main__":  # the render workers are spawned and import this file
    main()
