"""A player shown inline (Jupyter's output, the documentation site) fits its iframe: the height
``autograd.player_fit`` estimates holds the whole page, drawing included, at a notebook's width and
at the site's, in headless Chromium; only a drawing too tall for ``MAX_HEIGHT`` scrolls in its box."""

from __future__ import annotations

import pytest

import nn
from autograd import Player, animate, animate_tape
from autograd.player_fit import MAX_HEIGHT, iframe_height
from tests.autograd.test_animate import lecture_neuron
from tests.autograd.test_value import lecture_graph, lecture_leaves
from tests.browser import FRAME_ON_SCREEN, Watched


def notebook_tape() -> Player:
    """Notebook 16's tape player: the lecture neuron with every leaf captured, labels and all."""
    leaves = lecture_leaves()
    return animate_tape(lambda: lecture_graph(*leaves)[0])


def expression(practice: bool = False) -> Player:
    o, params = lecture_neuron()
    return animate(o, lr=0.1, params=params, practice=practice)


def network() -> Player:
    return nn.animate_training_step(nn.MLP(2, [16, 16, 1], seed=0), [0.5, -1.0], 1.0, lr=0.1)


PLAYERS = {
    "tape": notebook_tape,
    "expression": expression,
    "practice": lambda: expression(practice=True),
    "network": network,
}

# What the iframe's page needs and has: its window's height, how tall the page is, and the drawing's
# box and what it holds (scrollHeight is the box's own height when the drawing fits in it).
MEASURE = """() => {
  const graph = document.getElementById("gs-graph");
  return {window: innerHeight, page: document.documentElement.scrollHeight,
          box: graph.clientHeight, drawing: graph.scrollHeight};
}"""

# (viewport, the width of the column the output sits in): a notebook's and the site's at 1280 x 800,
# a notebook's at 800 x 600
LAYOUTS = [({"width": 1280, "height": 800}, 1000), ({"width": 1280, "height": 800}, 740),
           ({"width": 800, "height": 600}, 700)]  # fmt: skip


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda v: f"{v[0]['width']}x{v[0]['height']}-{v[1]}px")
@pytest.mark.parametrize("name", PLAYERS)
def test_the_iframe_holds_the_whole_player(browser, dot_program, tmp_path, name, layout):
    viewport, column = layout
    player = PLAYERS[name]()
    output = f'<div style="width: {column}px">{player._repr_html_()}</div>'  # an output cell's
    page = f'<!DOCTYPE html><body style="margin: 8px">{output}'
    (tmp_path / "notebook.html").write_text(page, encoding="utf-8")
    watched = Watched(browser, viewport)
    watched.url = (tmp_path / "notebook.html").resolve().as_uri()
    watched.page.goto(watched.url)
    # not looked into at once (that would lay the iframe out early, as a learner's browser need not);
    # then, once the step box has been fitted to the laid-out page (body[data-fitted]), measured
    watched.page.wait_for_timeout(300)
    frame = watched.page.main_frame.child_frames[0]
    frame.wait_for_selector("body[data-fitted]", state="attached")
    seen = frame.evaluate(MEASURE)
    # nothing cut, the step box included (its script can run before the iframe is laid out)
    assert frame.evaluate(FRAME_ON_SCREEN) == []
    assert seen["window"] == player._height
    assert seen["page"] <= seen["window"], seen  # nothing below the window, where no one can scroll
    if player._height < MAX_HEIGHT:
        assert seen["drawing"] <= seen["box"], seen  # the whole drawing in view, no scrolling in it
    else:  # a drawing too tall scrolls in a box of its own (the player scrolls it to each step)
        assert seen["box"] >= 200, seen
    watched.clean()


def test_the_height_is_the_tallest_layout_within_limits():
    frames = [{"text": "x = 1", "grid": 0, "questions": []}]
    wide = '<svg width="3000" height="600"></svg>'  # shrunk to the width: shorter in a narrow window
    tall = '<svg width="300" height="2000"></svg>'
    tables = '<div><svg width="400" height="200"></svg><svg width="400" height="200"></svg></div>'
    one = iframe_height(tables.replace('<svg width="400" height="200"></svg></div>', "</div>"), frames, [])
    assert iframe_height(wide, frames, []) > iframe_height(wide.replace("600", "300"), frames, []) + 200
    assert iframe_height(tall, frames, []) == MAX_HEIGHT
    assert iframe_height(tables, frames, []) == one + 210  # one under the other when narrow
