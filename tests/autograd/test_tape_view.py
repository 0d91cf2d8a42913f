"""animate_tape: the tape played line by line. Its numbers are checked against plain-float
arithmetic and central differences, never against the engine; its page in headless Chromium."""

from __future__ import annotations

import math
import re

import pytest

from autograd import Value, animate_tape, trace
from autograd import tape_view as tape_view_module
from tests.autograd.test_animate import page_data
from tests.browser import (
    FRAME_ON_SCREEN,
    LAYOUT,
    TEXTS_OUTSIDE_THEIR_BOXES,
    VIEWPORTS,
    Watched,
    ids,
    svg_text,
)

B = 6.8813735870195432


def lecture() -> tuple[list[Value], object]:
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(B, label="b")

    def neuron(x1, x2):
        o = (x1 * w1 + x2 * w2 + b).tanh()
        o.label = "o"
        return o

    return [w1, w2, b], neuron


def plain_neuron(x1: float, x2: float, w1: float, w2: float, b: float) -> float:
    return math.tanh(x1 * w1 + x2 * w2 + b)


def central_difference(f, point: list[float], i: int, h: float = 1e-6) -> float:
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def final_cells(player) -> dict[tuple[str, int], str]:
    cells: dict[tuple[str, int], str] = {}
    for frame in player.frames:
        for element, index, text in frame.set:
            cells[(element, index)] = text
    return cells


def test_values_and_leaf_gradients_are_the_functions_own():
    leaves, neuron = lecture()
    player = animate_tape(neuron, 2.0, 0.0)
    cells = final_cells(player)
    point = [2.0, 0.0, -3.0, 1.0, B]
    # slots, as the tape numbers them: x1 0, x2 1, w1 2, x1*w1 3, w2 4, ..., b 7, n 8, o 9
    assert float(cells[("gs-f9", 2)]) == pytest.approx(plain_neuron(*point), abs=1e-4)
    assert float(cells[("gs-f8", 2)]) == pytest.approx(-6.0 + B, abs=1e-4)
    for slot, i in (("gs-f2", 2), ("gs-f4", 3), ("gs-f7", 4)):  # w1, w2, b
        assert float(cells[(slot, 3)]) == pytest.approx(central_difference(plain_neuron, point, i), abs=1e-4)
    assert ("gs-f0", 3) not in cells and ("gs-f1", 3) not in cells  # the inputs get no gradient line


def test_each_reverse_frame_is_a_line_of_the_printed_tape_with_its_numbers():
    leaves, neuron = lecture()
    player = animate_tape(neuron, 2.0, 0.0)
    step = trace(neuron)
    step(2.0, 0.0)
    reverse = str(step.tape).split("reverse sweep\n")[1].splitlines()
    backward = [f for f in player.frames if f.phase == "backward"]
    assert len(backward) == len(reverse)
    for frame, line in zip(backward[1:], reverse[1:]):
        code = line.split("#")[0].strip()
        assert frame.text.startswith(code + "  =  ")
    tanh = backward[1]
    assert tanh.text.splitlines()[0] == "g8 += (1 − v9²) · g9  =  (1 − 0.7071²) × 1 = 0.5   → g8 = 0.5"
    assert "tanh: 1 − o²" in tanh.text.splitlines()[1]
    assert tanh.edges == ("gs-f9",) and tanh.targets == ("gs-f8",)  # reads o and g9; writes g8
    w1 = next(f for f in backward if f.text.startswith("g2 +="))
    assert w1.text.splitlines()[0] == "g2 += v0 · g3  =  2 × 0.5 = 1   → g2 = 1"  # x1 × d(o)/d(x1·w1)
    forward = [f for f in player.frames if f.phase == "forward"]
    assert forward[0].text.startswith("the numbers the tape starts from: v0 = x1 = 2, v1 = x2 = 0")
    assert forward[-1].text == "v9 = tanh(v8) = tanh(0.8814) = 0.7071   # tanh, o"


def test_the_callers_leaves_keep_their_gradients_and_data():
    leaves, neuron = lecture()
    for v in leaves:
        v.grad = 0.25
    animate_tape(neuron, 2.0, 0.0)
    assert [v.grad for v in leaves] == [0.25] * 3
    assert [v.data for v in leaves] == [-3.0, 1.0, B]


def test_a_traced_function_is_played_from_its_function():
    leaves, neuron = lecture()
    step = trace(neuron)
    assert len(animate_tape(step, 2.0, 0.0).frames) == len(animate_tape(neuron, 2.0, 0.0).frames)
    assert step.traces == 0  # the view records its own tape; the traced function's cache is untouched


def test_a_tape_too_long_is_refused_before_any_backward_pass(monkeypatch):
    w = Value(0.5, label="w")

    def long(x):
        for _ in range(300):
            x = x * w
        return x

    def no_backward(*args, **kwargs):
        raise AssertionError("backward ran before the refusal")

    monkeypatch.setattr(tape_view_module, "backward_steps", no_backward)
    refusal = r"302 statements and 599 reverse lines, more than MAX_LINES = 400.*print\(trace"
    with pytest.raises(ValueError, match=refusal):
        animate_tape(long, 1.0)
    assert w.grad == 0.0


def test_bad_input_names_the_problem():
    with pytest.raises(TypeError, match="needs a function, got int"):
        animate_tape(3, 1.0)
    with pytest.raises((ValueError, TypeError), match="argument 0"):
        animate_tape(lambda x: x * 2, float("nan"))
    with pytest.raises(TypeError, match="must return a Value"):
        animate_tape(lambda x: 3.0, 1.0)


