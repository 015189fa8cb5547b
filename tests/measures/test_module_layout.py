"""Each module imports on its own: progress lives beside what it summarises, with no import cycle."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


# A fresh interpreter for each, as one that has already imported the rest of the app would hide
# a cycle that only breaks when a module is imported first.
@pytest.mark.parametrize("module", ["toolkit.couples.overview", "toolkit.measures.services",
                                    "toolkit.couples.progress", "toolkit.homework.progress"])
def test_the_module_imports_first_in_a_fresh_interpreter(module):
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
