"""nn.draw: the network view (sign → colour, magnitude → width) and a training step played on it."""

from __future__ import annotations

import re

import pytest

import nn
from autograd import Value
from nn.draw import animate_training_step, draw_network, weight_style


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def edge_line(source: str, element: str) -> str:
    return next(line for line in source.splitlines() if f"id={element} " in line or f"id={element}]" in line)


def test_weight_style_maps_sign_to_hue_and_magnitude_to_width():
    plus, minus, small = weight_style(2.0, 2.0), weight_style(-2.0, 2.0), weight_style(0.2, 2.0)
    assert rgb(plus["color"])[2] > rgb(plus["color"])[0]  # blue
    assert rgb(minus["color"])[0] > rgb(minus["color"])[2]  # red
    assert float(plus["penwidth"]) == float(minus["penwidth"]) > float(small["penwidth"])
    assert sum(rgb(small["color"])) > sum(rgb(plus["color"]))  # smaller: paler


def test_every_weight_is_one_edge_with_its_sign_and_size():
    model = nn.MLP(3, [4, 2], seed=1)
    source = draw_network(model).source
    weights = [(k, j, i, w) for k, layer in enumerate(model.layers) for j, n in enumerate(layer.neurons)
               for i, w in enumerate(n.w)]  # fmt: skip
    assert source.count(" -> ") == len(weights) == 3 * 4 + 4 * 2
    widths = {}
    for k, j, i, w in weights:
        line = edge_line(source, f"w{k}_{j}_{i}")
        source_id = f"in{i}" if k == 0 else f"n{k - 1}_{i}"
        assert line.strip().startswith(f"{source_id} -> n{k}_{j}")
        r, _, b = rgb(re.search(r'color="(#\w+)"', line)[1])
        assert (b > r) == (w.data > 0)
        assert f"label={w.data:.3g}" in line.replace('"', "")
        widths[w.data] = float(re.search(r"penwidth=\"?([\d.]+)", line)[1])
    by_size = sorted(widths, key=abs)
    assert widths[by_size[0]] < widths[by_size[-1]]


def test_grads_view_and_determinism():
    def build():
        model = nn.MLP(2, [3, 1], seed=7, activation="tanh")
        nn.losses.mse(model([0.5, -1.0]), 2.0).backward()
        return model

    first, second = build(), build()
    assert draw_network(first, "grads").source == draw_network(second, "grads").source
    source = draw_network(first, "grads").source
    w = first.layers[1].neurons[0].w[0]
    line = edge_line(source, "w1_0_0")
    r, _, b = rgb(re.search(r'color="(#\w+)"', line)[1])
    assert (b > r) == (w.grad > 0) and f"grad {w.grad:.3g}" in line
    assert "label=" not in edge_line(draw_network(first, labels=False).source, "w1_0_0")
    with pytest.raises(ValueError, match="weights' or 'grads'"):
        draw_network(first, show="biases")


def test_renders_with_dot(dot_program):
    model = nn.MLP(2, [3, 1], seed=0)
    svg = draw_network(model, inputs=[1.0, -2.0]).pipe(format="svg", encoding="utf-8")
    ids = set(re.findall(r'<g id="([^"]+)"', svg))
    assert {"in0", "in1", "n0_0", "n0_2", "n1_0", "w0_2_1", "w1_0_2"} <= ids


def test_training_step_updates_like_sgd_and_follows_the_engines_order(dot_program):
    model = nn.MLP(2, [3, 1], seed=3, activation="tanh")
    twin = nn.MLP(2, [3, 1], seed=3, activation="tanh")
    x, y = [1.0, -2.0], 0.5
    player = animate_training_step(model, x, y, lr=0.1)
    loss = nn.losses.mse(twin(x), y)
    loss.backward()
    for p, q in zip(model.parameters(), twin.parameters()):
        assert p.grad == q.grad
        assert p.data == q.data - 0.1 * q.grad
    phases = [f.phase for f in player.frames]
    assert phases.count("forward") == 1 + 4 + 1  # inputs, 4 neurons, loss
    assert phases.count("update") == phases.count("backward") - 1 == len(model.parameters())
    backward = [f for f in player.frames if f.phase == "backward"][1:]
    finished = [p.label for p, _ in player.steps.leaf_grads() if p.label]
    assert [re.match(r"d\(loss\)/d\((.*?)\)", f.text)[1] for f in backward] == finished
    assert finished[0].startswith("w[1,") and finished[-1].startswith(("w[0,", "b[0,"))
    assert player.frames[1].text.startswith("h[0,0] = tanh(w[0,0,0]·x0 + w[0,0,1]·x1 + b[0,0]) = tanh(")


def test_training_step_with_an_optimizer(dot_program):
    model = nn.MLP(2, [2, 1], seed=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    before = [p.data for p in model.parameters()]
    player = animate_training_step(model, [1.0, 1.0], 0.0, optimizer=optimizer)
    after = [p.data for p in model.parameters()]
    assert before != after and optimizer.steps == 1
    assert "Adam.step()" in player.frames[-1].text


def test_training_step_plays_in_chromium(browser, dot_program, tmp_path):
    model = nn.MLP(2, [2, 1], seed=0, activation="tanh")
    w = model.layers[1].neurons[0].w[1]
    player = animate_training_step(model, [1.0, -1.0], 1.0, lr=0.5, speed_ms=25)
    url = player.save(tmp_path / "step.html").resolve().as_uri()
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    frame_of_w = next(
        k for k, f in enumerate(player.frames) if f.phase == "backward" and "d(w[1,0,1])" in f.text
    )
    for _ in range(frame_of_w + 1):
        page.keyboard.press("ArrowRight")
    assert page.eval_on_selector_all(".gs-edge", "els => els.map(e => e.id)") == ["w1_0_1"]
    label = page.eval_on_selector("#w1_0_1", "g => g.querySelector('text').textContent")
    assert label == f"{w.data + 0.5 * w.grad:.3g} (grad {w.grad:.3g})"  # data before the update
    page.keyboard.press("End")
    assert page.eval_on_selector("#w1_0_1", "g => g.querySelector('text').textContent") == f"{w.data:.3g}"
    assert page.text_content("#gs-text") == player.frames[-1].text
    page.keyboard.press("Home")  # back to the start: the drawing's own texts again
    assert (
        page.eval_on_selector("#w1_0_1", "g => g.querySelector('text').textContent")
        == f"{w.data + 0.5 * w.grad:.3g}"
    )
    assert (
        page.eval_on_selector("#n1_0", "g => [...g.querySelectorAll('text')].at(-1).textContent") == "out —"
    )
    assert errors == [] and requests == [url]
    page.close()


def test_a_plain_value_is_not_a_model():
    with pytest.raises(TypeError, match="needs an nn.MLP.*got Value"):
        draw_network(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="animate_training_step needs an nn.MLP"):
        animate_training_step(Value(1.0), [1.0], 1.0)  # type: ignore[arg-type]


def test_training_step_without_dot_leaves_the_model_alone(monkeypatch, tmp_path):
    from autograd import GraphvizNotFound

    monkeypatch.setenv("PATH", str(tmp_path))
    model = nn.MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(GraphvizNotFound, match="brew install graphviz"):
        animate_training_step(model, [1.0, 1.0], 0.0)
    assert model.state_dict() == before and all(p.grad == 0.0 for p in model.parameters())
