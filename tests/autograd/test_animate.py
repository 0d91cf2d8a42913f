"""animate: a self-contained page, checked as text and driven in real headless Chromium."""

from __future__ import annotations

import html
import json
import re

import pytest

from autograd import Value, topological_order
from autograd.animate import Frame, Player, animate, animation_frames, script_json
from autograd.draw import GraphvizNotFound, grad_text
from autograd.steps import backward_steps

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
    assert HOSTILE in [frame["text"].split(" = ")[0] for frame in page_data(page)["frames"]]


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


def test_optimizer_step_is_taken_and_shown(dot_program):
    class StandInSGD:  # the interface nn's optimisers have: params and step()
        def __init__(self, params, lr):
            self.params, self.lr, self.calls = params, lr, 0

        def step(self):
            self.calls += 1
            for p in self.params:
                p.data -= self.lr * p.grad

    o, params = lecture_neuron()
    optimizer = StandInSGD(params, 0.5)
    player = animate(o, optimizer=optimizer)
    assert optimizer.calls == 1 and params[0].data == pytest.approx(-3.5)
    update = [f for f in player.frames if f.phase == "update"]
    assert len(update) == 3 and dict(update[-1].numbers)["after"] == params[2].data
    assert "StandInSGD.step()" in update[0].text
    with pytest.raises(ValueError, match="not both"):
        animate(o, lr=0.1, optimizer=optimizer)


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


class Watched:
    """A page with its console errors, page errors, dialogs and requests recorded."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1200, "height": 700})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def open(self, player: Player, tmp_path) -> Watched:
        self.url = player.save(tmp_path / "player.html").resolve().as_uri()
        self.page.goto(self.url)
        return self

    def clean(self) -> None:
        """Assert that nothing went wrong and nothing was fetched, then close the page."""
        assert self.errors == [] and self.dialogs == []
        assert all(url == self.url or url.startswith("data:") for url in self.requests), self.requests
        self.page.close()


def ids(page, css_class: str) -> set[str]:
    return set(page.eval_on_selector_all(f".{css_class}", "els => els.map(e => e.id)"))


def svg_text(page, element_id: str, index: int) -> str:
    return page.eval_on_selector(
        f"#{element_id}", f"g => [...g.querySelectorAll('text')].at({index}).textContent"
    )


def test_stepping_shows_the_python_steps(browser, dot_program, tmp_path):
    o, _ = lecture_neuron()
    player = animate(o)
    steps = player.steps
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    forward = len(steps.order)
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
        assert page.text_content("#gs-text") == str(step)
        assert f"v{step.node_number}" in ids(page, "gs-current")
        assert ids(page, "gs-target") == {f"v{step.parent_number}"}
        assert ids(page, "gs-edge") == {f"e{step.node_number}_{step.position}"}
        assert svg_text(page, f"v{step.parent_number}", -1) == grad_text(step.after)
        assert page.get_attribute("body", "data-frame") == str(forward + 1 + k)
    page.keyboard.press("ArrowLeft")  # back: the last step is undone, its parent shows "before"
    last = steps[-1]
    assert page.text_content("#gs-text") == str(steps[-2])
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
    assert page.text_content("#gs-phase") == "update"
    w2 = params[1]
    assert page.text_content("#gs-text") == player.frames[-1].text
    i = player.steps.numbers[w2]
    assert svg_text(page, f"v{i}", -2) == f"data {w2.data - 0.1 * w2.grad:.4g}"
    assert page.is_disabled("#gs-step")
    watched.clean()


def test_hostile_label_does_not_run(browser, dot_program, tmp_path):
    x = Value(2.0, label=HOSTILE)
    y = (x * x).tanh()
    watched = Watched(browser).open(animate(y), tmp_path)
    page = watched.page
    page.click("#gs-step")
    assert page.text_content("#gs-text").startswith(HOSTILE + " = 2")
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
    player = animate(loss, cluster="neuron", lr=0.1, params=model.parameters())
    assert "layer 0 · neuron 1" in player.html and "layer 1 · neuron 0" in player.html
    assert len([f for f in player.frames if f.phase == "update"]) == len(model.parameters())