def test_the_page_asks_for_nothing_and_carries_every_frame():
    _, neuron = lecture()
    player = animate_tape(neuron, 2.0, 0.0)
    data = page_data(player.html)
    assert len(data["frames"]) == len(player.frames) == 14
    assert "http://" not in player.html.replace('xmlns="http://www.w3.org/2000/svg"', "")


# The lines the frame runs (gs-current) that are outside the drawing's visible box.
ROW_IN_VIEW = """() => {
  const graph = document.getElementById("gs-graph"), box = graph.getBoundingClientRect();
  return [...document.querySelectorAll("#gs-graph .gs-current")].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.top < box.top - 1 || r.bottom > box.top + graph.clientHeight + 1 ||
      r.left < box.left - 1 || r.right > box.left + graph.clientWidth + 1;
  }).map((e) => e.id);
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_every_frame_keeps_text_in_its_cell_and_the_listing_still(browser, tmp_path, viewport):
    _, neuron = lecture()
    player = animate_tape(neuron, 2.0, 0.0)
    watched = Watched(browser, viewport).open(player, tmp_path)
    page = watched.page
    layout = page.evaluate(LAYOUT)
    sweeps = page.eval_on_selector_all(
        ".gs-sweeps svg", "svgs => svgs.map(s => s.getBoundingClientRect().toJSON())"
    )
    assert len(sweeps) == 2 and all(s["right"] <= viewport["width"] for s in sweeps)  # wrapped, not cut
    assert (sweeps[1]["top"] >= sweeps[0]["bottom"]) == (viewport["width"] < 1100)  # below only when narrow
    for k, frame in enumerate(player.frames):
        page.keyboard.press("ArrowRight")
        assert page.evaluate(TEXTS_OUTSIDE_THEIR_BOXES) == [], f"frame {k}"
        assert page.evaluate(FRAME_ON_SCREEN) == [], f"frame {k}"  # text whole, legend and target in view
        assert page.evaluate(ROW_IN_VIEW) == [], f"frame {k}: the line running is out of view"
        assert page.evaluate(LAYOUT) == layout, f"frame {k}: the listing moved"
        assert ids(page, "gs-current") == set(frame.nodes)
        assert page.text_content("#gs-text") == frame.text
    assert svg_text(page, "gs-f2", -1) == "1"  # w1's gradient, written by the last frames
    assert svg_text(page, "gs-f7", -1) == "0.5"  # b's
    assert svg_text(page, "gs-r0", -1) == "1"  # the seed's row
    page.keyboard.press("Home")
    assert svg_text(page, "gs-f2", -1) == ""  # back to the start: no gradient yet
    watched.clean()


def test_a_neurons_weighted_sum_plays_with_its_products_and_bias():
    w0, w1, bias = Value(0.5, label="w0"), Value(-2.0, label="w1"), Value(0.25, label="b")
    player = animate_tape(lambda x0, x1: Value.weighted_sum([w0, w1], [x0, x1], bias).tanh(), 2.0, 3.0)
    texts = [f.text.splitlines()[0] for f in player.frames]
    z = 0.5 * 2.0 + -2.0 * 3.0 + 0.25
    dz = 1 - math.tanh(z) ** 2
    assert any(t.startswith("v5 = v2 * v0 + v3 * v1 + v4 = 0.5 * 2 + -2 * 3 + 0.25 = -4.75") for t in texts)
    bias_line = next(t for t in texts if t.startswith("g4 +="))
    assert bias_line.startswith("g4 += g5  =  1 × ")  # the bias's local derivative is 1: no factor
    cells = final_cells(player)
    for slot, x in (("gs-f2", 2.0), ("gs-f3", 3.0), ("gs-f4", 1.0)):  # d/dw = x · tanh′(z), d/db = tanh′(z)
        assert float(cells[(slot, 3)]) == pytest.approx(x * dz, rel=1e-3)


def test_a_huge_label_and_a_wide_neuron_are_shortened_in_the_listing_only():
    w = Value(1.0, label="w" * 100_000)
    player = animate_tape(lambda x: (x * w).tanh(), 2.0)
    listing = player.html.split("<svg", 1)[1].split("</svg>")[0]
    assert "w" * 50 + "…</text>" in listing and "w" * 300 not in listing  # cut, in the cell and its tooltip
    assert re.search(r"<title>[^<]*w{250}", listing)  # hovering the cell shows more of it
    assert player.frames[0].text.endswith("= " + "w" * 100_000 + " = 1")  # the frame's text says it all
    weights = [Value(0.1 * i, label=f"w{i}") for i in range(100)]
    wide = animate_tape(lambda *xs: Value.weighted_sum(weights, list(xs)), *[1.0] * 100)
    svg = wide.html.split("<svg", 1)[1].split("</svg>")[0]
    assert float(re.search(r'width="([\d.]+)"', svg)[1]) < 2000  # the 100-term line is cut, not 10,000 px


def test_the_learners_names_stand_beside_the_slots():
    w0, b = Value(-3.0, label="w0"), Value(1.0, label="b")

    def neuron(x0):
        z = x0 * w0 + b
        z.label = "z"
        out = z.tanh()
        out.label = "out"
        return out

    player = animate_tape(neuron, 2.0)
    texts = [f.text for f in player.frames]
    assert "v0 = x0" in player.html and "v1 = w0" in player.html and "add, z" in player.html
    assert any("d(v2)/d(v1) [d(v2)/d(w0)]" in t for t in texts)  # the tape's slots, then the names
    assert any("d(v5)/d(v4) [d(out)/d(z)]" in t for t in texts)
    assert any("d(v4)/d(v3) [d(z)/d(b)] = 1 (add: 1) times g4, d(out)/d(z)" in t for t in texts)
