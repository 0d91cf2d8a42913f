"""autograd.text: numbers, names and the text view of a graph for a terminal."""

from __future__ import annotations

import pytest

from autograd import Value
from autograd.text import format_number, shorten, tree


def test_numbers_keep_small_values_and_never_print_minus_zero():
    assert format_number(-0.0) == "0" and format_number(3e-7) == "3e-07" and format_number(2.0) == "2"


def test_shorten_marks_what_it_cut():
    assert shorten("x" * 300).endswith("…") and len(shorten("x" * 300)) == 200
    assert shorten("short") == "short"


def test_tree_of_the_lecture_neuron_reads_top_down():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    text = tree(o)
    lines = text.splitlines()
    assert lines[0] == "o = tanh(n8 (+))   data 0.7071  grad 1"
    assert lines[1] == "└─ n8 (+) = n7 (+) + b   data 0.8814  grad 0.5   local 0.5"
    assert "   │  │  ├─ x1   data 2  grad -1.5   local -3" in lines  # d(x1*w1)/d(x1) = w1
    assert tree(o) == text  # deterministic
    assert len(lines) == 10  # 10 nodes, each once


def test_a_value_used_twice_is_shown_once_then_referred_to():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    lines = tree(y).splitlines()
    assert lines == [
        "y = a * a   data 9  grad 0",
        "├─ a   data 3  grad 0   local 3",
        "└─ a   ↑ see above   local 3",
    ]


def test_a_big_graph_stays_readable_and_says_what_it_left_out():
    x = Value(1.0, label="x")
    total = x
    for k in range(300):
        total = total + Value(float(k), label=f"c{k}")
    text = tree(total)
    lines = text.splitlines()
    assert len(lines) == 201 and lines[-1] == "… 401 more nodes not shown (max_nodes=200)"
    assert len(tree(total, max_nodes=1000).splitlines()) == 601


def test_a_chain_a_hundred_thousand_deep_needs_no_recursion():
    x = Value(1.0, label="x")
    y = x
    for _ in range(100_000):
        y = y * 1.0
    assert tree(y, max_nodes=3).splitlines()[-1] == "… 99998 more nodes not shown (max_nodes=3)"


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="needs a Value, got float"):
        tree(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        tree(Value(1.0), max_nodes=0)


def test_a_deep_chain_is_bounded_in_characters_not_only_in_lines():
    """With max_nodes raised, an 8,000-deep chain gave 96.6 M characters, lines of 24,057."""
    x = Value(1.0, label="x")
    y = x
    for _ in range(8_000):
        y = y * 1.0
    text = tree(y, max_nodes=10_000)
    lines = text.splitlines()
    assert len(lines) == 8_001 and max(len(line) for line in lines) <= 80
    assert len(text) <= 80 * len(lines)
    assert lines[9].startswith("[9]   ") and lines[8_000].startswith("[8000]   ")  # its depth, marked
    assert lines[8_000].endswith("└─ x   data 1  grad 0   local 1")
    assert lines[8].startswith(" " * 21 + "└─ ")  # 8 levels deep: still indented


def test_labels_cannot_break_the_tree_or_colour_the_terminal():
    a = Value(2.0, label="a\nb")
    b = Value(3.0, label="\x1b[31mred\x00")
    y = a * b
    y.label = "y\r"
    lines = tree(y).splitlines()
    assert lines == [
        "y␍ = a↵b * ␛[31mred␀   data 6  grad 0",
        "├─ a↵b   data 2  grad 0   local 3",
        "└─ ␛[31mred␀   data 3  grad 0   local 2",
    ]


def test_a_long_label_is_cut_to_fit_80_columns():
    w = Value(0.5, label="w" * 1_000_000)
    y = (w * 2.0).tanh()
    lines = tree(y).splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[-1].startswith("   └─ www") and "…   data 0.5  grad 0   local 2" in lines[-1]


def test_an_mlp_loss_fits_80_columns_and_names_its_inputs():
    """On a small MLP's loss, 12 of 52 lines were wider than 80 columns; inputs showed as n5/n3."""
    import nn

    model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    loss = (model([1.0, -1.0]) - 1.0) ** 2
    loss.backward()
    lines = tree(loss).splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "      │     │     ├─ x0   data 1  grad -0.5088   local 0.6888" in lines
    assert "      │     │     ├─ x1   data -1  grad -0.3668   local 0.5159" in lines
    assert "      │     │     ├─ x0   ↑ see above   local -0.1589" in lines
