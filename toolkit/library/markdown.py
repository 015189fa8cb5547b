"""Markdown to safe HTML: rendered, then cleaned with an explicit allow-list.

Python-Markdown passes raw HTML (including <script>) straight through, and nh3's
defaults keep <img src=http://...>; so the allow-list is ours and has no img, link,
style, iframe or script, and links may only be http(s) or mailto.
"""
from html import unescape

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i",
    "blockquote", "code", "pre", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> Markup:
    """Render Markdown a therapist or a module author wrote, safe to put in a page or a PDF."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - cleaned by nh3 with the allow-list above


def plain_text(text: str) -> str:
    """The words of a Markdown text without markup, for search and reading-level checks."""
    return unescape(nh3.clean(md.markdown(text or ""), tags=set()))
