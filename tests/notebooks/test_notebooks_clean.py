"""Notebooks are committed without outputs, and each one ends by asserting what it taught.

(The suite executes them separately: pytest --nbmake collects notebooks/*.ipynb.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stripped_and_ends_with_assertions(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    for cell in code:
        assert cell.get("outputs", []) == [], f"{path.name}: a cell has outputs; strip them"
        assert cell.get("execution_count") is None, f"{path.name}: a cell has an execution count"
    last_code = "".join(code[-1]["source"])
    assert "assert " in last_code, f"{path.name}: the last code cell must assert what it showed"
    first_text = "".join(notebook["cells"][0]["source"]).lower()
    assert "you will learn" in first_text, f"{path.name}: open with what the reader will learn"
