"""draw_dot: deterministic DOT, escaped labels, the real `dot` renders them as text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import Value, topological_order
from autograd.draw import GraphvizNotFound, draw_dot, escape_label_text

SNAPSHOTS = Path(__file__).parent / "snapshots"

HOSTILE = [
    "</script><script>alert(1)</script>",
    "{a|b}",
    "<b>x</b>",
    "javascript:alert(1)",
    "\\N \\G \\L",
    "nul\x00byte",
    'say "hi"',
    "two\nlines",
    "a & b; <TD>x</TD>",
    "lone \ud800 surrogate",
]


def lecture_neuron() -> Value:
    """The neuron of micrograd's lecture, labelled as there."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def small_mlp() -> Value:
    """Two tanh neurons (weighted sums) feeding one linear output, labelled like nn's parameters."""
    xs = [Value(1.0, label="x0"), Value(-2.0, label="x1")]
    hidden = []
    for j in range(2):
        w = [Value(0.3 * (i + 1) * (-1) ** j, label=f"w[0,{j},{i}]") for i in range(2)]
        hidden.append(Value.weighted_sum(w, xs, Value(0.1, label=f"b[0,{j}]")).tanh())
    w_out = [Value(0.5, label="w[1,0,0]"), Value(-0.7, label="w[1,0,1]")]
    out = Value.weighted_sum(w_out, hidden, Value(0.0, label="b[1,0]"))
    loss = (out - 1.0) ** 2
    loss.label = "L"
    return loss


def test_same_graph_twice_gives_byte_identical_dot():
    first, second = lecture_neuron(), lecture_neuron()
    first.backward()
    second.backward()
    options = dict(show_local=True, color_by_grad=True)
    assert draw_dot(first, **options).source == draw_dot(second, **options).source


def test_snapshot_of_the_lecture_neuron():
    o = lecture_neuron()
    o.backward()
    source = draw_dot(o, show_local=True, color_by_grad=True).source
    assert source == (SNAPSHOTS / "lecture_neuron.dot").read_text(encoding="utf-8")


def test_grad_is_a_dash_until_backward_and_small_numbers_keep_their_digits():
    x = Value(3e-7, label="x")
    y = x * 1e-3
    assert "grad —" in draw_dot(y).source and "grad 0" not in draw_dot(y).source
    y.backward()
    source = draw_dot(y).source
    assert "<TD>data 3e-07</TD><TD>grad 0.001</TD>" in source
    assert "grad —" not in source


def test_local_derivatives_and_colours_follow_the_gradient():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = a * b
    y.backward()  # a.grad = -3 (red), b.grad = 2 (blue)
    source = draw_dot(y, show_local=True, color_by_grad=True).source
    line_a = next(line for line in source.splitlines() if "<TD>a</TD>" in line)
    line_b = next(line for line in source.splitlines() if "<TD>b</TD>" in line)
    red, blue = _bgcolor(line_a), _bgcolor(line_b)
    assert red[0] > red[2] and blue[2] > blue[0]  # sign → hue
    edge_a = next(line for line in source.splitlines() if "id=e2_0" in line)
    edge_b = next(line for line in source.splitlines() if "id=e2_1" in line)
    assert "label=-3" in edge_a and "label=2" in edge_b  # d(a*b)/da = b, d(a*b)/db = a
    assert _penwidth(edge_a) > _penwidth(edge_b)  # |−3| > |2|: magnitude → width


def _bgcolor(line: str) -> tuple[int, int, int]:
    hex_colour = re.search(r'BGCOLOR="#(\w{6})"', line)[1]
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))


def _penwidth(line: str) -> float:
    return float(re.search(r"penwidth=\"?([\d.]+)", line)[1])


def test_a_and_a_draws_two_edges():
    a = Value(1.0, label="a")
    source = draw_dot(a + a).source
    assert "v0 -> v1_op [id=e1_0]" in source and "v0 -> v1_op [id=e1_1]" in source


