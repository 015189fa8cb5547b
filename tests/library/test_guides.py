"""Every facilitator guide a therapist can run as written: timed steps that fill the module's minutes,
and other modules named by their titles."""
import re
from pathlib import Path

import pytest

from toolkit.library.loader import load_library

LIBRARY = load_library(Path(__file__).parents[2] / "handouts")
MODULES = list(LIBRARY)
STEP_MINUTES = re.compile(r"^\s*\d+\.\s*\((\d+)\s*min(?:utes)?\)", re.MULTILINE)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_the_guides_steps_add_up_to_the_modules_minutes(module):
    minutes = [int(n) for n in STEP_MINUTES.findall(module.guide_md)]
    assert minutes, f"{module.slug}: no timed steps like '1. (5 min) ...'"
    assert sum(minutes) == module.minutes, f"{module.slug}: steps take {sum(minutes)} min, the module says {module.minutes}"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_a_guide_names_other_modules_by_title_not_slug(module):
    for other in MODULES:
        if other.slug != module.slug and "-" in other.slug:
            assert not re.search(r"(?<![\w/-])" + re.escape(other.slug) + r"(?![\w-])", module.guide_md), \
                f"{module.slug} names {other.slug!r}: use its title, {other.title!r}"
