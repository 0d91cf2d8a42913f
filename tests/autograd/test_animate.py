"""animate: a self-contained page, checked as text and driven in real headless Chromium."""

from __future__ import annotations

import html
import json
import re
import signal

import pytest

from autograd import Value, files, topological_order
from autograd.animate import Frame, Player, animate, animation_frames, script_json
from autograd.draw import GraphvizNotFound
from autograd.steps import backward_steps
from autograd.text import grad_text
from tests.browser import (
    FRAME_ON_SCREEN,
    LAYOUT,
    TEXTS_OUTSIDE_THEIR_BOXES,
    VIEWPORTS,
    Watched,
    answer_in,
    ids,
    step_and_try,
    svg_text,
)
from tests.nn.careless import killed_mid_write

HOSTILE = (
    '</script><script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2">'
    "{a|b}<b>x</b> javascript:alert(1) \\N"
)


def lecture_neuron() -> tuple[Value, list[Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [w1, w2, b]


def page_data(page_html: str) -> dict:
    block = re.search(r'<script type="application/json" id="gs-data">(.*?)</script>', page_html, re.S)[1]

    def no_constants(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(block, parse_constant=no_constants)


# -- the page as text ------------------------------------------------------------------------


def test_hostile_label_stays_inside_the_json_and_the_svg(dot_program):
    x = Value(2.0, label=HOSTILE)
    y = x * x
    page = animate(y).html
    assert page.count("<script") == 2  # the data block and the player, nothing from the label
    assert "window.__pwned" in page  # present, but only as escaped text:
    assert "<script>window" not in page and "<img" not in page  # no markup made from the label
    assert f"inputs: {HOSTILE} = 2" in [frame["text"] for frame in page_data(page)["frames"]]


def test_script_json_escapes_and_rejects_non_json():
    text = script_json({"s": "</script>&\u2028"})
    assert (
        "<" not in text
        and ">" not in text
        and "&" not in text
        and json.loads(text)["s"] == "</script>&\u2028"
    )
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


def test_non_finite_numbers_are_encoded():
    x = Value(0.0, label="x")
    y = x.sqrt()  # sqrt'(0) = inf, so the gradient of x is inf
    frames = animation_frames(backward_steps(y))
    player = Player("<svg></svg>", frames)
    numbers = [f["numbers"] for f in page_data(player.html)["frames"] if f["phase"] == "backward"]
    assert {
        "local": "Infinity",
        "upstream": 1.0,
        "product": "Infinity",
        "before": 0.0,
        "after": "Infinity",
    } in numbers


def test_same_graph_gives_byte_identical_pages(dot_program):
    assert animate(lecture_neuron()[0]).html == animate(lecture_neuron()[0]).html


def test_page_asks_for_nothing_from_the_network(dot_program):
    page = animate(lecture_neuron()[0]).html
    assert '<link rel="icon" href="data:,">' in page
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)


def test_animate_leaves_the_engines_gradients_and_lr_changes_nothing(dot_program):
    o, params = lecture_neuron()
    reference, _ = lecture_neuron()
    reference.backward()
    expected = [n.grad for n in topological_order(reference)]
    player = animate(o, lr=0.1, params=params)
    assert [n.grad for n in topological_order(o)] == expected
    assert [p.data for p in params] == [-3.0, 1.0, 6.8813735870195432]
    updates = [f for f in player.frames if f.phase == "update"]
    assert [f.text.split(" ←")[0] for f in updates] == ["w1", "w2", "b"]  # in params' order
    w1 = params[0]
    w1_text = next(f.text for f in updates if f.text.startswith("w1"))
    assert w1_text == f"w1 ← w1 − lr × grad = -3 − 0.1 × 1 = {-3 - 0.1 * w1.grad:.6g}"


def test_an_update_function_is_called_and_shown(dot_program):
    class StandInSGD:  # the interface nn's optimisers have: params and step()
        def __init__(self, params, lr):
            self.params, self.lr, self.calls = params, lr, 0

        def step(self):
            self.calls += 1
            for p in self.params:
                p.data -= self.lr * p.grad

    o, params = lecture_neuron()
    optimizer = StandInSGD(params, 0.5)
    player = animate(o, update=optimizer.step, params=params)
    assert optimizer.calls == 1 and params[0].data == pytest.approx(-3.5)
    update = [f for f in player.frames if f.phase == "update"]
    assert len(update) == 3 and dict(update[-1].numbers)["after"] == params[2].data
    assert "StandInSGD.step()" in update[0].text
    with pytest.raises(ValueError, match="not both"):
        animate(o, lr=0.1, update=optimizer.step)
    with pytest.raises(TypeError, match="update must be a function"):
        animate(o, update=optimizer)


def test_an_update_that_fails_changes_nothing(dot_program):
    """It left a half-made update and the backward pass's gradients: w 0.7 → 0.54, grad 0 → 1.6."""
    import nn  # the optimiser whose refusal the README names

    o, params = lecture_neuron()
    params[0].grad = 0.25  # a gradient the call must not lose (leaves accumulate)
    nodes = topological_order(o)
    state = [(n.data, n.grad) for n in nodes]

    def half_made():
        params[0].data -= 0.16  # moves one weight, then fails
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        animate(o, update=half_made, params=params)
    assert [(n.data, n.grad) for n in nodes] == state
    optimizer = nn.optim.SGD(params, lr=1e308)  # refuses the overflowing step
    with pytest.raises(OverflowError):
        animate(o * 1e300, update=optimizer.step)
    assert [(n.data, n.grad) for n in nodes] == state


KILLED_PLAYER_SAVE = """
import os, signal, sys
from autograd.animate import Frame, Player
def stop(source, target):
    print("mid-write", flush=True)
    signal.pause()  # until the parent's SIGKILL, between the write and the rename
os.replace = stop
Player("<svg></svg>", [Frame("forward", "x = 1")]).save(sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_saves_killed_before_the_rename_leave_nothing_once_a_save_completes(tmp_path):
    """Each kill left a hidden .page.html.PID.RANDOM.tmp that no later save deleted."""
    path = tmp_path / "page.html"
    player = Player("<svg></svg>", [Frame("forward", "x = 2")])
    player.save(path)
    for _ in range(3):  # each save first deletes what the killed ones before it left
        pid = killed_mid_write(KILLED_PLAYER_SAVE, str(path))
        left = [p.name for p in tmp_path.iterdir() if p.name != "page.html"]
        assert len(left) == 1 and re.fullmatch(
            rf"\.page\.html\.{files.host()}\.{pid}\.[0-9a-f]{{8}}\.tmp", left[0]
        )
    assert path.read_text() == player.html  # the old page, whole
    player.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_save_is_atomic_and_notebook_view_is_an_isolated_iframe(dot_program, tmp_path):
    player = animate(lecture_neuron()[0])
    path = player.save(tmp_path / "player.html")
    assert path.read_text(encoding="utf-8") == player.html
    assert [p.name for p in tmp_path.iterdir()] == ["player.html"]  # no temporary file left
    shown = player._repr_html_()
    assert shown.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in shown
    srcdoc = re.search(r'srcdoc="([^"]*)"', shown)[1]
    assert "<" not in srcdoc and html.unescape(srcdoc) == player.html


def test_missing_dot_gives_the_same_clear_error_and_changes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    o, params = lecture_neuron()
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        animate(o, lr=0.1)
    assert all(n.grad == 0.0 for n in topological_order(o))  # no backward pass was run


def test_frame_phase_is_checked():
    with pytest.raises(ValueError, match="phase"):
        Player("<svg></svg>", [Frame("sideways", "?")])


# -- the page in a real browser ---------------------------------------------------------------


def test_stepping_shows_the_python_steps(browser, dot_program, tmp_path):
    o, _ = lecture_neuron()
    player = animate(o)
    steps = player.steps
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    forward = 1 + sum(1 for n in steps.order if n.op is not None)  # the inputs, then each op
    assert page.text_content("#gs-counter") == f"0 / {len(player.frames)}"
    assert svg_text(page, f"v{steps.numbers[o]}", -1) == "grad —"  # before the pass: no gradient
    assert svg_text(page, f"v{steps.numbers[o]}", -2) == "data —"
    for _ in range(forward):
        page.keyboard.press("ArrowRight")
    assert page.text_content("#gs-text") == "o = tanh(n) = tanh(0.881374) = 0.707107"
    assert svg_text(page, f"v{steps.numbers[o]}", -2) == "data 0.7071"
    page.click("#gs-step")  # the seed
    assert page.get_attribute("body", "data-phase") == "backward"
    assert svg_text(page, f"v{steps.numbers[o]}", -1) == "grad 1"
    for k, step in enumerate(steps):
        page.keyboard.press("ArrowRight")
        assert page.text_content("#gs-text").split("\n")[0] == str(step)
        assert f"v{step.node_number}" in ids(page, "gs-current")
        assert ids(page, "gs-target") == {f"v{step.parent_number}"}
        assert ids(page, "gs-edge") == {f"e{step.node_number}_{step.position}"}
        assert svg_text(page, f"v{step.parent_number}", -1) == grad_text(step.after)
        assert page.get_attribute("body", "data-frame") == str(forward + 1 + k)
    page.keyboard.press("ArrowLeft")  # back: the last step is undone, its parent shows "before"
    last = steps[-1]
    assert page.text_content("#gs-text").startswith(str(steps[-2]))
    assert svg_text(page, f"v{last.parent_number}", -1) == grad_text(last.before)
    page.keyboard.press("z")  # zoom: the drawing at its natural size, and back to fitting
    assert page.get_attribute("#gs-graph", "class") == "gs-natural"
    page.click("#gs-zoom")
    assert page.get_attribute("#gs-graph", "class") == ""
    page.keyboard.press("Home")
    assert page.get_attribute("body", "data-frame") == "-1"
    assert svg_text(page, f"v{steps.numbers[o]}", -1) == "grad —"
    watched.clean()


def test_play_runs_to_the_end_and_shows_the_update(browser, dot_program, tmp_path):
    o, params = lecture_neuron()
    player = animate(o, lr=0.1, params=params, speed_ms=25)
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    page.keyboard.press(" ")
    assert page.get_attribute("body", "data-playing") == "true"
    last = len(player.frames) - 1
    # a selector, not a JS predicate: the page's Content-Security-Policy forbids eval
    page.wait_for_selector(
        f'body[data-frame="{last}"][data-playing="false"]', state="attached", timeout=20000
    )
    assert page.text_content("#gs-phase") == "forward pass, new weights"
    b = params[2]
    assert page.text_content("#gs-text") == player.frames[-1].text
    i = player.steps.numbers[b]
    assert svg_text(page, f"v{i}", -2) == f"data {b.data - 0.1 * b.grad:.4g}"
    assert page.is_disabled("#gs-step")
    watched.clean()


def test_hostile_label_does_not_run(browser, dot_program, tmp_path):
    x = Value(2.0, label=HOSTILE)
    y = (x * x).tanh()
    watched = Watched(browser).open(animate(y), tmp_path)
    page = watched.page
    page.click("#gs-step")
    assert page.text_content("#gs-text") == f"inputs: {HOSTILE} = 2"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.eval_on_selector_all("img, foreignObject, a", "els => els.length") == 0
    assert page.evaluate("document.scripts.length") == 2
    assert HOSTILE in page.eval_on_selector_all("svg text", "els => els.map(e => e.textContent)")
    watched.clean()


def test_in_a_notebook_iframe_it_plays_too(browser, dot_program):
    player = animate(lecture_neuron()[0])
    watched = Watched(browser)
    watched.url = "about:blank"
    watched.page.set_content(player._repr_html_())
    frame = watched.page.frame_locator("iframe")
    frame.locator("#gs-step").click()
    assert frame.locator("#gs-text").text_content() == player.frames[0].text
    watched.clean()


def test_a_small_network_animates_in_neuron_clusters(dot_program):
    import nn

    model = nn.MLP(2, [2, 1], seed=0, activation="tanh")
    loss = nn.losses.mse(model([1.0, -1.0]), 0.5)
    player = animate(loss, cluster=nn.draw.by_neuron(model), lr=0.1, params=model.parameters())
    assert "layer 0 · neuron 1" in player.html and "layer 1 · neuron 0" in player.html
    assert len([f for f in player.frames if f.phase == "update"]) == len(model.parameters())


# -- what each frame says -----------------------------------------------------------------------


def test_forward_plays_all_inputs_at_once_then_each_op_level_by_level(dot_program):
    o, _ = lecture_neuron()
    forward = [f for f in animate(o).frames if f.phase == "forward"]
    assert forward[0].text == "inputs: x1 = 2, w1 = -3, x2 = 0, w2 = 1, b = 6.88137"
    assert len(forward[0].nodes) == 5
    assert [f.text.split(" =")[0] for f in forward[1:]] == ["n6 (*)", "n3 (*)", "n7 (+)", "n", "o"]


def test_every_backward_frame_says_why_its_local_derivative_has_its_value(dot_program):
    o, _ = lecture_neuron()
    frames = {f.text.split("\n")[0]: f.text.split("\n")[1].strip() for f in animate(o).frames[7:]}
    rules = list(frames.values())
    assert rules[0] == "local d(o)/d(n) for tanh: 1 − o² = 1 − 0.7071² = 0.5"
    assert "local d(n)/d(b) for +: 1" in rules
    assert "local d(n6 (*))/d(x1) for *: w1 = -3 (the other factor)" in rules
    assert "local d(n6 (*))/d(w1) for *: x1 = 2 (the other factor)" in rules
    page = animate(o).html
    assert "number on an edge: the local derivative d(node)/d(input)" in page
    assert "green: the value receiving gradient" in page


def test_after_the_update_a_forward_pass_closes_the_loop(dot_program):
    import math

    o, params = lecture_neuron()
    player = animate(o, lr=0.1, params=params)
    w1, w2, b = params
    new = {"w1": w1.data - 0.1 * w1.grad, "w2": w2.data - 0.1 * w2.grad, "b": b.data - 0.1 * b.grad}
    expected = math.tanh(2.0 * new["w1"] + 0.0 * new["w2"] + new["b"])  # an independent float computation
    last = player.frames[-1]
    assert last.phase == "after" and dict(last.numbers) == pytest.approx(
        {"before": o.data, "after": expected}
    )
    assert last.text.startswith(f"o: 0.707107 → {expected:.6g}")
    assert [p.data for p in params] == [-3.0, 1.0, 6.8813735870195432]  # lr= shows, it does not change


def test_collapse_and_only_path_to_play_only_what_is_drawn(dot_program):
    import nn

    model = nn.MLP(2, [3, 1], seed=0, activation="tanh")
    loss = nn.losses.mse(model([1.0, -1.0]), 0.5)
    w = model.layers[0].neurons[2].w[1]
    player = animate(loss, only_path_to=w)
    targets = {t for f in player.frames for t in f.targets}
    drawn = set(re.findall(r'<g id="(v\d+)" class="node"', player.html))
    assert targets and targets <= drawn
    assert any(f"d(loss)/d({w.label})" in f.text or f"/d({w.label})" in f.text for f in player.frames)
    model.zero_grad()
    collapsed = animate(loss, cluster=nn.draw.by_neuron(model), collapse=True)
    boxes = set(re.findall(r'<g id="(g\d+)" class="node"', collapsed.html))
    assert len(boxes) == 4 and {t for f in collapsed.frames for t in f.targets} & boxes


def test_refusing_a_graph_too_big_to_draw_changes_no_gradient():
    x = Value(1.0, label="x")
    y = x
    for _ in range(400):
        y = y * 1.001
    with pytest.raises(ValueError, match="more than max_nodes=300"):
        animate(y)
    assert all(n.grad == 0.0 for n in topological_order(y))
    with pytest.raises(TypeError, match="lr must be a finite number"):
        animate(x * 2, lr="0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs a Value"):
        animate(3.0)  # type: ignore[arg-type]


# -- in the browser: every frame, two window sizes ----------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_every_frame_keeps_text_in_its_box_and_the_drawing_still(browser, dot_program, tmp_path, viewport):
    o, params = lecture_neuron()
    player = animate(o, lr=0.1, params=params)
    watched = Watched(browser, viewport).open(player, tmp_path)
    page = watched.page
    layout = page.evaluate(LAYOUT)
    for k in range(len(player.frames)):
        page.keyboard.press("ArrowRight")
        assert page.evaluate(TEXTS_OUTSIDE_THEIR_BOXES) == [], f"frame {k}"
        assert page.evaluate(LAYOUT) == layout, f"frame {k}: the drawing moved"
        controls = page.eval_on_selector("#gs-step", "b => b.getBoundingClientRect().top")
        assert 0 <= controls < viewport["height"] / 3  # the controls stay in view
        legend = page.eval_on_selector("#gs-legend", "e => e.getBoundingClientRect().toJSON()")
        assert 0 <= legend["left"] and legend["right"] <= viewport["width"]  # not scrolled away sideways
    page.keyboard.press("z")  # full size: the active node stays on screen
    box = page.eval_on_selector("#gs-graph", "e => e.getBoundingClientRect().toJSON()")
    active = page.eval_on_selector(".gs-current", "e => e.getBoundingClientRect().toJSON()")
    assert box["left"] <= active["left"] and active["right"] <= box["right"] + 1
    assert box["top"] <= active["top"] and active["bottom"] <= box["bottom"] + 1
    watched.clean()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("practice", [False, True], ids=["play", "practice"])
def test_every_frame_is_on_screen_text_whole_legend_and_active_node_in_view(
    browser, dot_program, tmp_path, viewport, practice
):
    # the lecture's neuron with its update; in practice, each question with a wrong answer's hint
    o, params = lecture_neuron()
    player = animate(o, lr=0.1, params=params, practice=practice)
    watched = Watched(browser, viewport).open(player, tmp_path)
    page = watched.page
    for k in range(len(player.frames)):
        assert step_and_try(page) == [], f"frame {k}: {player.frames[k].text[:60]}"
    watched.clean()


def test_practice_asks_the_upstream_gradient_then_the_local_rule_then_the_product(
    browser, dot_program, tmp_path
):
    o, _ = lecture_neuron()
    player = animate(o, practice=True)
    frames = page_data(player.html)["frames"]
    first = next(k for k, f in enumerate(frames) if f["questions"])
    asked = frames[first]["questions"]
    assert [q["answer"] for q in asked] == [1.0, pytest.approx(0.5), pytest.approx(0.5)]
    assert "upstream: d(o)/d(o)" in asked[0]["ask"]
    assert "the rule of tanh: 1 − o²" in asked[1]["ask"]  # the rule, never its number
    assert "local × upstream = ?" in asked[2]["ask"]
    assert ">0.5<" not in player.html.split("<svg", 1)[1].split("</svg>")[0]  # no answer on an edge
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    for _ in range(first + 1):
        page.keyboard.press("ArrowRight")
    node, target = f"v{player.steps.numbers[o]}", f"v{player.steps.numbers[o.parents[0]]}"
    assert svg_text(page, node, -1) == "grad ?"  # the upstream gradient is hidden while it is asked
    assert svg_text(page, target, -1) == "grad 0"  # the seed frame's 0: the product is not shown yet
    page.fill("#gs-answer", "0.7")
    page.press("#gs-answer", "Enter")
    assert page.text_content("#gs-verdict") == "✗ not 0.7"
    assert page.text_content("#gs-hint").startswith("hint: o is the output itself: its gradient is the seed")
    page.fill("#gs-answer", "−1")  # the commonest slip: the sign
    page.press("#gs-answer", "Enter")
    assert "the size is right but the sign is wrong" in page.text_content("#gs-hint")
    page.fill("#gs-answer", "1")
    page.press("#gs-answer", "Enter")
    assert page.text_content("#gs-verdict") == "✓ right: now the next piece"
    assert page.query_selector("#gs-hint") is None and svg_text(page, node, -1) == "grad 1"
    text = page.text_content("#gs-text")
    assert "upstream: d(o)/d(o), the gradient o passes back = 1  ✓" in text and text.endswith("= ?")
    assert "0.5" not in text  # the local derivative, asked now, is nowhere in the step box
    page.fill("#gs-answer", "0.5")
    page.press("#gs-answer", "Enter")
    assert "by the rule of tanh: 1 − o² = 0.5  ✓" in page.text_content("#gs-text")
    assert svg_text(page, target, -1) == "grad 0"
    page.fill("#gs-answer", "0,5")  # a decimal comma
    page.press("#gs-answer", "Enter")
    assert page.text_content("#gs-verdict") == "✓ right" and svg_text(page, target, -1) == "grad 0.5"
    assert page.text_content("#gs-text") == player.frames[first].text
    assert page.text_content("#gs-score") == "score 3 / 3 (2 at the first try)"
    page.keyboard.press("ArrowRight")  # the next step: → reveals its three answers, a second → moves on
    page.keyboard.press("ArrowRight")
    assert page.text_content("#gs-score") == "score 3 / 6 (2 at the first try)"
    page.reload()  # a second try: the last score is there to compare with
    assert (
        page.text_content("#gs-score")
        == "score 0 / 0 (0 at the first try) · last time: 3 / 6 (2 at the first try)"
    )
    watched.url = page.url
    watched.clean()


def test_no_practice_question_gives_its_answer_away(dot_program):
    o, params = lecture_neuron()
    a, k = Value(2.0, label="a"), Value(-3.0, label="k")
    graphs = [o, (a * k + a) ** 2, (a * 3).relu() * (a / k).exp(), (a.sigmoid() - k).tanh()]
    for root in graphs:
        for frame in page_data(animate(root, practice=True).html)["frames"]:
            for q in frame["questions"]:
                assert not answer_in(q["ask"], q["answer"]), q["ask"]
                assert q["ask"].endswith("?")


def test_practice_reads_a_thousands_separator_and_says_how_it_read_a_comma(browser, dot_program, tmp_path):
    big = Value(2.0, label="a") * Value(-2000.15, label="k")
    big.label = "p"
    player = animate(big, practice=True)  # the first step: d(p)/d(a) = k × 1 = -2000.15
    first = next(k for k, f in enumerate(player.frames) if f.answer is not None)
    assert player.frames[first].answer == -2000.15
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    for _ in range(first + 1):
        page.keyboard.press("ArrowRight")
    page.fill("#gs-answer", "1")  # the upstream gradient, the seed
    page.press("#gs-answer", "Enter")
    page.fill("#gs-answer", "-2,100")  # wrong either way: the verdict says both readings
    page.press("#gs-answer", "Enter")
    verdict = page.text_content("#gs-verdict")
    assert (
        "read as -2100 (the comma as a thousands separator) or -2.100 (the comma as a decimal point)"
        in verdict
    )
    assert page.evaluate(FRAME_ON_SCREEN) == []  # the verdict is not cut short
    page.fill("#gs-answer", "-2,000")
    page.press("#gs-answer", "Enter")
    assert page.text_content("#gs-verdict") == "✓ right: now the next piece"
    watched.clean()


def test_a_huge_label_does_not_break_the_player(dot_program):
    x = Value(1.0, label="w" * 100_000)
    player = animate((x * 2).tanh())
    assert "w" * 199 + "…" in player.html  # in the drawing, shortened
    assert page_data(player.html)["frames"][0]["text"] == f"inputs: {'w' * 199}… = 1"  # as drawn


def test_a_huge_label_is_shortened_in_every_frame_as_in_the_drawing(dot_program):
    """A 1,000,000-character label was repeated whole in every frame's text: a 23–25 MB page."""
    label = "w" * 1_000_000
    w = Value(2.0, label=label)
    x = Value(-3.0, label="x\n\x1b[31m")
    loss = (w * x + w).tanh()
    player = animate(loss, lr=0.1)
    assert len(player.html) < 100_000  # the label once would be 1,000,000
    texts = [f.text for f in player.frames]
    assert all("w" * 200 not in t for t in texts) and any("w" * 199 + "…" in t for t in texts)
    assert all("\x1b" not in t for t in texts) and any("x↵␛[31m" in t for t in texts)
