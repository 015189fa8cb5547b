"""Status badges and due dates read at a glance: words with a colour, never colour alone."""
from datetime import date

from toolkit.homework.display import due, due_note, status_badge
from toolkit.homework.models import HomeworkRow

TODAY = date(2026, 11, 18)  # a Wednesday


def row(status="assigned", due_on=TODAY, title="Gratitude log"):
    return HomeworkRow(1, 1, None, title, due_on, status, None, "Ana")


def test_due_dates_say_how_near_or_late_they_are():
    assert due_note(date(2026, 11, 16), TODAY) == ("due-late", "Due Mon Nov 16 (2 days ago)")
    assert due_note(date(2026, 11, 17), TODAY) == ("due-late", "Due Tue Nov 17 (1 day ago)")
    assert due_note(TODAY, TODAY) == ("due-soon", "Due Wed Nov 18 (today)")
    assert due_note(date(2026, 11, 19), TODAY) == ("due-soon", "Due Thu Nov 19 (tomorrow)")
    assert due_note(date(2026, 11, 20), TODAY) == ("due-soon", "Due Fri Nov 20")
    assert due_note(date(2026, 11, 25), TODAY) == ("", "Due Wed Nov 25")
    assert due_note(date(2026, 11, 16), TODAY, done=True) == ("", "Due Mon Nov 16")  # sent work is never late


def test_badges_name_the_status_in_words():
    assert status_badge(row(due_on=date(2026, 11, 1)), TODAY) == '<span class="badge badge-danger">Overdue</span>'
    assert status_badge(row("started"), TODAY) == '<span class="badge badge-warn">Draft saved</span>'
    assert status_badge(row("submitted", date(2026, 11, 1)), TODAY) == '<span class="badge badge-ok">Sent</span>'
    assert status_badge(row("reviewed"), TODAY) == '<span class="badge badge-ok">Reviewed</span>'
    assert status_badge(row(), TODAY) == '<span class="badge">To do</span>'
    assert due(TODAY, TODAY) == '<span class="due due-soon">Due Wed Nov 18 (today)</span>'
