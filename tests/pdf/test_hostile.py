"""Hostile text in every therapist-writable field and in module Markdown reaches no fetcher and no file.

Text is escaped by the templates, so the fetcher should never even be asked for anything but
bundled assets and the QR code; the fetcher would refuse anything else anyway (test_render.py).
"""
from dataclasses import replace

import pytest

from toolkit.library.markdown import render_markdown
from toolkit.pdf import documents
from toolkit.pdf.documents import (
    PrintContext, WorksheetPart, guide_html, handout_html, packet, worksheet_html,
)
from toolkit.pdf.render import render_traced

from .conftest import text_of
from .test_render import assert_no_secrets

HOSTILE = (
    '<img src="file:///etc/passwd"><link rel=attachment href="file:///etc/hostname">'
    "<style>@import url(http://169.254.169.254/);</style>"
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<image href="http://169.254.169.254/x"/><image xlink:href="file:///etc/passwd"/></svg>'
    '"); } body { background: url(http://169.254.169.254/css) } /* </style></title>'
)
HOSTILE_MARKDOWN = f"""
## A heading {HOSTILE}

{HOSTILE}

![picture](file:///etc/passwd) [a link](file:///etc/passwd) <a rel="attachment" href="file:///etc/hostname">x</a>

<object data="file:///etc/passwd"></object><iframe src="http://169.254.169.254/"></iframe>
"""
BUNDLED = ("toolkit-asset:", "data:image/png;base64,")


@pytest.fixture
def hostile_ctx():
    return PrintContext(
        couple_names="Sam " + HOSTILE, partner_name="Alex " + HOSTILE, therapist_name="Jo " + HOSTILE,
        practice_name="Practice " + HOSTILE, note_to_couple="Note " + HOSTILE, session_label="Session " + HOSTILE,
        link_url='http://toolkit.test/h/x"><img src="file:///etc/passwd">',
    )


@pytest.fixture
def hostile_module(library):
    module = library.get("fighting-fair")
    fields = tuple(
        replace(f, label=f"{f.label} {HOSTILE}", help=HOSTILE,
                min_label=HOSTILE if f.kind == "scale" else f.min_label,
                choices=(*f.choices, HOSTILE) if f.kind == "choice" else f.choices)
        for f in module.homework[0].fields
    )
    template = replace(module.homework[0], title="Homework " + HOSTILE, instructions="Do this " + HOSTILE,
                       fields=fields)
    return replace(module, title="Module " + HOSTILE, homework=(template,),
                   handout_md=HOSTILE_MARKDOWN, handout_html=render_markdown(HOSTILE_MARKDOWN),
                   guide_md=HOSTILE_MARKDOWN, guide_html=render_markdown(HOSTILE_MARKDOWN))


def assert_safe(pdf: bytes, requested: list[str]) -> None:
    assert all(url.startswith(BUNDLED) for url in requested), requested
    assert_no_secrets(pdf)


@pytest.mark.parametrize("large_print", [False, True])
def test_hostile_text_in_every_document_fetches_only_bundled_assets(hostile_ctx, hostile_module, large_print):
    ctx = replace(hostile_ctx, large_print=large_print)
    template = hostile_module.homework[0]
    joint = replace(template, who="joint")
    htmls = {
        "handout": handout_html(hostile_module, ctx),
        "worksheet": worksheet_html(template, hostile_module, ctx),
        "joint worksheet": worksheet_html(joint, hostile_module, ctx),
        "fillable worksheet": worksheet_html(template, hostile_module, ctx, fillable=True),
        "guide": guide_html([hostile_module], ctx),
    }
    for name, html in htmls.items():
        for tag in ("<link", "<svg", "<iframe", "<object", "<image", 'href="file', 'rel="attachment'):
            assert tag not in html, (name, tag)
        assert html.count("<img") == html.count('<img src="data:image/png;base64,'), name  # the QR code
        assert html.count("<style") == 1 and html.count("</title>") == 1, name
        rendered = render_traced(html)
        assert_safe(rendered.pdf, rendered.requested)
        text = text_of(rendered.pdf)
        assert 'src="file:///etc/passwd">' in text.replace("\u200b", ""), name  # shown, escaped


def test_a_hostile_packet_fetches_only_bundled_assets(hostile_ctx, hostile_module, monkeypatch):
    requested = []

    def spy(real):
        def wrapper(*args, **kwargs):
            result = real(*args, **kwargs)
            for rendered in result if isinstance(result, list) else [result]:
                requested.extend(rendered.requested)
            return result
        return wrapper

    monkeypatch.setattr(documents, "render_many_traced", spy(documents.render_many_traced))
    monkeypatch.setattr(documents, "render_traced", spy(documents.render_traced))
    template = hostile_module.homework[0]
    joint = replace(template, who="joint")
    pdf = packet(hostile_ctx, [hostile_module], [WorksheetPart(template, hostile_module, hostile_ctx),
                                                 WorksheetPart(joint, hostile_module, hostile_ctx)])
    assert any(url.startswith("data:image/png") for url in requested)  # the spy saw the QR codes
    assert_safe(pdf, requested)
    cover = text_of(pdf)
    assert "Note <img" in cover and "Sam <img" in cover
