"""Homework status and due dates as people glance at them: a coloured badge with words, never colour alone.

Plain functions, not template macros: lists show them once or twice a row, and a Jinja macro
call costs several times what this markup does. Every value is escaped.
"""
from datetime import date

from markupsafe import Markup

from .models import AssignmentState

_BADGES = {"reviewed": ("badge-ok", "Reviewed"), "submitted": ("badge-ok", "Sent"),
           "started": ("badge-warn", "Draft saved"), "assigned": ("", "To do")}


def due_note(due_on: date, today: date, done: bool = False) -> tuple[str, str]:
    """A class (late, soon or none) and the words for a due date."""
    words = f"Due {due_on.strftime('%a %b %-d')}"
    if done:
        return "", words
    days = (due_on - today).days
    if days < 0:
        return "due-late", f"{words} ({-days} day{'s' if days < -1 else ''} ago)"
    if days <= 2:
        return "due-soon", words + {0: " (today)", 1: " (tomorrow)"}.get(days, "")
    return "", words


def due(due_on: date, today: date, done: bool = False) -> Markup:
    css, words = due_note(due_on, today, done)
    return _span(f"due {css}", words)


def status_badge(assignment: AssignmentState, today: date) -> Markup:
    css, words = ("badge-danger", "Overdue") if assignment.is_overdue(today) else _BADGES[assignment.status]
    return _span(f"badge {css}", words)


_SPAN = Markup('<span class="%s">%s</span>')  # `%` escapes what it fills in


def _span(classes: str, words: str) -> Markup:
    return _SPAN % (classes.strip(), words)
