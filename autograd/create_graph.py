"""What ``backward(create_graph=True)`` needs: each node's local derivatives rebuilt as Values.

First-order backward multiplies the floats a node recorded in the forward pass. With
``create_graph=True`` the gradient must itself be a graph, so each local derivative is computed
again by the op's rule (``ops.py``), this time on the node and its inputs as Values, and checked
against the float recorded: the same rule, the same number, now differentiable again.

Both kinds of backward first ask the same question of each node made before a ``.data`` last
changed (``check_unchanged``): do the rules, run on the numbers there are now, still give the
derivatives recorded? If not, they refuse with the same error: redo the forward pass.

>>> from autograd import Value
>>> x = Value(3.0); y = x * x
>>> y.backward(create_graph=True); x.grad.data
6.0
>>> x.grad.backward(); x.grad.data  # d(dy/dx)/dx = 2, added to the 6 x.grad held
8.0
"""

from __future__ import annotations

from .checks import changed_since_forward
from .value import Value, data_of, inputs_of, locals_of, parents_of


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
    _same_as_recorded(node, [data_of([v])[0] if isinstance(v, Value) else v for v in rebuilt])  # not guards
    return rebuilt


def check_unchanged(node: Value) -> None:
    """Refuse ``node`` (``ValueError``) if the derivatives it recorded in the forward pass are no
    longer the ones the numbers its node and inputs hold now give: a ``.data`` changed since, as
    in ``x = Value(2); y = x * x; x.data = 5``. backward() checks this on every node made before
    the last change of data, whatever the path (first order or create_graph), so both refuse alike.

    >>> x = Value(2.0); y = x * 3; x.data = 5.0; check_unchanged(y)  # d/dx is 3 still: fine
    >>> y = x * x; x.data = 6.0; check_unchanged(y)
    Traceback (most recent call last):
    ...
    ValueError: backward: the data of mul node ... changed after the forward pass: d/d(input 0) was ...
    """
    op = node.op
    if op is None:
        return
    inputs = inputs_of(node)
    numbers = [data_of([x])[0] if type(x) is Value else x for x in inputs]
    out = data_of([node])[0]
    now: list[float | str] = []
    for i, x in enumerate(inputs):
        if type(x) is Value:
            try:
                now.append(op.derivatives[i](out, *numbers))
            except (ArithmeticError, ValueError) as error:  # the new data are outside the rule's domain
                now.append(f"an error ({error})")
    _same_as_recorded(node, now)


def _same_as_recorded(node: Value, now: list[float | str]) -> None:
    for position, (number, recorded) in enumerate(zip(now, locals_of(node))):
        if number != recorded:
            raise changed_since_forward(node, parents_of(node)[position], position, recorded, number)
