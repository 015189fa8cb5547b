"""Sign and lock against autosaves: the text signed is the text the Sign request carried.

An autosave reaching the server before the signature is saved (and then replaced by what Sign
sent); one reaching it after is refused with 409, and the editor is told so in plain words.
"""
from tests.helpers import csrf_token
from tests.reliability.conftest import Browser, at_once
from toolkit.extensions import db
from toolkit.notes.models import SessionNote
from toolkit.notes.views import SIGNED_NOT_SAVED

AUTOSAVES = 8
ROUNDS = 3


def _sections(text: str) -> dict:
    return {"subjective": f"{text}: both tired", "objective": f"{text}: calm", "assessment": f"{text}: engaged",
            "plan": f"{text}: weekly check-in"}


def _held_sessions_with_notes(make, therapist, count):
    couple = make.couple(therapist)
    urls = []
    for _ in range(count):
        session = make.session(couple, days_from_now=-1, status="held")
        make.note(session, "SOAP")
        urls.append(f"/couples/{couple.id}/sessions/{session.id}/note")
    return urls


def test_autosaves_racing_sign_and_lock_never_change_what_was_signed(served):
    app, base, make = served
    therapist = make.therapist(name="Robin Hale")
    urls = _held_sessions_with_notes(make, therapist, ROUNDS)
    db.session.close()
    browser = Browser(base)
    browser.sign_in(therapist)
    for url in urls:
        csrf = csrf_token(browser.get(url))
        final = dict(_sections("Signed"), csrf_token=csrf)
        autosaves = [lambda n=n: browser.post(url, dict(_sections(f"Autosave {n}"), csrf_token=csrf),
                                              headers={"X-Autosave": "1"}) for n in range(AUTOSAVES)]
        signing = lambda: browser.post(url + "/sign", final)  # noqa: E731
        *saved, signed = at_once([*autosaves, signing])
        assert (signed.status, signed.location) == (302, url)
        for reply in saved:
            assert reply.status in (200, 409), (reply.status, reply.body[:300])
            if reply.status == 409:  # reached the note after the signature: refused, and said so
                assert '"signed":true' in reply.body.replace(" ", "") and SIGNED_NOT_SAVED in reply.body
        # Any autosave from now on is refused in the same words.
        late = browser.post(url, dict(_sections("Too late"), csrf_token=csrf), headers={"X-Autosave": "1"})
        assert late.status == 409 and SIGNED_NOT_SAVED in late.body
    db.session.commit()
    notes = db.session.execute(db.select(SessionNote).order_by(SessionNote.id)).scalars().all()
    assert len(notes) == ROUNDS
    for note in notes:
        assert note.is_signed and note.is_intact
        assert note.sections == _sections("Signed")


def test_sign_and_lock_is_part_of_the_editor_form(served):
    """Without JavaScript too, the button sends the text as it stands: the same form, another action."""
    app, base, make = served
    therapist = make.therapist()
    (url,) = _held_sessions_with_notes(make, therapist, 1)
    db.session.close()
    browser = Browser(base)
    browser.sign_in(therapist)
    page = browser.get(url)
    start = page.rfind("<form", 0, page.index("data-autosave"))
    editor = page[start:page.index("</form>", start)]
    assert 'name="subjective"' in editor and f'formaction="{url}/sign"' in editor and "Sign and lock" in editor