def test_only_path_to_one_weight_draws_its_path_and_the_other_factors():
    loss = small_mlp()
    all_nodes = draw_dot(loss).source.count("shape=plaintext")
    w = next(v for v in _leaves(loss) if v.label == "w[0,1,0]")
    source = draw_dot(loss, only_path_to=w).source
    assert "w[0,1,0]" in source and "<TD>L</TD>" in source
    assert "w[0,0,0]" not in source  # a weight of the other hidden neuron: not on the path
    assert 'STYLE="dashed"' in source  # x0, the other inputs: context, without their ops
    assert source.count("shape=plaintext") < all_nodes
    with pytest.raises(ValueError, match="not part of this graph"):
        draw_dot(loss, only_path_to=Value(1.0))


def _leaves(root: Value) -> list[Value]:

    return [v for v in topological_order(root) if v.is_leaf]


def test_too_many_nodes_says_what_to_do_instead():
    x = Value(1.0)
    for _ in range(30):
        x = x * 1.01
    with pytest.raises(ValueError, match="only_path_to.*cluster=.*collapse=True.*by_neuron.*max_nodes"):
        draw_dot(x, max_nodes=10)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(Value(1.0), rankdir="sideways")
    with pytest.raises(TypeError, match="cluster must be a function.*by_neuron"):
        draw_dot(Value(1.0), cluster="everything")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs a Value, got int"):
        draw_dot(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_are_escaped_in_dot(label):
    x = Value(1.0, label=label)
    y = x * 2
    y.backward()
    source = draw_dot(y, cluster=lambda v: label).source
    escaped = escape_label_text(label)
    assert f"<TD>{escaped}</TD>" in source and f"label=<{escaped}>" in source
    assert not set('<>"\x00') & set(escaped)
    assert re.fullmatch(r"(?:[^\\]|\\\\)*", escaped)  # every backslash doubled
    # 3 + 3 + 2 for the constant 2: no cell opened or closed by a label
    assert source.count("<TD>") == source.count("</TD>") == 8


def test_escape_keeps_every_character_visible():
    assert escape_label_text("{a|b}") == "{a|b}"  # HTML-like labels have no record syntax
    assert escape_label_text("\\N") == "\\\\N"
    assert escape_label_text("a\nb\x00") == "a↵b␀"


def test_real_dot_shows_hostile_labels_as_text(dot_program):
    label = "".join(HOSTILE)
    x = Value(1.0, label=label)
    y = x * 2
    y.label = "javascript:alert(1)"
    y.backward()
    svg = draw_dot(y, show_local=True, color_by_grad=True, cluster=lambda v: "<i>" + label).pipe(
        format="svg", encoding="utf-8"
    )
    tree = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in tree.iter(f"{ns}text")]
    expected = label.replace("\n", "↵").replace("\x00", "␀").replace("\ud800", "\ufffd")
    assert expected in texts and "javascript:alert(1)" in texts and "<i>" + expected in texts
    assert not [el for el in tree.iter() if el.tag in (f"{ns}script", f"{ns}a", f"{ns}foreignObject")]
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert "javascript:" not in value and not name.startswith("on"), (element.tag, name)
    assert "<script" not in svg.lower()


