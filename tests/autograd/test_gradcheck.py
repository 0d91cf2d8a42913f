"""gradcheck passes correct gradients and names the input and the op when they disagree."""

from __future__ import annotations

import pytest

from autograd import GradcheckError, Value, gradcheck
from autograd.extend import OPS


def test_passes_on_correct_gradients():
    assert gradcheck(lambda a, b: (a * b).tanh() + a.exp() / b.softplus() + a**3, [0.4, -1.3])
    assert gradcheck(lambda a: Value.weighted_sum([a, a], [2.0, a]).sigmoid(), [0.7])


def test_accepts_values_and_reports_their_labels():
    w = Value(0.0, label="w")
    with pytest.raises(GradcheckError, match="gradient of w \\(data 0.0\\)"):
        gradcheck(lambda w: w.relu() * 3, [w])


def test_names_the_first_op_whose_local_derivative_is_off_at_a_kink():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: (x - 1).relu() * 3, [1.0])
    message = str(caught.value)
    assert "input 0" in message and "0.0" in message and "1.49999" in message
    assert "First op whose own derivative disagrees: relu" in message


def test_finds_a_wrong_rule_in_the_table(monkeypatch):
    tanh = OPS["tanh"]
    broken = tanh._replace(derivatives=(lambda out, x: 2.0 * (1.0 - out * out),))
    monkeypatch.setitem(OPS, "tanh", broken)  # Value.tanh runs the table's row
    with pytest.raises(GradcheckError, match="First op .*: tanh"):
        gradcheck(lambda x: (x * 2.0).tanh() + x, [0.3])


def test_can_return_false_instead_of_raising():
    assert gradcheck(lambda x: x.relu(), [0.0], raise_exception=False) is False


def test_f_must_return_a_value():
    with pytest.raises(TypeError, match="must return a Value, got float"):
        gradcheck(lambda x: 1.0, [0.5])


@pytest.mark.parametrize("first", ["relu", "leaky_relu"])
def test_names_the_first_op_in_forward_order_when_several_disagree(first):
    # both kinks disagree with their own finite difference at x = 1; the one built first is named
    def f(x):
        kinks = {"relu": lambda: (x - 1).relu(), "leaky_relu": lambda: (x - 1).leaky_relu(0.1)}
        a = kinks[first]()
        b = kinks["leaky_relu" if first == "relu" else "relu"]()
        return a * 3 + b

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [1.0])
    assert f"First op whose own derivative disagrees: {first} " in str(caught.value)
