"""Losses (values by hand, errors) and the toy datasets (shape, determinism, splits, batches)."""

from __future__ import annotations

import math
import statistics

import pytest

from autograd import Value
from nn import data, losses


def test_loss_values_by_hand():
    p = [Value(2.0), Value(-1.0)]
    assert losses.mse(p, [1.0, 1.0]).data == pytest.approx((1 + 4) / 2)
    assert losses.mse(p, [1.0, 1.0], reduction="sum").data == pytest.approx(5.0)
    assert losses.hinge(p, [1, 1]).data == pytest.approx((0 + 2) / 2)
    assert losses.binary_cross_entropy(p, [1, 0]).data == pytest.approx(
        (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-1.0))) / 2
    )
    soft = losses.binary_cross_entropy([Value(0.4)], [0.25]).data
    sig = 1 / (1 + math.exp(-0.4))
    assert soft == pytest.approx(-(0.25 * math.log(sig) + 0.75 * math.log(1 - sig)))
    row = [Value(1.0), Value(2.0), Value(3.0)]
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    assert losses.cross_entropy([row], [0]).data == pytest.approx(lse - 1.0)
    params = [Value(3.0), Value(-4.0)]
    assert losses.l2(params, alpha=0.1).data == pytest.approx(2.5)
    # a single Value and a single number are one sample
    assert losses.mse(Value(3.0), 1.0).data == 4.0


def test_cross_entropy_does_not_overflow():
    row = [Value(5000.0), Value(0.0)]
    assert losses.cross_entropy([row], [1]).data == pytest.approx(5000.0)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: losses.mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
        (lambda: losses.mse([1.0], [1.0]), TypeError, r"predictions\[0\] must be a Value"),
        (lambda: losses.mse([Value(1.0)], ["a"]), TypeError, r"targets\[0\] must be a number, got str"),
        (lambda: losses.mse([Value(1.0)], [True]), TypeError, r"targets\[0\] must be a number, got bool"),
        (lambda: losses.mse([Value(1.0)], [Value(1.0) * 2]), TypeError, "targets are plain numbers"),
        (lambda: losses.mse([Value(1.0)], [math.inf]), ValueError, "must be finite"),
        (lambda: losses.mse([], []), ValueError, "empty batch"),
        (lambda: losses.mse([Value(1.0)], [1.0], reduction="max"), ValueError, "reduction"),
        (lambda: losses.hinge([Value(1.0)], [0]), ValueError, "hinge labels are -1 or \\+1"),
        (lambda: losses.binary_cross_entropy([Value(1.0)], [2]), ValueError, r"not in \[0, 1\]"),
        (lambda: losses.cross_entropy([[Value(1.0), Value(2.0)]], [2]), ValueError, "not a class index"),
        (lambda: losses.cross_entropy([Value(1.0)], [0]), TypeError, "at least 2 class scores"),
        (lambda: losses.cross_entropy([[Value(1.0), Value(2.0)]], [0.5]), TypeError, "class index"),
        (lambda: losses.cross_entropy([[Value(1.0), Value(2.0)]], [0, 1]), ValueError, "1 predictions but 2"),
        (lambda: losses.l2([1.0]), TypeError, r"parameters\[0\] must be a Value"),
        (lambda: losses.get("huber"), ValueError, "unknown loss 'huber'"),
    ],
)
def test_loss_errors_name_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spiral", "sine"])
def test_datasets_are_seeded_and_shaped(name):
    a = data.make(name, 60, seed=3)
    b = data.make(name, 60, seed=3)
    c = data.make(name, 60, seed=4)
    assert a == b and a != c
    assert len(a.X) == len(a.y) == 60
    assert all(isinstance(v, float) for row in a.X for v in row)


def test_dataset_geometry():
    X, y = data.moons(200, noise=0.0, seed=0)
    upper = [x for x, c in zip(X, y) if c == 0]
    lower = [x for x, c in zip(X, y) if c == 1]
    assert all(math.hypot(a, b) == pytest.approx(1.0) for a, b in upper)
    assert all(math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) for a, b in lower)
    X, y = data.moons(2000, noise=0.1, seed=0)
    clean, _ = data.moons(2000, noise=0.0, seed=0)
    # the noise is Gaussian with the given standard deviation, per coordinate
    diffs = [a - b for ra, rb in zip(X, clean) for a, b in zip(ra, rb)]
    assert statistics.pstdev(diffs) == pytest.approx(0.1, rel=0.05)
    X, y = data.spiral(300, k=4, seed=0)
    assert sorted(set(y)) == [0, 1, 2, 3]
    X, y = data.sine(50, noise=0.0, seed=1)
    assert all(-math.pi <= x[0] <= math.pi and t == pytest.approx(math.sin(x[0])) for x, t in zip(X, y))


def test_split_batches_and_scaling():
    X, y = data.xor(50, seed=0)
    X_tr, y_tr, X_va, y_va = data.train_val_split(X, y, 0.2, seed=1)
    assert (len(X_tr), len(X_va)) == (40, 10)
    assert sorted(map(tuple, X_tr + X_va)) == sorted(map(tuple, X))
    assert data.train_val_split(X, y, 0.2, seed=1) == (X_tr, y_tr, X_va, y_va)
    seen = []
    for xb, yb in data.batches(X_tr, y_tr, 16, seed=2):
        assert len(xb) == len(yb) <= 16
        seen.extend(map(tuple, xb))
    assert sorted(seen) == sorted(map(tuple, X_tr))
    assert [len(b[0]) for b in data.batches(X_tr, y_tr, None)] == [40]
    first = [xb for xb, _ in data.batches(X_tr, y_tr, 8, seed=5)]
    assert first == [xb for xb, _ in data.batches(X_tr, y_tr, 8, seed=5)]
    assert first != [xb for xb, _ in data.batches(X_tr, y_tr, 8, seed=6)]
    scaler = data.Standardizer()
    scaled = scaler.fit_transform(X)
    for j in range(2):
        column = [row[j] for row in scaled]
        assert statistics.fmean(column) == pytest.approx(0.0, abs=1e-12)
        assert statistics.pstdev(column) == pytest.approx(1.0)
    back = scaler.inverse_transform(scaled)
    assert [v for row in back for v in row] == pytest.approx([v for row in X for v in row])
    with pytest.raises(ValueError, match="X has 2 rows but y has 1"):
        list(data.batches([[1], [2]], [1], 1))
    with pytest.raises(ValueError, match="val_fraction"):
        data.train_val_split(X, y, 1.5)
    with pytest.raises(ValueError, match="unknown dataset 'blobs'"):
        data.make("blobs", 10)
    with pytest.raises(ValueError, match="noise must be"):
        data.moons(10, noise=-1)
    assert data.signed([0, 1]) == [-1, 1]
    with pytest.raises(ValueError, match=r"y\[0\] = 2"):
        data.signed([2])


@pytest.mark.parametrize(
    "name, targets", [("mse", [0.5, -1.25]), ("bce", [0.0, 1.0]), ("hinge", [1.0, -1.0])]
)
def test_a_leaf_value_target_gives_the_same_numbers_bit_for_bit(name, targets):
    import struct

    fn, _ = losses.get(name)

    def run(as_values):
        z = [Value(0.3), Value(-1.7)]
        ts = [Value(t) for t in targets] if as_values else targets
        out = fn(z, ts)
        out.backward()
        return [struct.pack("<d", v) for v in (out.data, z[0].grad, z[1].grad)]

    assert run(True) == run(False)  # what nn.fit's traced step relies on
