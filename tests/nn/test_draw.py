"""nn.draw: the network picture (index order, sign → colour, magnitude → width, cells sized for
their texts) and the grouping of a network's computation graph by neuron for autograd's drawings."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import nn
from autograd import Value, draw_dot, topological_order
from nn.draw import ADVANCE, PAD, by_layer, by_neuron, draw_network, weight_style
from tests.conftest import import_or_fail

SNAPSHOTS = Path(__file__).parent / "snapshots"
SVG = "{http://www.w3.org/2000/svg}"


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def elements(svg: str) -> dict[str, ET.Element]:
    return {e.get("id"): e for e in ET.fromstring(svg).iter() if e.get("id")}


def rect_of(group: ET.Element) -> tuple[float, float, float, float]:
    rect = group.find(f"{SVG}rect")
    x, y = float(rect.get("x")), float(rect.get("y"))
    return x, y, x + float(rect.get("width")), y + float(rect.get("height"))


def test_weight_style_maps_sign_to_hue_and_magnitude_to_width():
    (plus, w_plus), (minus, w_minus), (small, w_small) = (weight_style(v, 2.0) for v in (2.0, -2.0, 0.2))
    assert rgb(plus)[2] > rgb(plus)[0] and rgb(minus)[0] > rgb(minus)[2]  # blue +, red −
    assert w_plus == w_minus > w_small
    assert sum(rgb(small)) > sum(rgb(plus))  # smaller: paler


def test_every_weight_is_one_edge_from_its_input_with_its_sign_and_size():
    model = nn.MLP(3, [4, 2], seed=1)
    svg = draw_network(model).svg
    found = elements(svg)
    widths = {}
    for k, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                line = found[f"w{k}_{j}_{i}-line"]
                source = found[f"in{i}"] if k == 0 else found[f"n{k - 1}_{i}"]
                target = found[f"n{k}_{j}"]
                assert float(line.get("x1")) == pytest.approx(
                    rect_of(source)[2], abs=0.1
                )  # leaves its source
                assert float(line.get("x2")) == pytest.approx(
                    rect_of(target)[0], abs=0.1
                )  # enters its neuron
                row = found[f"n{k}_{j}-w{i}-v"]  # ... on the row of its own weight
                top, bottom = rect_of(row)[1], rect_of(row)[3]
                assert top < float(line.get("y2")) < bottom
                r, _, b = rgb(line.get("stroke"))
                assert (b > r) == (w.data > 0)
                assert row.find(f"{SVG}text").text == f"{w.data:.4g}"
                widths[w.data] = float(line.get("stroke-width"))
    by_size = sorted(widths, key=abs)
    assert widths[by_size[0]] < widths[by_size[-1]]
    assert len([e for e in found if re.fullmatch(r"w\d+_\d+_\d+", e)]) == 3 * 4 + 4 * 2


def test_inputs_and_neurons_are_drawn_in_index_order_top_to_bottom():
    model = nn.MLP(3, [5, 4, 2], seed=0)
    found = elements(draw_network(model).svg)
    tops = [rect_of(found[f"in{i}"])[1] for i in range(3)]
    assert tops == sorted(tops) and len(set(tops)) == 3
    for k, layer in enumerate(model.layers):
        tops = [rect_of(found[f"n{k}_{j}"])[1] for j in range(layer.nout)]
        assert tops == sorted(tops) and len(set(tops)) == layer.nout
        lefts = {rect_of(found[f"n{k}_{j}"])[0] for j in range(layer.nout)}
        assert len(lefts) == 1  # one column per layer


def test_inputs_fill_z_and_out_as_an_independent_float_computation():
    model = nn.MLP(2, [3, 1], seed=4, activation="tanh")
    x = [0.7, -1.3]
    found = elements(draw_network(model, inputs=x).svg)
    import math

    hidden = []
    for j, neuron in enumerate(model.layers[0].neurons):
        z = sum(w.data * v for w, v in zip(neuron.w, x)) + neuron.b.data
        hidden.append(math.tanh(z))
        assert float(found[f"n0_{j}-z-v"].find(f"{SVG}text").text) == pytest.approx(z, rel=1e-3)
        assert float(found[f"n0_{j}-out-v"].find(f"{SVG}text").text) == pytest.approx(math.tanh(z), rel=1e-3)
    out = model.layers[1].neurons[0]
    expected = sum(w.data * h for w, h in zip(out.w, hidden)) + out.b.data
    assert float(found["n1_0-out-v"].find(f"{SVG}text").text) == pytest.approx(expected, rel=1e-3)
    assert all(p.grad == 0.0 for p in model.parameters())  # drawing touched no gradient


def test_every_cell_is_wide_enough_for_its_text():
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[0].w[0].data = -0.000123456  # the longest kind of number: -0.0001235
    nn.losses.mse(model([1.0, 2.0]), 3.0).backward()
    for compact in (False, True):
        found = elements(draw_network(model, "grads", inputs=[1.0, 2.0], compact=compact).svg)
        for ident, group in found.items():
            if not ident.endswith(("-v", "-g")):
                continue
            text = group.find(f"{SVG}text").text or ""
            x0, _, x1, _ = rect_of(group)
            assert len(text) * ADVANCE + 2 * PAD <= x1 - x0 + 1e-6, (ident, text)


def test_grads_view_colours_by_gradient_and_is_deterministic():
    def build():
        model = nn.MLP(2, [3, 1], seed=7, activation="tanh")
        nn.losses.mse(model([0.5, -1.0]), 2.0).backward()
        return model

    first, second = build(), build()
    assert draw_network(first, "grads").svg == draw_network(second, "grads").svg
    found = elements(draw_network(first, "grads").svg)
    w = first.layers[1].neurons[0].w[0]
    r, _, b = rgb(found["w1_0_0-line"].get("stroke"))
    assert (b > r) == (w.grad > 0)
    assert found["n1_0-w0-g"].find(f"{SVG}text").text == f"{w.grad:.4g}"
    with pytest.raises(ValueError, match="weights' or 'grads'"):
        draw_network(first, show="biases")


def test_a_dense_network_is_compact_with_the_weights_on_its_edges():
    small, dense = nn.MLP(2, [4, 4, 1], seed=0), nn.MLP(2, [16, 16, 1], seed=0)
    assert not draw_network(small).compact and draw_network(dense).compact
    found = elements(draw_network(dense).svg)
    assert "n1_0-w0-v" not in found  # no weight rows in the cards
    label = found["w1_3_7-into"]
    w = dense.layers[1].neurons[3].w[7]
    assert [t.text for t in label.iter(f"{SVG}text")][0] == f"{w.data:.4g}"
    assert "gs-label" in label.get("class")  # hidden until highlighted or hovered
    hit = next(e for e in found["w1_3_7"].iter(f"{SVG}line") if e.get("class") == "gs-hit")
    assert hit.get("data-hover") == "w1_3_7-into w1_3_7-outof"


def test_saved_svg_is_well_formed_and_written_atomically(tmp_path):
    picture = draw_network(nn.MLP(2, [2, 1], seed=0))
    path = picture.save(tmp_path / "net.svg")
    ET.parse(path)
    assert [p.name for p in tmp_path.iterdir()] == ["net.svg"]
    assert picture._repr_svg_() == picture.svg


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="needs an nn.MLP.*got Value"):
        draw_network(Value(1.0))  # type: ignore[arg-type]
    model = nn.MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        draw_network(model, inputs=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a finite number, got str"):
        draw_network(model, inputs=[1.0, "2"])
    with pytest.raises(TypeError, match="inputs must be a list"):
        draw_network(model, inputs="12")


# -- a network's computation graph, grouped by neuron (autograd.draw_dot(cluster=...)) ---------


def small_mlp() -> tuple[nn.MLP, Value]:
    """Two tanh neurons (weighted sums) feeding one linear output, with fixed weights."""
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    state = {}
    for j in range(2):
        for i in range(2):
            state[f"layers.0.neurons.{j}.w.{i}"] = 0.3 * (i + 1) * (-1) ** j
        state[f"layers.0.neurons.{j}.b"] = 0.1
    state.update({"layers.1.neurons.0.w.0": 0.5, "layers.1.neurons.0.w.1": -0.7, "layers.1.neurons.0.b": 0.0})
    model.load_state_dict(state)
    out = model([Value(1.0, label="x0"), Value(-2.0, label="x1")])
    loss = (out - 1.0) ** 2
    loss.label = "L"
    return model, loss


def test_snapshot_of_a_small_mlp_in_clusters():
    model, loss = small_mlp()
    loss.backward()
    source = draw_dot(loss, cluster=by_neuron(model)).source
    assert source == (SNAPSHOTS / "small_mlp_clusters.dot").read_text(encoding="utf-8")


def test_clusters_group_each_neuron_and_leave_the_loss_out():
    model, loss = small_mlp()
    dot = draw_dot(loss, cluster=by_neuron(model))
    clusters = re.findall(r"subgraph (cluster_\d+) \{(.*?)\n\t\}", dot.source, re.S)
    labels = sorted(re.search(r"label=<(.*?)>", body)[1] for _, body in clusters)
    assert labels == ["layer 0 · neuron 0", "layer 0 · neuron 1", "layer 1 · neuron 0"]
    for _, body in clusters:
        assert "<TD>L</TD>" not in body and "<TD>x0</TD>" not in body
    output = next(body for _, body in clusters if "layer 1" in body)
    assert "w[1,0,1]" in output and "(Σw·x)" in output and "(tanh)" not in output
    layers = draw_dot(loss, cluster=by_layer(model)).source
    assert layers.count("subgraph cluster_") == 2


def test_collapse_draws_each_neuron_as_one_box_showing_its_output():
    model, loss = small_mlp()
    loss.backward()
    source = draw_dot(loss, cluster=by_neuron(model), collapse=True).source
    boxes = re.findall(r"<TD>(layer [^<]*)</TD><TD>data ([^<]*)</TD>", source)
    assert sorted(name.split(" ▸ ")[0] for name, _ in boxes) == [
        "layer 0 · neuron 0", "layer 0 · neuron 1", "layer 1 · neuron 0",
    ]  # fmt: skip
    assert all(name.endswith("(tanh)") for name, _ in boxes if name.startswith("layer 0"))
    assert "w[" not in source and "b[" not in source and "subgraph" not in source
    assert "<TD>L</TD>" in source and "<TD>x0</TD>" in source  # outside every neuron: still drawn
    into_output = re.findall(r"\t(g\d) -> (g\d) \[id=(g\d_in\d+)", source)
    assert len(into_output) == 2 and len({edge[0] for edge in into_output}) == 2  # one edge per neuron
    only_one = draw_dot(loss, cluster=by_neuron(model), collapse=["layer 1 · neuron 0"]).source
    assert only_one.count("subgraph cluster_") == 2 and "w[0,0,0]" in only_one and "w[1,0,0]" not in only_one
    with pytest.raises(ValueError, match="no group named 'layer 9'.*the groups are"):
        draw_dot(loss, cluster=by_neuron(model), collapse=["layer 9"])
    with pytest.raises(ValueError, match="collapse=True needs groups"):
        draw_dot(loss, collapse=True)


def test_a_big_op_by_op_mlp_fits_once_collapsed(dot_program):
    model = nn.MLP(2, [16, 16, 1], seed=0, fused=False)
    loss = nn.losses.mse(model([1.0, -2.0]), 0.5)
    loss.backward()
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(loss)
    dot = draw_dot(loss, cluster=by_neuron(model), collapse=True, color_by_grad=True)
    names = re.findall(r"<TD>(layer [^<]*) ▸ ", dot.source)
    assert len(names) == 16 + 16 + 1 and len(set(names)) == 33
    # the loss (out - y)**2 stays outside the output neuron, whose box shows its weighted sum
    output = next(n for n in re.findall(r"<TD>(layer 2 [^<]*)</TD>", dot.source))
    assert output.endswith("(+)")
    assert "<svg" in dot.pipe(format="svg", encoding="utf-8")


def test_real_dot_renders_a_whole_mlp_with_ids(dot_program):
    model, loss = small_mlp()
    loss.backward()
    svg = draw_dot(loss, show_local=True, color_by_grad=True, cluster=by_neuron(model)).pipe(
        format="svg", encoding="utf-8"
    )
    ids = set(re.findall(r'<g id="([^"]+)"', svg))
    order = topological_order(loss)[::-1]
    expected = {f"v{i}" for i in range(len(order))}
    for i, node in enumerate(order):
        if node.parents:
            expected |= {f"op{i}", f"o{i}"} | {f"e{i}_{k}" for k in range(len(node.parents))}
    assert expected <= ids


def test_grouping_a_graph_decides_nodes_in_any_order():
    model, loss = small_mlp()
    group = by_neuron(model)
    assert group(loss) is None  # asked first for the last node: everything below is decided on the way
    w = model.layers[0].neurons[1].w[0]
    assert group(w) == "layer 0 · neuron 1"
    with pytest.raises(TypeError, match="needs an nn.MLP"):
        by_neuron(Value(1.0))  # type: ignore[arg-type]


def test_every_gap_between_layers_leaves_room_for_the_edges():
    for layers in ([3, 1], [4, 4, 1], [16, 16, 1]):
        found = elements(draw_network(nn.MLP(2, layers, seed=0)).svg)
        lefts = [rect_of(found["in0"])[2]] + [rect_of(found[f"n{k}_0"])[0] for k in range(len(layers))]
        rights = [rect_of(found["in0"])[2]] + [rect_of(found[f"n{k}_0"])[2] for k in range(len(layers))]
        gaps = [lefts[k + 1] - rights[k] for k in range(len(layers))]
        assert min(gaps) >= 90, (layers, gaps)  # the output layer is not squeezed against the last hidden one


# -- the lecture's pictures: gradstep's draw_dot against micrograd 0.1.0's trace_graph picture ---------


def micrograd_picture(root) -> tuple[int, list[str]]:
    """What micrograd's trace_graph.ipynb draws for ``root`` (a micrograd Value): it walks ``_prev``
    and draws a box per value and an oval per value with an ``_op``. (Boxes, sorted op labels.)"""
    seen: set = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node._prev)
    return len(seen), sorted(node._op for node in seen if node._op)


def gradstep_picture(source: str) -> tuple[int, list[str]]:
    """The same counts read from gradstep's DOT: value boxes v<i>, constant boxes c<i>_<j>, ops."""
    boxes = re.findall(r"\t(?:v\d+|c\d+_\d+) \[label=<<TABLE", source)
    ops = re.findall(r"\tv\d+_op \[label=<([^>]*)>", source)
    return len(boxes), sorted(ops)