def test_jupyter_display_goes_through_dot(dot_program):
    bundle = draw_dot(lecture_neuron())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_missing_dot_is_one_clear_error_while_source_works(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` anywhere
    dot = draw_dot(lecture_neuron())
    assert "digraph gradstep" in dot.source
    for attempt in (
        lambda: dot.pipe(format="svg"),
        lambda: dot.render(tmp_path / "out"),
        lambda: dot._repr_mimebundle_(),
    ):
        with pytest.raises(GraphvizNotFound, match="apt-get install graphviz.*brew.*choco") as info:
            attempt()
        assert isinstance(info.value, RuntimeError)


def test_missing_graphviz_package_says_what_to_install(monkeypatch):
    import sys

    from autograd import draw

    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now raises ImportError
    draw._drawing_class.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"pip install 'gradstep\[viz\]'"):
            draw_dot(Value(1.0))
    finally:
        draw._drawing_class.cache_clear()


def test_gradients_that_are_values_after_create_graph_are_drawn_as_numbers():
    x = Value(2.0, label="x")
    y = x**3
    y.backward(create_graph=True)  # x.grad is now a Value (3x² = 12), differentiable again
    source = draw_dot(y, color_by_grad=True, show_local=True).source
    assert "<TD>x</TD><TD>data 2</TD><TD>grad 12</TD>" in source


@pytest.mark.parametrize("length", [20_000, 100_000])
def test_a_huge_label_is_shortened_visibly_and_still_renders(dot_program, length):
    x = Value(1.0, label="w" * length)
    y = x * 2
    y.label = "<" * length  # escaped, each character would become four bytes
    svg = draw_dot(y, cluster=lambda v: "g" * length).pipe(format="svg", encoding="utf-8")
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "w" * 199 + "…" in texts and "<" * 199 + "…" in texts and "g" * 199 + "…" in texts
    assert len(svg) < 50_000


def test_constants_are_grey_boxes_with_no_gradient_and_their_own_ids(dot_program):
    x = Value(1.5, label="x")
    y = (2 - x * 3) ** 2  # 3 and 2 are drawn; the exponent is in the op's label
    y.backward()
    source = draw_dot(y, show_local=True).source
    constants = re.findall(r"\t(c\d+_\d+) \[label=<(.*?)> id=(c\d+_\d+)", source)
    assert [(name, ident) for name, _, ident in constants] == [("c1_1", "c1_1"), ("c2_0", "c2_0")]
    assert all("grad" not in label and "<TD>constant</TD>" in label for _, label, _ in constants)
    assert "<TD>data 3</TD>" in constants[0][1] and "<TD>data 2</TD>" in constants[1][1]
    # each feeds its op (2 - …: the 2 is the op's first input), with no local derivative on its edge
    assert re.findall(r"\t(c\d+_\d+) -> (v\d+_op) \[(.*?)\]", source) == [
        ("c1_1", "v1_op", "color=gray50 id=ce1_1"),
        ("c2_0", "v2_op", "color=gray50 id=ce2_0"),
    ]
    assert "<TD>constant</TD>" not in draw_dot(y, constants=False).source
    svg = draw_dot(y).pipe(format="svg", encoding="utf-8")
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert texts.count("constant") == 2 and "**2" in texts and "data 2" in texts


def test_constants_follow_their_op_into_clusters_and_out_of_collapsed_groups():
    x = Value(1.0, label="x")
    y = x * 2
    z = (y + 1).tanh()
    group = {y: "first"}.get
    source = draw_dot(z, cluster=group).source
    inside = re.search(r"subgraph cluster_0 \{(.*?)\n\t\}", source, re.S)[1]
    assert "c1_1" in inside and "c2_1" not in inside  # the 2 with its *, the 1 outside
    collapsed = draw_dot(z, cluster=group, collapse=True).source
    assert "c1_1" not in collapsed and "c2_1" in collapsed
    w = Value(0.5, label="w")
    path = draw_dot((x * w + 3) * 4, only_path_to=w).source
    assert "c3_1" in path and "c4_1" in path  # + 3 and * 4 are on the path from w (v2 is x * w)
    off_path = draw_dot((x * 5) + w, only_path_to=w).source
    assert "constant" not in off_path  # x * 5 is drawn only as the other input of +, without its op


def test_a_drawing_typed_in_a_terminal_says_how_to_see_it():
    shown = repr(draw_dot(Value(2.0) * 3))
    assert "object at" not in shown and ".view()" in shown and ".render(" in shown
