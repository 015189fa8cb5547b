"""The home page: what needs attention, in a number of queries that does not grow with the practice."""

from sqlalchemy import event

from toolkit.extensions import db


def build_practice(make, therapist, couples: int):
    with make.one_commit():
        for n in range(couples):
            couple = make.couple(therapist, first=f"P{n}", second=f"Q{n}")
            held = make.session(couple, days_from_now=-7, status="held")
            upcoming = make.session(couple, days_from_now=n % 7)
            done, late = make.assignment(couple, session=held, due_in_days=-1)
            make.sent(done)
            make.measure(couple.partners[0], held, [2, 2, 2, 2])
            make.measure(couple.partners[0], upcoming, [1, 1, 1, 1])
            make.flag(couple.partners[1], late, question="Are you safe?")


def count_queries(client, path="/"):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_home_shows_what_needs_attention(client, make, login):
    therapist = make.therapist()
    build_practice(make, therapist, 2)
    login(therapist)
    _, page = count_queries(client)
    assert "Open safety flags (2)" in page
    assert "New to review" in page and "Three, two, one" in page
    assert "below 13.5" in page and "▼ from 8" in page
    assert "P0 &amp; Q0, session 2" in page


def test_home_query_count_does_not_grow_with_the_practice(app, client, make, login):
    small, large = make.therapist(), make.therapist()
    build_practice(make, small, 3)
    build_practice(make, large, 300)
    login(small)
    few, _ = count_queries(client)
    client.post("/logout")
    login(large)
    many, page = count_queries(client)
    assert many == few, (few, many)
    assert "Open safety flags (300)" in page  # the large practice's page, all of it counted
