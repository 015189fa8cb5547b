"""The practice's crisis resources as a partner reads them: each phone number one tap to call or text."""
import re

from markupsafe import Markup, escape

# A phone or short code: 3 or more digits, maybe split by dashes, dots, spaces or brackets.
_NUMBER = re.compile(r"(?<![\w-])(\+?\d[\d\-. ()]{1,18}\d)(?![\w-])")
# "text START to 88788": the number to text, and the word to send.
_TEXT_WORD_TO = re.compile(r"text\s+([A-Z]{2,12})\s+to\s+$", re.IGNORECASE)


def _digits(number: str) -> str:
    return re.sub(r"[^\d+]", "", number)


def _link(line: str, match: re.Match) -> Markup:
    number = match.group(1)
    digits = _digits(number)
    if len(digits.lstrip("+")) < 3:
        return escape(number)
    before = line[:match.start()]
    word = _TEXT_WORD_TO.search(before)
    if word:
        return Markup('<a href="sms:{0}?&amp;body={1}">{2}</a>').format(digits, word.group(1), number)
    call = Markup('<a href="tel:{0}">{1}</a>').format(digits, number)
    if re.search(r"\bor text\s*$", before, re.IGNORECASE):
        return call + Markup(' (<a href="sms:{0}">text {1}</a>)').format(digits, number)
    return call


def crisis_links(text: str | None) -> Markup:
    """The text escaped, one paragraph a line, with tel: and sms: links on its numbers."""
    paragraphs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        out, last = Markup(""), 0
        for match in _NUMBER.finditer(line):
            out += escape(line[last:match.start()]) + _link(line, match)
            last = match.end()
        paragraphs.append(Markup("<p>{0}</p>").format(out + escape(line[last:])))
    return Markup("\n").join(paragraphs)
