"""Notebooks are committed without outputs, and each one ends by asserting what it taught.

(The suite executes them separately: pytest --nbmake collects notebooks/*.ipynb.)
"""

from __future__ import annotations

import json
import re
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


def markdown_of(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_links_between_notebooks_lead_to_an_existing_section(path):
    # notebook 15's table of claims links some twenty sections; a renamed anchor must not go unseen
    links = re.findall(r"\]\(((?:\w+\.ipynb)?#[^)]*|\w+\.ipynb)\)", markdown_of(path))
    for link in links:
        target, _, anchor = link.partition("#")
        assert (path.parent / (target or path.name)).exists(), f"{path.name}: {link} leads to no notebook"
        if anchor:
            assert f'<a id="{anchor}"></a>' in markdown_of(path.parent / (target or path.name)), f"{path.name}: {link}"
    if path.name.startswith("15_"):
        assert len(links) >= 20
