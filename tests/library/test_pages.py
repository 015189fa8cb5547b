import re

from tests.helpers import inputs


def listed(page: str) -> list[str]:
    """The slugs of the modules the library page lists, in order."""
    return re.findall(r'<h2 class="card-title"><a href="/library/([^"]+)">', page)


def test_library_lists_every_module(client, make, login, app):
    login(make.therapist())
    page = client.get("/library/").get_data(as_text=True)
    assert page.count('class="card module-card"') == len(app.extensions["library"])


def test_search_finds_by_title_summary_and_text(app, client, make, login):
    login(make.therapist())
    page = client.get("/library/?q=letter").get_data(as_text=True)
    found = listed(page)
    library = app.extensions["library"]
    # Every module that mentions letters anywhere, and no other; the one about letters first.
    assert found[0] == "letters-when-talking-is-hard"
    assert set(found) == {m.slug for m in library if "letter" in m.search_text}
    by_text_only = [slug for slug in found if "letter" not in f"{library.get(slug).title} {library.get(slug).summary}".lower()]
    assert by_text_only, "no module was found by its text alone"
    assert "four-kinds-of-intimacy" not in found
    assert f"{len(found)} of {len(library)} modules" in page
    page = client.get("/library/?q=zzzzunfindable").get_data(as_text=True)
    assert listed(page) == [] and "No module matches" in page


def test_filters_by_theme_and_stage(client, make, login, app):
    login(make.therapist())
    page = client.get("/library/?theme=decision-and-safety").get_data(as_text=True)
    assert "/library/is-it-worth-working-on" in page
    assert "/library/daily-gratitude" not in page
    page = client.get("/library/?stage=maintenance").get_data(as_text=True)
    maintenance = [m.slug for m in app.extensions["library"] if m.stage == "maintenance"]
    assert all(f"/library/{slug}" in page for slug in maintenance)
    assert "/library/why-connection-fades" not in page
    # An unknown filter value is ignored rather than an error.
    assert client.get("/library/?theme=<script>").status_code == 200


def test_module_page_shows_handout_guide_and_homework_preview(client, make, login):
    login(make.therapist())
    page = client.get("/library/weekly-check-in").get_data(as_text=True)
    assert "Client handout" in page and "Facilitator guide" in page
    assert "Therapist only" in page
    # The homework preview shows the real form, every box disabled.
    preview = inputs(page, "done_well-0") + inputs(page, "connected")
    assert len(preview) > 1 and all("disabled" in box for box in preview)
    assert client.get("/library/no-such-module").status_code == 404


def test_library_requires_sign_in(client):
    assert client.get("/library/").status_code == 302
