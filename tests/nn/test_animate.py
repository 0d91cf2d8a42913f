"""nn.animate_training_step: a real training step, its frames checked against PyTorch, and the page
driven in headless Chromium at two window sizes, every frame by keyboard."""

from __future__ import annotations

import math
import re

import pytest

import nn
from autograd import Value
from nn.animate import animate_training_step
from tests.browser import (
    FRAME_ON_SCREEN,
    LAYOUT,
    OVERLAPPING_LABELS,
    TEXTS_OUTSIDE_THEIR_BOXES,
    VIEWPORTS,
    Watched,
    answer_in,
    step_and_try,
    svg_text,
)
from tests.conftest import import_or_fail

X, Y = [0.5, -1.0], 1.0


def torch_step(model: nn.MLP, x: list[float], y: float, lr: float):
    """The same step in PyTorch (float64), from the model's weights: every neuron's z, out,
    d(loss)/d(out) and d(loss)/d(z), the weights' gradients, the new weights and the new loss."""
    torch = import_or_fail("torch")
    acts = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda v: v}
    weights = [torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64,
                            requires_grad=True) for layer in model.layers]  # fmt: skip
    biases = [torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
              for layer in model.layers]  # fmt: skip

    def forward(ws, bs):
        signal, zs, outs = torch.tensor(x, dtype=torch.float64), [], []
        for layer, w, b in zip(model.layers, ws, bs):
            z = w @ signal + b
            out = acts[layer.activation](z)
            if z.requires_grad:
                z.retain_grad()
                out.retain_grad()
            zs.append(z)
            outs.append(out)
            signal = out
        return zs, outs, ((signal[0] - y) ** 2)

    zs, outs, loss = forward(weights, biases)
    loss.backward()
    new_w = [(w - lr * w.grad).detach() for w in weights]
    new_b = [(b - lr * b.grad).detach() for b in biases]
    _, _, new_loss = forward(new_w, new_b)
    return {
        "z": [z.detach().tolist() for z in zs],
        "out": [o.detach().tolist() for o in outs],
        "d_out": [o.grad.tolist() for o in outs],
        "d_z": [z.grad.tolist() for z in zs],
        "d_w": [w.grad.tolist() for w in weights],
        "new_w": [w.tolist() for w in new_w],
        "loss": loss.item(),
        "new_loss": new_loss.item(),
    }


def numbers(frame) -> dict[str, float]:
    return dict(frame.numbers)


def test_each_neuron_gets_its_gradient_and_every_number_matches_pytorch():
    model = nn.MLP(2, [4, 4, 1], seed=0, activation="tanh")
    expected = torch_step(model, X, Y, lr=0.1)
    player = animate_training_step(model, X, Y, lr=0.1)
    frames = player.frames
    deltas = [f for f in frames if f.phase == "backward" and "delta" in numbers(f)]
    d_outs = [f for f in frames if f.phase == "backward" and "d_out" in numbers(f)]
    # layer by layer from the loss back, neurons in index order
    order = [(li, j) for li in (2, 1, 0) for j in range(model.layers[li].nout)]
    assert len(deltas) == len(d_outs) == len(order) == 9
    for (li, j), delta, d_out in zip(order, deltas, d_outs):
        assert numbers(delta)["delta"] == pytest.approx(expected["d_z"][li][j], rel=1e-9, abs=1e-12)
        assert numbers(d_out)["d_out"] == pytest.approx(expected["d_out"][li][j], rel=1e-9, abs=1e-12)
        assert f"z[{li},{j}]" in delta.text
    # the neuron-level chain rule, with its numbers: Σₖ w[2,k,0] · d(loss)/d(z[2,k]), then × tanh′
    h10 = next(f for f in d_outs if "out of h[1,0]" in f.text)
    w = model.layers[2].neurons[0].w[0]
    assert "Σₖ w[2,k,0] · d(loss)/d(z[2,k])" in h10.text
    assert f"{(w.data + 0.1 * w.grad):.4g} × {expected['d_z'][2][0]:.4g}" in h10.text
    through = next(f for f in deltas if "z[1,0]" in f.text)
    assert "tanh′(z)" in through.text and "1 − h[1,0]²" in through.text
    # the update, and the forward pass with the new weights
    for li, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            assert [w.data for w in neuron.w] == pytest.approx(expected["new_w"][li][j], rel=1e-12)
    assert numbers(frames[-1]) == pytest.approx({"before": expected["loss"], "after": expected["new_loss"]})
    assert frames[-1].text.startswith(f"loss {expected['loss']:.4g} → {expected['new_loss']:.4g}")


