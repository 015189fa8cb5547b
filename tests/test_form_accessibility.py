"""Form fields as a screen reader announces them: a field is marked invalid only when it has an error,
and points only at hints and errors that are on the page."""
import re

import pytest

from tests.helpers import all_inputs


def _fields(page: str) -> list[dict]:
    """Every input and text area of a page, as its attributes."""
    textareas = [dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<textarea[^>]*>", page)]
    return [attrs for attrs in all_inputs(page) + textareas if attrs.get("type") != "hidden"]


def _problems(page: str) -> list[str]:
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    problems = []
    for attrs in _fields(page):
        name = attrs.get("name")
        if "aria-invalid" in attrs and attrs["aria-invalid"] not in ("true", "false"):
            problems.append(f'{name}: aria-invalid="{attrs["aria-invalid"]}"')  # read as "true" by assistive tech
        for target in attrs.get("aria-describedby", "").split():
            if target not in ids:
                problems.append(f'{name}: aria-describedby names "{target}", which is not on the page')
        for key, value in attrs.items():
            if value == "None":
                problems.append(f'{name}: {key}="None"')
    return problems


@pytest.mark.xfail(strict=True, reason="templates/_macros/forms.html and _macros/homework.html pass None for "
                   "aria-describedby, aria-invalid and rows, which WTForms writes out as the text \"None\"")
def test_fields_without_an_error_are_not_announced_as_invalid(client, make, login):
    therapist = make.therapist()
    couple = make.couple(therapist)
    session = make.session(couple)
    login(therapist)
    for url in ("/couples/new", f"/couples/{couple.id}/sessions/{session.id}/edit", "/library/weekly-check-in"):
        page = client.get(url).get_data(as_text=True)
        assert _fields(page), url
        assert _problems(page) == [], url


def test_a_field_with_an_error_is_announced_as_invalid_and_points_at_its_message(client, make, login):
    login(make.therapist())
    page = client.post("/couples/new", data={"partner_1-first_name": "", "partner_2-first_name": "Sam"}).get_data(
        as_text=True)
    [first_name] = [f for f in _fields(page) if f.get("name") == "partner_1-first_name"]
    assert first_name["aria-invalid"] == "true"
    assert "partner_1-first_name-error" in first_name["aria-describedby"].split()
    assert '<p class="error" id="partner_1-first_name-error">This field is required.</p>' in page
