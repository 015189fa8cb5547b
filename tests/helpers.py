"""Helpers the tests share: reading a page's form fields, signing in, serving the app, the reading-level grade."""
import math
import os
import re
import signal
import threading
from contextlib import contextmanager
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from werkzeug.serving import make_server

from tests.factories import PASSWORD


# --- a page's form fields -------------------------------------------------------------------

def hidden(html: str, name: str) -> str:
    """The value of the page's first input named `name` (a hidden one, such as the CSRF token)."""
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    assert found, f"no input named {name!r} with a value on the page"
    return found.group(1)


def csrf_token(html: str) -> str:
    """The CSRF token of a page's form."""
    return hidden(html, "csrf_token")


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.found.append({key: "" if value is None else value for key, value in attrs})

    handle_startendtag = handle_starttag


def all_inputs(html: str) -> list[dict]:
    """Every <input> of the page, each as its attributes (a bare attribute like `checked` maps to "")."""
    parser = _Inputs()
    parser.feed(html)
    return parser.found


def inputs(html: str, name: str) -> list[dict]:
    """Every <input> named `name`, each as its attributes."""
    return [attrs for attrs in all_inputs(html) if attrs.get("name") == name]


def input_with_id(html: str, element_id: str) -> dict:
    """The one <input> whose id is `element_id`."""
    [found] = [attrs for attrs in all_inputs(html) if attrs.get("id") == element_id]
    return found


def checked_values(html: str, name: str) -> list[str]:
    """The values of the radio buttons or check boxes named `name` that the page shows ticked."""
    return [attrs.get("value") for attrs in inputs(html, name) if "checked" in attrs]


# --- signing in -------------------------------------------------------------------------------

def sign_in(client, therapist, password: str = PASSWORD):
    """Sign a therapist in through the login form, with its CSRF token when the app asks for one."""
    page = client.get("/login").get_data(as_text=True)
    data = {"email": therapist.email, "password": password}
    if 'name="csrf_token"' in page:
        data["csrf_token"] = csrf_token(page)
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


# --- a real server ------------------------------------------------------------------------------

@contextmanager
def serving(app):
    """The app served by a real threaded server on a free port of 127.0.0.1; yields its base URL.

    The server is shut down and its port closed when the block ends, whatever happened in it.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(30)


# --- reading level -------------------------------------------------------------------------------
#
# The Flesch-Kincaid grade, counted the way textstat 0.7.4 counts it, so the bounds the library's
# tests set keep their meaning: words are what is left between spaces once punctuation is removed;
# a word's syllables are its hyphenation points (Pyphen's en_US dictionary) plus one; a sentence is
# a run of text up to . ! or ?, and runs of two words or fewer (headings, "Page 2") do not count;
# the averages and the grade are rounded to one decimal, halves away from zero.
# Pyphen ships its dictionaries (it is WeasyPrint's hyphenation), so nothing is fetched at run time.

def _round1(number: float) -> float:
    return math.floor(number * 10 + math.copysign(0.5, number)) / 10


def _without_punctuation(text: str) -> str:
    return re.sub(r"[^\w\s]", "", text)


@lru_cache(maxsize=1)
def _hyphenator():
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def syllables(text: str) -> int:
    """The syllables of a text: each word's hyphenation points plus one."""
    hyphenator = _hyphenator()
    return sum(len(hyphenator.positions(word)) + 1 for word in _without_punctuation(text.lower()).split())


def words(text: str) -> int:
    return len(_without_punctuation(text).split())


def sentences(text: str) -> int:
    runs = re.findall(r"\b[^.!?]+[.!?]*", text, re.UNICODE)
    return max(1, len([run for run in runs if words(run) > 2]))


def flesch_kincaid_grade(text: str) -> float:
    """0.39 × words per sentence + 11.8 × syllables per word − 15.59: the US school grade a text reads at."""
    count = words(text)
    if not count:
        return _round1(-15.59)
    per_sentence = _round1(count / sentences(text))
    per_word = _round1(syllables(text) / count)
    return _round1(0.39 * per_sentence + 11.8 * per_word - 15.59)


def kill_leftover_render_process(pid: int) -> None:
    """SIGKILL a render process a failing test left running, and nothing else.

    A pid is reused once its process is gone (pid_max is 32768 here), and on a busy machine the
    new process may be anything, a database server's backend included: only a process still
    running Python's multiprocessing (as every render worker does) is killed.
    """
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return
    if b"multiprocessing" in command:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
