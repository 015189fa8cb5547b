"""Searching and filtering the library (all in memory)."""
from .loader import Library
from .models import Module


def search(library: Library, query: str = "", theme: str = "", stage: str = "") -> list[Module]:
    """Modules whose text has every word of the query, in the theme and stage asked for.

    Title and summary matches come first, then the rest in library order.
    """
    words = query.lower().split()
    found = []
    for module in library:
        if theme and theme not in module.themes:
            continue
        if stage and module.stage != stage:
            continue
        if words and not all(w in module.search_text for w in words):
            continue
        heading = f"{module.title} {module.summary}".lower()
        found.append((0 if words and all(w in heading for w in words) else 1, module))
    return [module for _, module in sorted(found, key=lambda pair: pair[0])]