def test_the_lecture_neuron_draws_as_micrograd_draws_it():
    """trace_graph.ipynb: random.seed(1337); n = nn.Neuron(2); y = n([Value(1.0), Value(-2.0)])."""
    import random

    import_or_fail("micrograd")
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import Neuron as MicroNeuron

    random.seed(1337)
    theirs = MicroNeuron(2)([MicroValue(1.0), MicroValue(-2.0)])
    random.seed(1337)
    neuron = nn.Neuron(2)  # on its own, a neuron is built op by op: no switch needed
    ours = neuron([Value(1.0), Value(-2.0)])
    assert micrograd_picture(theirs) == (10, ["*", "*", "+", "+", "ReLU"])
    assert gradstep_picture(draw_dot(ours).source) == micrograd_picture(theirs)
    assert ours.data == theirs.data  # the same weights, drawn from random in micrograd's order

    # in a layer or a network a neuron is one Σw·x node (fast); fused=False gives the lecture's picture
    random.seed(1337)
    fused = nn.Layer(2, 1)([Value(1.0), Value(-2.0)])
    assert gradstep_picture(draw_dot(fused).source) == (7, ["ReLU", "Σw·x"])
    random.seed(1337)
    plain = nn.Layer(2, 1, fused=False)([Value(1.0), Value(-2.0)])
    assert gradstep_picture(draw_dot(plain).source) == micrograd_picture(theirs)


def test_constants_are_drawn_as_micrograd_draws_them():
    """trace_graph.ipynb's first picture, (x*2 + 1).relu(), and other numbers in operators."""
    import_or_fail("micrograd")
    from micrograd.engine import Value as MicroValue

    cases = [
        lambda x: (x * 2 + 1).relu(),
        lambda x: (3 * x + x * x) * 0.5,
        lambda x: (x**2 + 1).relu() * x,  # an exponent is in the op's label (**2), not a box
    ]
    for build in cases:
        theirs = micrograd_picture(build(MicroValue(1.5)))
        assert gradstep_picture(draw_dot(build(Value(1.5))).source) == theirs
    assert micrograd_picture((MicroValue(1.0) * 2 + 1).relu()) == (6, ["*", "+", "ReLU"])
    # constants=False draws only the graph's nodes: a plain number is not one in gradstep
    x = Value(1.0)
    assert gradstep_picture(draw_dot((x * 2 + 1).relu(), constants=False).source) == (4, ["*", "+", "ReLU"])


def test_a_network_drawing_typed_in_a_terminal_says_how_to_see_it():
    shown = repr(draw_network(nn.MLP(2, [3, 1], seed=0)))
    assert "<svg" not in shown and ".save(" in shown and len(shown) < 200
