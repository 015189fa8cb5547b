def test_library_lists_every_module(client, make, login, app):
    login(make.therapist())
    page = client.get("/library/").get_data(as_text=True)
    assert page.count('class="card module-card"') == len(app.extensions["library"])


def test_search_finds_by_title_summary_and_text(client, make, login):
    login(make.therapist())
    page = client.get("/library/?q=letter").get_data(as_text=True)
    assert "Letters" in page or "letter" in page.lower()
    assert "/library/letters-when-talking-is-hard" in page
    assert "/library/four-kinds-of-intimacy" not in page
    page = client.get("/library/?q=zzzzunfindable").get_data(as_text=True)
    assert "No module matches" in page


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
    assert 'name="done_well-0"' in page or "done_well" in page
    assert "disabled" in page
    assert client.get("/library/no-such-module").status_code == 404


def test_library_requires_sign_in(client):
    assert client.get("/library/").status_code == 302