def test_frames_play_forward_backward_update_and_forward_again():
    model = nn.MLP(2, [3, 1], seed=3, activation="tanh")
    player = animate_training_step(model, [1.0, -2.0], 0.5, lr=0.1)
    phases = [f.phase for f in player.frames]
    neurons = 3 + 1
    assert phases.count("forward") == 1 + neurons + 1  # inputs, each neuron, the loss
    assert phases.count("backward") == 1 + 3 * neurons  # seed; per neuron d_out, d_z, weights
    assert phases.count("update") == neurons and phases.count("after") == 2 + 1  # per layer, then loss
    assert phases == sorted(phases, key=["forward", "backward", "update", "after"].index)
    assert player.frames[1].text.startswith("h[0,0]: z = w·x + b = ")
    weights = next(f for f in player.frames if f.text.startswith("h[0,1]'s weights"))
    w = model.layers[0].neurons[1].w[1]
    delta = next(numbers(f)["delta"] for f in player.frames if "d(loss)/d(z[0,1])" in f.text)
    assert w.grad != 0.0 and f"= {delta:.4g} × input i" in weights.text
    assert weights.text.splitlines()[2] == f"   w1: × -2 = {w.grad:.4g}" and weights.grid == 3  # w0, w1, b


def test_an_optimizer_takes_the_step():
    model = nn.MLP(2, [2, 1], seed=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    before = [p.data for p in model.parameters()]
    player = animate_training_step(model, [1.0, 1.0], 0.0, optimizer=optimizer)
    after = [p.data for p in model.parameters()]
    assert before != after and optimizer.steps == 1
    assert "Adam.step()" in next(f.text for f in player.frames if f.phase == "update")


def test_a_failed_call_changes_nothing(monkeypatch, tmp_path):
    model = nn.MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[0].w[0].grad = 0.25  # a gradient the call must not lose
    state = [(p.data, p.grad) for p in model.parameters()]

    class Exploding(nn.optim.SGD):
        def step(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        animate_training_step(model, [1.0, 1.0], 0.0, optimizer=Exploding(model.parameters()))
    assert [(p.data, p.grad) for p in model.parameters()] == state
    with pytest.raises(TypeError, match="loss_fn must return a Value"):
        animate_training_step(model, [1.0, 1.0], 0.0, loss_fn=lambda predictions, targets: 1.0)
    with pytest.raises(ValueError, match="takes 2 inputs, got 1"):
        animate_training_step(model, [1.0], 0.0)
    with pytest.raises(TypeError, match="lr must be a finite number"):
        animate_training_step(model, [1.0, 1.0], 0.0, lr=float("nan"))
    with pytest.raises(TypeError, match="needs an nn.MLP"):
        animate_training_step(Value(1.0), [1.0], 1.0)  # type: ignore[arg-type]
    assert [(p.data, p.grad) for p in model.parameters()] == state
    monkeypatch.setenv("PATH", str(tmp_path))  # no Graphviz: the network view does not need it
    assert animate_training_step(model, [1.0, 1.0], 0.0).frames


def test_an_optimizer_that_moves_nothing_is_refused_before_any_work(monkeypatch):
    """It played an update in which no weight moved (loss 1.159 → 1.159); fit refuses it."""
    torch = import_or_fail("torch")
    model = nn.MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[0].w[0].grad = 0.25
    state = [(p.data, p.grad) for p in model.parameters()]
    monkeypatch.setattr("nn.animate._play", lambda *a: pytest.fail("work began"))
    other = nn.optim.SGD(nn.MLP(2, [2, 1], seed=1).parameters(), lr=0.1)
    who = "^animate_training_step: "
    with pytest.raises(ValueError, match=who + "the optimiser updates 0 of the model's 9 "):
        animate_training_step(model, X, Y, optimizer=other)
    with pytest.raises(TypeError, match=who + "optimizer must be an nn.optim optimizer, got SGD"):
        animate_training_step(model, X, Y, optimizer=torch.optim.SGD([torch.zeros(1)], lr=0.1))
    assert [(p.data, p.grad) for p in model.parameters()] == state
    with pytest.raises(ValueError, match=r"^fit\(\): the optimiser updates 0"):  # the same check
        nn.fit(model, ([X], [Y]), "mse", other, epochs=1, progress=False)


def test_a_classifier_with_cross_entropy_and_three_outputs():
    model = nn.MLP(2, [3, 3], seed=1, activation="tanh")
    logits = [v.data for v in nn.MLP(2, [3, 3], seed=1, activation="tanh")([0.2, 0.4])]  # before the step
    shift = max(logits)
    softmax = [math.exp(v - shift) / sum(math.exp(u - shift) for u in logits) for v in logits]
    player = animate_training_step(model, [0.2, 0.4], 2, loss_fn=nn.losses.cross_entropy, lr=0.5)
    d_outs = [f for f in player.frames if f.phase == "backward" and "d_out" in numbers(f)][:3]
    assert [f.text.split(" =")[0] for f in d_outs] == [f"d(loss)/d(out[{k}])" for k in range(3)]
    # the loss's derivative as a formula with its numbers, checked against softmax by hand
    for k, f in enumerate(d_outs):
        assert f"softmax(out)[{k}] − (1 if {k} is the class y else 0)" in f.text
        assert f"= {softmax[k]:.4g} − {int(k == 2)} = " in f.text
        assert numbers(f)["d_out"] == pytest.approx(softmax[k] - (k == 2), rel=1e-9)
    assert 'id="loss-y-v"' in player.html


def test_the_loss_derivative_is_a_formula_not_engine_nodes():
    mse = animate_training_step(nn.MLP(2, [2, 1], seed=0), [1.0, -1.0], 0.5, lr=0.1)
    out = next(dict(f.numbers)["out"] for f in mse.frames if f.text.startswith("out[0]: z"))
    d_out = next(f for f in mse.frames if "d_out" in numbers(f))
    assert d_out.text == f"d(loss)/d(out[0]) = 2(out − y) = 2 × ({out:.4g} − 0.5) = {2 * (out - 0.5):.4g}"
    bce = animate_training_step(
        nn.MLP(2, [2, 1], seed=0), [1.0, -1.0], 1, loss_fn=nn.losses.binary_cross_entropy
    )
    d_out = next(f for f in bce.frames if "d_out" in numbers(f))
    sigma = 1 / (1 + math.exp(-out))
    assert d_out.text.startswith("d(loss)/d(out[0]) = σ(out) − y   (log loss on the logit out)")
    assert numbers(d_out)["d_out"] == pytest.approx(sigma - 1, rel=1e-12)
    for frame in bce.frames:  # no engine node names anywhere
        assert not re.search(r"\bn\d+\b|softplus|\*\*2", frame.text), frame.text


def test_a_relu_that_is_off_is_marked_and_its_zero_terms_left_out():
    model = nn.MLP(2, [4, 4, 1], seed=0)
    twin = nn.MLP(2, [4, 4, 1], seed=0)
    hidden = twin.layers[1].forward_list(twin.layers[0].forward_list([Value(v) for v in X]))
    off = [j for j, h in enumerate(hidden) if h.data <= 0.0]
    assert off and len(off) < 4  # this seed has an off neuron in layer 1, and a neuron that is on
    player = animate_training_step(model, X, Y, lr=0.1)
    j = off[0]
    through = next(f for f in player.frames if f.text.startswith(f"d(loss)/d(z[1,{j}])"))
    assert f"h[1,{j}] is off: d(loss)/d(z) = 0, its weights do not move" in through.text
    assert (f"n1_{j}", "opacity", "0.45") in through.style
    weights = next(f for f in player.frames if f.text.startswith(f"h[1,{j}] is off"))
    assert weights.grid == 0 and len(weights.text.splitlines()) == 1  # no list of zeros
    for i in range(4):  # each neuron of layer 0: the off neuron's term is left out of its sum
        d_out = next(f for f in player.frames if f.text.startswith(f"d(loss)/d(out of h[0,{i}])"))
        w = model.layers[1].neurons[j].w[i]
        assert f"{len(off)} of them" in d_out.text and f"{w.data:.4g} × 0 " not in d_out.text
        assert f"n1_{j}-z-g" not in d_out.nodes and len(d_out.text.split("\n")[1].split(" + ")) == 4 - len(
            off
        )
    update = next(f for f in player.frames if f.phase == "update" and f.text.startswith(f"h[1,{j}]"))
    assert "was off: every gradient 0, so no weight moved" in update.text
    again = next(f for f in player.frames if f.phase == "after" and f"n1_{j}" in f.nodes)
    assert (f"n1_{j}", "opacity", None) in again.style  # the next forward pass undoes the fading


def test_the_data_is_drawn_on_the_map_with_a_key_to_its_colours():
    X_data, y_data = [[0.0, 0.5], [1.0, -0.5], [5.0, 5.0]], [1, 0, 1]  # the last lies outside the region
    player = animate_training_step(nn.MLP(2, [3, 1], seed=0), X, 1, loss_fn=nn.losses.binary_cross_entropy,
                                   decision_map=(-1.0, 2.0, -2.0, 2.0), points=(X_data, y_data))  # fmt: skip
    dots = re.findall(r'<circle cx="[\d.]+" cy="[\d.]+" r="2.5" fill="(#[0-9a-f]+)"', player.html)
    assert dots == ["#2166ac", "#b2182b"]  # blue: the class the output should put above 0
    assert "dots: the data, blue y = 1, red y = 0" in player.html and 'id="map-key"' in player.html
    with pytest.raises(ValueError, match="points must be"):
        animate_training_step(nn.MLP(2, [3, 1], seed=0), X, 1, points=([[0.0, 1.0]], [0, 1]))
    with pytest.raises(ValueError, match="there is none"):
        animate_training_step(nn.MLP(2, [3, 1], seed=0), X, 1, decision_map=False, points=(X_data, y_data))


# -- in the browser ---------------------------------------------------------------------------


def step_through(page, frames: int, check) -> None:
    for k in range(frames):
        page.keyboard.press("ArrowRight")
        check(k)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_every_frame_keeps_text_in_its_box_and_the_drawing_still(browser, tmp_path, viewport):
    model = nn.MLP(2, [4, 4, 1], seed=0)
    expected = torch_step(model, X, Y, lr=0.1)
    player = animate_training_step(model, X, Y, lr=0.1)
    watched = Watched(browser, viewport).open(player, tmp_path)
    page = watched.page
    layout = page.evaluate(LAYOUT)
    tops = {k: [page.eval_on_selector(f"#n{k}_{j}", "g => g.getBoundingClientRect().top")
                for j in range(model.layers[k].nout)] for k in range(3)}  # fmt: skip
    assert all(t == sorted(t) and len(set(t)) == len(t) for t in tops.values())  # neurons in index order
    end_of_backward = max(k for k, f in enumerate(player.frames) if f.phase == "backward")

    def check(k: int) -> None:
        assert page.evaluate(TEXTS_OUTSIDE_THEIR_BOXES) == [], f"frame {k}"
        assert page.evaluate(LAYOUT) == layout, f"frame {k}: the drawing moved"
        assert page.get_attribute("body", "data-frame") == str(k)
        if k == end_of_backward:  # every neuron shows its d(loss)/d(z), PyTorch's number
            for li, layer in enumerate(model.layers):
                for j in range(layer.nout):
                    shown = float(svg_text(page, f"n{li}_{j}-z-g"))
                    assert shown == pytest.approx(expected["d_z"][li][j], rel=5e-4, abs=1e-12)

    step_through(page, len(player.frames), check)
    assert float(svg_text(page, "loss-after-v")) == pytest.approx(expected["new_loss"], rel=5e-4)
    assert page.text_content("#gs-text") == player.frames[-1].text
    watched.clean()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("layers", [[16, 16, 1], [4, 4, 1]], ids=["demo", "readme"])
def test_every_frame_is_on_screen_text_whole_legend_active_card_and_map_in_view(
    browser, tmp_path, viewport, layers
):
    # the demo's network with its data on the map, and the README's 4-4-1 tanh network: the map,
    # wherever the drawing is scrolled to, is wholly in the window at every frame
    moons, labels = nn.data.make("moons", 80, seed=0, noise=0.1)
    model = nn.MLP(2, layers, seed=0, activation="relu" if layers[0] == 16 else "tanh")
    player = animate_training_step(model, moons[0], labels[0], loss_fn=nn.losses.binary_cross_entropy,
                                   decision_map=(-1.5, 2.5, -1.0, 1.5), points=(moons, labels))  # fmt: skip
    assert max(f.text.count("\n") for f in player.frames) >= layers[0] // 2 + 2  # long lists
    watched = Watched(browser, viewport).open(player, tmp_path)
    page = watched.page
    layout = page.evaluate(LAYOUT)

    def check(k: int) -> None:
        assert page.evaluate(FRAME_ON_SCREEN, "#map") == [], f"frame {k}: {player.frames[k].text[:60]}"
        assert page.evaluate(LAYOUT) == layout, f"frame {k}: the drawing moved"

    step_through(page, len(player.frames), check)
    page.keyboard.press("End")  # the last frame is about the loss: its card in view
    box = page.eval_on_selector("#gs-graph", "g => g.getBoundingClientRect().right")
    assert page.eval_on_selector("#loss", "g => g.getBoundingClientRect().right") <= box
    watched.clean()


def test_after_the_update_the_edges_are_redrawn_from_the_new_weights(browser, tmp_path):
    model = nn.MLP(2, [2, 1], seed=0, activation="tanh")
    twin = nn.MLP(2, [2, 1], seed=0, activation="tanh")
    nn.losses.mse(twin([1.0, 1.0]), -5.0).backward()
    # a weight whose gradient has its sign, and a step big enough to take it past zero
    li, j, i, t = next(
        (li, j, i, t)
        for li, layer in enumerate(twin.layers)
        for j, neuron in enumerate(layer.neurons)
        for i, t in enumerate(neuron.w)
        if t.grad * t.data > 0
    )
    w = model.layers[li].neurons[j].w[i]
    sign_before = w.data > 0
    player = animate_training_step(model, [1.0, 1.0], -5.0, lr=3 * abs(t.data / t.grad))
    assert (w.data > 0) != sign_before
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page

    def blue(colour: str) -> bool:
        r, b = int(colour[1:3], 16), int(colour[5:7], 16)
        return b > r

    line = f"#w{li}_{j}_{i}-line"
    assert blue(page.get_attribute(line, "stroke")) == sign_before
    name = nn.draw.neuron_name(li, j, 2)
    update = next(k for k, f in enumerate(player.frames) if f.phase == "update" and f.text.startswith(name))
    for _ in range(update + 1):
        page.keyboard.press("ArrowRight")
    assert blue(page.get_attribute(line, "stroke")) != sign_before
    assert svg_text(page, f"n{li}_{j}-w{i}-v") == f"{w.data:.4g}"
    page.keyboard.press("Home")  # back to the start: the old colour and number
    assert blue(page.get_attribute(line, "stroke")) == sign_before
    watched.clean()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_a_dense_network_shows_the_weights_of_the_highlighted_edges_without_overlap(
    browser, tmp_path, viewport
):
    model = nn.MLP(2, [16, 16, 1], seed=0)
    player = animate_training_step(model, X, Y, lr=0.01)
    assert "a weight&#x27;s number: on its edge when lit or hovered" in player.html
    watched = Watched(browser, viewport).open(player, tmp_path)
    page = watched.page
    layout = page.evaluate(LAYOUT)
    shown_counts = []

    def check(k: int) -> None:
        shown = page.eval_on_selector_all(".gs-label.gs-show", "els => els.length")
        shown_counts.append(shown)
        assert page.evaluate(OVERLAPPING_LABELS) == [], f"frame {k}"
        assert page.evaluate(LAYOUT) == layout, f"frame {k}: the drawing moved"
        if k % 10 == 0:  # every cell of the drawing, on a sample of frames (it holds ~1000 texts)
            assert page.evaluate(TEXTS_OUTSIDE_THEIR_BOXES) == [], f"frame {k}"

    step_through(page, len(player.frames), check)
    assert max(shown_counts) == 16  # all the edges into (or out of) one neuron at once
    page.keyboard.press("Home")
    page.dispatch_event("#w1_3_7 .gs-hit", "mouseover")  # the pointer on an edge shows its weight
    assert "gs-hover" in page.get_attribute("#w1_3_7-into", "class")
    assert page.eval_on_selector("#w1_3_7-into", "g => getComputedStyle(g).visibility") == "visible"
    page.dispatch_event("#w1_3_7 .gs-hit", "mouseout")
    assert page.eval_on_selector("#w1_3_7-into", "g => getComputedStyle(g).visibility") == "hidden"
    watched.clean()


def test_practice_mode_accepts_the_right_number_and_rejects_a_wrong_one(browser, tmp_path):
    model = nn.MLP(2, [3, 1], seed=2, activation="tanh")
    player = animate_training_step(model, X, Y, lr=0.1, practice=True)
    first = next(k for k, f in enumerate(player.frames) if f.answer is not None)
    frame = player.frames[first]  # the loss's derivative: one question, its formula without numbers
    assert frame.question == "d(loss)/d(out[0]) = 2(out − y) = ?" and frame.pieces == ()
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    for _ in range(first + 1):
        page.keyboard.press("ArrowRight")
    assert page.text_content("#gs-text") == frame.question
    assert page.is_visible("#gs-answer")
    cell = frame.set[0][0]
    assert svg_text(page, cell) == "—"  # the answer is not on the picture yet
    wrong = f"{frame.answer * 2 + 1:.4g}"
    page.fill("#gs-answer", wrong)
    page.press("#gs-answer", "Enter")
    assert page.text_content("#gs-verdict") == f"✗ not {wrong}" and svg_text(page, cell) == "—"
    hint = page.text_content("#gs-hint")
    assert "put out (on out[0]'s card) and y (on the loss card) into 2(out − y)" in hint
    page.fill("#gs-answer", f"{frame.answer:.3g}".replace("-", "−"))  # typed with a real minus sign
    page.press("#gs-answer", "Enter")
    assert page.text_content("#gs-verdict") == "✓ right"
    assert page.text_content("#gs-text") == frame.text and svg_text(page, cell) == f"{frame.answer:.4g}"
    assert page.text_content("#gs-score") == "score 1 / 1 (0 at the first try)"
    page.keyboard.press("ArrowRight")  # the next frame asks two: → reveals both, they count as not known
    page.keyboard.press("ArrowRight")
    assert page.text_content("#gs-score") == "score 1 / 3 (0 at the first try)"
    watched.clean()


def test_practice_asks_the_upstream_gradient_and_the_activations_rule_before_the_product(browser, tmp_path):
    model = nn.MLP(2, [3, 1], seed=2, activation="tanh")
    player = animate_training_step(model, X, Y, lr=0.1, practice=True)
    k, frame = next((k, f) for k, f in enumerate(player.frames) if "d(loss)/d(z[0,1])" in (f.question or "")
                    or any("d(loss)/d(z[0,1])" in p.question for p in f.pieces))  # fmt: skip
    h01 = model.layers[0].neurons[1]
    upstream, local = frame.pieces
    assert upstream.answer == pytest.approx(numbers(frame)["delta"] / numbers(frame)["local"])
    assert "the rule of tanh: 1 − h[0,1]²" in local.question  # the rule, never its number
    assert local.answer == pytest.approx(numbers(frame)["local"]) and frame.answer == numbers(frame)["delta"]
    for q in (upstream, local, frame):
        assert not answer_in(q.question, q.answer) and not re.search(r"\d × ", q.question)  # no factors
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    while page.get_attribute("body", "data-frame") != str(k):
        page.keyboard.press("ArrowRight")
    assert svg_text(page, "n0_1-out-g") == "?"  # d(loss)/d(out), asked, is hidden on the card
    page.fill("#gs-answer", f"{upstream.answer:.4g}")
    page.press("#gs-answer", "Enter")
    assert svg_text(page, "n0_1-out-g") == f"{upstream.answer:.4g}" and svg_text(page, "n0_1-z-g") == "—"
    page.fill("#gs-answer", f"{-local.answer:.4g}")  # a sign slip
    page.press("#gs-answer", "Enter")
    assert "the sign is wrong" in page.text_content("#gs-hint")
    page.click("#gs-reveal")  # the local derivative shown; the product is asked next
    assert f"= {local.answer:.4g}  (revealed)" in page.text_content("#gs-text")
    page.fill("#gs-answer", f"{frame.answer:.4g}")
    page.press("#gs-answer", "Enter")
    assert svg_text(page, "n0_1-z-g") == f"{frame.answer:.4g}" and h01.w[0].grad != 0
    watched.clean()


def test_no_practice_question_gives_its_answer_away():
    moons, labels = nn.data.make("moons", 20, seed=0, noise=0.1)
    for layers, act in [([4, 4, 1], "tanh"), ([3, 3, 1], "relu"), ([2, 1], "sigmoid")]:
        model = nn.MLP(2, layers, seed=1, activation=act)
        player = animate_training_step(model, moons[0], labels[0], loss_fn=nn.losses.binary_cross_entropy,
                                       practice=True)  # fmt: skip
        for frame in player.frames:
            for q in (*frame.pieces, frame) if frame.answer is not None else ():
                assert not answer_in(q.question, q.answer), q.question


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_in_practice_every_question_and_its_hint_are_on_screen(browser, tmp_path, viewport):
    model = nn.MLP(2, [4, 4, 1], seed=0, activation="tanh")
    player = animate_training_step(model, X, Y, lr=0.1, practice=True)
    watched = Watched(browser, viewport).open(player, tmp_path)
    page = watched.page
    for k in range(len(player.frames)):
        assert step_and_try(page) == [], f"frame {k}: {player.frames[k].text[:60]}"
    watched.clean()


def test_the_page_loads_nothing_and_runs_no_label_as_code(browser, tmp_path):
    model = nn.MLP(2, [2, 1], seed=0)
    for p in model.parameters():
        p.label = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    player = animate_training_step(model, [1.0, -1.0], 1.0)
    assert player.html.count("<script") == 2 and "<img" not in player.html
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", player.html)
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    page.keyboard.press("End")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    watched.clean()


def test_building_the_demo_sized_player_stays_small():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    player = animate_training_step(model, X, Y, lr=0.01)
    assert len(player.html.encode()) < 2_000_000
    assert all(math.isfinite(v) for f in player.frames for _, v in f.numbers)


def test_several_steps_train_like_sgd_and_draw_the_loss_after_each(browser, tmp_path):
    model = nn.MLP(2, [3, 1], seed=1, activation="tanh")
    twin = nn.MLP(2, [3, 1], seed=1, activation="tanh")
    losses = []
    for _ in range(4):  # the same four steps, by hand
        twin.zero_grad()
        loss = nn.losses.mse([twin(X)], [Y])
        losses.append(loss.data)
        loss.backward()
        for p in twin.parameters():
            p.data -= 0.1 * p.grad
    losses.append(nn.losses.mse([twin(X)], [Y]).data)
    player = animate_training_step(model, X, Y, lr=0.1, steps=4)
    assert [p.data for p in model.parameters()] == [p.data for p in twin.parameters()]
    ends = [f for f in player.frames if f.phase == "after" and f.text.split(" · ")[1].startswith("loss ")]
    assert [dict(f.numbers)["after"] for f in ends] == losses[1:]
    assert [f.text.split(" · ")[0] for f in ends] == [f"step {k} of 4" for k in range(1, 5)]
    phases = [f.phase for f in player.frames]
    assert phases.count("forward") == 1 + 4 + 1  # once: each later step starts from the last forward pass
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    page.keyboard.press("End")
    points = [tuple(map(float, p.split(","))) for p in page.get_attribute("#curve-line", "points").split()]
    assert len(points) == 5 and [x for x, _ in points] == sorted(x for x, _ in points)
    heights = [70.0 * (1 - v / max(losses)) for v in losses]  # the plot is 70 px tall, the top loss at 0
    assert [y for _, y in points] == pytest.approx(heights, abs=0.06)
    assert page.evaluate(TEXTS_OUTSIDE_THEIR_BOXES) == []
    with pytest.raises(ValueError, match="steps must be an int from 1 to 20"):
        animate_training_step(model, X, Y, steps=0)
    watched.clean()


# -- the decision map -----------------------------------------------------------------------------


def plain_output(
    weights: list[list[tuple[list[float], float]]], activations: list[str], x: list[float]
) -> float:
    """The network's output by plain float arithmetic, from its numbers: an oracle for the map."""
    act = {"tanh": math.tanh, "relu": lambda v: max(v, 0.0), "linear": lambda v: v}
    signal = x
    for layer, activation in zip(weights, activations):
        signal = [act[activation](sum(w * s for w, s in zip(ws, signal)) + b) for ws, b in layer]
    return signal[0]


def numbers_of(model: nn.MLP) -> list[list[tuple[list[float], float]]]:
    return [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in model.layers]


def test_the_decision_map_shows_the_output_before_and_after_each_step():
    from autograd.draw import sign_colour
    from nn.animate import map_values

    model = nn.MLP(2, [4, 1], seed=3, activation="tanh")
    activations = [layer.activation for layer in model.layers]
    before = numbers_of(model)
    region = (-2.0, 2.0, -1.0, 3.0)
    player = animate_training_step(model, X, Y, lr=0.5, steps=2, decision_map=region)
    after = numbers_of(model)
    cells = 20
    centre = lambda r, c: [-2.0 + (c + 0.5) * 4.0 / cells, 3.0 - (r + 0.5) * 4.0 / cells]  # noqa: E731
    # the values the map is drawn from, against plain arithmetic, at the corners and the middle
    for r, c in ((0, 0), (0, 19), (19, 0), (19, 19), (10, 7)):
        assert map_values(model, region)[r][c] == pytest.approx(
            plain_output(after, activations, centre(r, c))
        )
    first = [[plain_output(before, activations, centre(r, c)) for c in range(cells)] for r in range(cells)]
    scale = max(abs(v) for row in first for v in row)
    svg = player.html
    for r, c in ((0, 0), (19, 19), (5, 12)):  # the drawing starts from the weights before the step
        assert f'id="map-{r}-{c}" ' in svg
        fill = re.search(rf'id="map-{r}-{c}" [^>]*fill="(#[0-9a-f]{{6}})"', svg)[1]
        assert fill == sign_colour(first[r][c], scale, floor=0.08)
    ends = [f for f in player.frames if any(s[0] == "map-0-0" for s in f.style)]
    assert len(ends) == 2  # redrawn at the end of each step
    last = dict((element, value) for element, _, value in ends[-1].style)
    for r, c in ((0, 0), (19, 19), (5, 12)):  # ... and the last redraw is the trained network's
        assert last[f"map-{r}-{c}"] == sign_colour(
            plain_output(after, activations, centre(r, c)), scale, floor=0.08
        )
    assert ("map-when", 0, "after step 2") in ends[-1].set


@pytest.mark.parametrize(
    "choice, words",
    [
        ((1.0, -1.0, 0.0, 1.0), "low < high"),
        ((0.0, 1.0, 0.0), "a region"),
        ((0.0, 1.0, 0.0, float("nan")), "finite numbers"),
        ("yes", "a region"),
        ({0.0, 1.0}, "a tuple or list of 4 finite numbers"),
        # the width overflowed inside the map: "Value() takes a finite number, got inf"
        ((-1e308, 1e308, -1.0, 1.0), r"^animate_training_step: decision_map's x0 width 1e\+308 − \("),
        ((-1.0, 1.0, -1e308, 1e308), r"decision_map's x1 width .* overflows a float"),
    ],
)
def test_a_bad_decision_map_region_is_refused_before_anything_changes(choice, words):
    model = nn.MLP(2, [2, 1], seed=0)
    weights = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=words):
        animate_training_step(model, X, Y, decision_map=choice)
    assert [p.data for p in model.parameters()] == weights and all(p.grad == 0.0 for p in model.parameters())


def test_the_map_is_left_out_where_it_cannot_be_drawn_and_refused_if_asked_for():
    three = nn.MLP(3, [2, 1], seed=0)
    assert "map-0-0" not in animate_training_step(three, [0.1, 0.2, 0.3], 1.0).html  # automatic: none
    with pytest.raises(ValueError, match="needs a network with 2 inputs and 1 output, got 3 inputs"):
        animate_training_step(three, [0.1, 0.2, 0.3], 1.0, decision_map=True)
    assert "map-0-0" not in animate_training_step(nn.MLP(2, [2, 1], seed=0), X, Y, decision_map=False).html


def test_a_decision_map_region_may_be_a_list():
    as_list = animate_training_step(nn.MLP(2, [2, 1], seed=0), X, Y, decision_map=[-2, 2.0, -3.0, 3])
    as_tuple = animate_training_step(nn.MLP(2, [2, 1], seed=0), X, Y, decision_map=(-2, 2.0, -3.0, 3))
    assert as_list.html == as_tuple.html and "map-19-19" in as_list.html


def test_in_a_notebook_iframe_the_map_is_pinned_beside_the_step_box_too(browser):
    # Player._repr_html_: the page in a sandboxed iframe (scripts only), as Jupyter and the docs show it
    moons, labels = nn.data.make("moons", 40, seed=0, noise=0.1)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    player = animate_training_step(model, moons[0], labels[0], loss_fn=nn.losses.binary_cross_entropy,
                                   points=(moons, labels))  # fmt: skip
    watched = Watched(browser)
    watched.page.set_content(player._repr_html_())
    framed = watched.page.frames[1]
    framed.wait_for_selector("#gs-pin #map")
    for frame in (0, len(player.frames) // 2, len(player.frames) - 1):
        framed.click("#gs-reset")
        for _ in range(frame + 1):
            framed.click("#gs-step")
        assert framed.evaluate(FRAME_ON_SCREEN, "#map") == [], f"frame {frame}"
    assert framed.text_content("#map-when") == "after step 1"  # the last frame redrew the pinned map
    watched.clean()


def test_on_a_phone_the_step_box_takes_the_width_under_the_controls_and_the_map(browser, tmp_path):
    """Seen at 420 px: beside the map the step box was 190 px wide, a few words a line, and the
    drawing had no room left. Now the map sits beside the controls and the step box runs under both."""
    model = nn.MLP(2, [4, 4, 1], seed=0, activation="tanh")
    player = animate_training_step(model, X, Y)
    watched = Watched(browser, {"width": 420, "height": 800}).open(player, tmp_path)
    page = watched.page
    for frame in (0, 17, 40):
        page.click("#gs-reset")
        for _ in range(frame):
            page.click("#gs-step")
        boxes = page.evaluate(
            """() => Object.fromEntries(["gs-now", "gs-pin", "gs-controls", "gs-graph"].map((id) => {
                   const r = document.getElementById(id).getBoundingClientRect();
                   return [id, {left: r.left, right: r.right, top: r.top, bottom: r.bottom}]; }))"""
        )
        now, pin, graph = boxes["gs-now"], boxes["gs-pin"], boxes["gs-graph"]
        assert now["right"] - now["left"] > 420 - 2 * 12 - 2, boxes  # the whole width, but the padding
        assert pin["bottom"] <= now["top"] + 1 and pin["top"] < boxes["gs-controls"]["bottom"], boxes
        assert graph["bottom"] - graph["top"] >= 200, boxes  # room for the drawing
        assert page.evaluate(FRAME_ON_SCREEN) == [], f"frame {frame}"
    watched.clean()


def test_the_map_changes_colour_in_the_browser_and_keeps_the_sample_inside(browser, tmp_path):
    model = nn.MLP(2, [4, 1], seed=3, activation="tanh")
    player = animate_training_step(model, X, Y, lr=0.5, decision_map=(-2.0, 2.0, -2.0, 2.0))
    watched = Watched(browser).open(player, tmp_path)
    page = watched.page
    fills = lambda: page.eval_on_selector_all(
        "[id^='map-'][id$='-0'], [id^='map-0-']", "els => els.map(e => e.getAttribute('fill'))"
    )  # noqa: E731
    start = fills()
    assert page.text_content("#map-when") == "before the step"
    page.keyboard.press("End")
    assert fills() != start and page.text_content("#map-when") == "after step 1"
    ring = page.eval_on_selector("#map-x", "e => e.getBoundingClientRect().toJSON()")
    square = page.eval_on_selector("#map-10-10", "e => e.closest('g').getBoundingClientRect().toJSON()")
    assert square["left"] <= ring["left"] and ring["right"] <= square["right"]  # (0.5, −1) is on the map
    page.keyboard.press("Home")
    assert fills() == start  # going back redraws the map from the weights before the step
    watched.clean()
