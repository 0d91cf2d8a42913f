"""What ``backward(create_graph=True)`` needs: each node's local derivatives rebuilt as Values.

First-order backward multiplies the floats a node recorded in the forward pass. With
``create_graph=True`` the gradient must itself be a graph, so each local derivative is computed
again by the op's rule (``ops.py``), this time on the node and its inputs as Values, and checked
against the float recorded: the same rule, the same number, now differentiable again.

>>> from autograd import Value
>>> x = Value(3.0); y = x * x
>>> y.backward(create_graph=True); x.grad.data
6.0
>>> x.grad.backward(); x.grad.data  # d(dy/dx)/dx = 2, added to the 6 x.grad held
8.0
"""

from __future__ import annotations

from .checks import changed_since_forward
from .value import Value, data_of, inputs_of, locals_of


def local_value_grads(node: Value) -> tuple[float | Value, ...]:
    """d(node)/d(parent) for each parent, from the op's rule run on Values (for create_graph).

    >>> x = Value(0.5); y = x * x
    >>> [g.data if isinstance(g, Value) else g for g in local_value_grads(y)]
    [0.5, 0.5]
    """
    op = node.op
    if op is None:
        return ()
    inputs = inputs_of(node)  # the plain numbers among them get no derivative
    return tuple(op.derivatives[i](node, *inputs) for i, x in enumerate(inputs) if type(x) is Value)


def rebuilt_locals(node: Value) -> tuple[float | Value, ...]:
    """The node's local derivatives as Values, checked against the floats it recorded."""
    try:
        rebuilt = local_value_grads(node)
    except (ArithmeticError, ValueError) as error:
        op = node.op.name if node.op else "a node"
        raise type(error)(f"backward(create_graph=True) through {op}: {error}") from None
    for position, (value, recorded) in enumerate(zip(rebuilt, locals_of(node))):
        now = data_of([value])[0] if isinstance(value, Value) else value  # our own read: not a guard
        if now != recorded:
            raise changed_since_forward(node, position, recorded, now)
    return rebuilt
