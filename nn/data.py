"""Toy datasets in pure Python, seeded; train/validation split; shuffled mini-batches; scaling.

Every generator returns a :class:`Dataset` ``(X, y)``: ``X`` a list of input rows (lists of
floats), ``y`` a list of labels (class indices 0..k-1) or, for regression, of floats. The same
seed gives the same data on every run and machine.

>>> X, y = moons(100, noise=0.1, seed=0)
>>> len(X), len(X[0]), sorted(set(y))
(100, 2, [0, 1])
>>> X_train, y_train, X_val, y_val = train_val_split(X, y, val_fraction=0.2, seed=0)
>>> len(X_train), len(X_val)
(80, 20)
>>> [len(xb) for xb, yb in batches(X_train, y_train, 32, seed=0)]
[32, 32, 16]
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from .checks import is_int, is_real
from .init import resolve_rng

__all__ = [
    "DATASETS",
    "Dataset",
    "Standardizer",
    "batches",
    "circles",
    "make",
    "moons",
    "signed",
    "sine",
    "spiral",
    "train_val_split",
    "xor",
]


class Dataset(NamedTuple):
    """Inputs ``X`` (one list of floats per sample) and targets ``y``; unpacks as ``X, y = data``."""

    X: list[list[float]]
    y: list


def _count(n: object, name: str = "n", least: int = 1) -> int:
    if not is_int(n):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}: {n!r}")
    if n < least:
        raise ValueError(f"{name} must be at least {least}, got {n}")
    return n


def _noise(noise: object) -> float:
    if not is_real(noise) or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return float(noise)


def _linspace(start: float, stop: float, n: int) -> list[float]:
    if n == 1:
        return [start]
    return [start + (stop - start) * i / (n - 1) for i in range(n)]


def _shuffled(points: list[list[float]], labels: list, noise: float, r: random.Random) -> Dataset:
    order = list(range(len(points)))
    r.shuffle(order)
    X = [[v + r.gauss(0.0, noise) if noise else v for v in points[i]] for i in order]
    return Dataset(X, [labels[i] for i in order])


def moons(
    n: int = 100, noise: float = 0.1, *, seed: int | None = None, rng: random.Random | None = None
) -> Dataset:
    """Two interleaving half circles (like scikit-learn's ``make_moons``); labels 0 (upper) and 1.

    >>> X, y = moons(4, noise=0.0, seed=0); sorted(y)
    [0, 0, 1, 1]
    """
    _count(n, least=2)
    r = _rng(rng, seed)
    n_upper = n // 2
    n_lower = n - n_upper
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_upper)]
    points += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_lower)]
    return _shuffled(points, [0] * n_upper + [1] * n_lower, _noise(noise), r)


def circles(
    n: int = 100,
    noise: float = 0.05,
    factor: float = 0.5,
    *,
    seed: int | None = None,
    rng: random.Random | None = None,
) -> Dataset:
    """A small circle (label 1, radius ``factor``) inside a large one (label 0, radius 1).

    >>> X, y = circles(8, noise=0.0, seed=0)
    >>> sorted(round(math.hypot(*x), 6) for x, c in zip(X, y) if c == 1)
    [0.5, 0.5, 0.5, 0.5]
    """
    _count(n, least=2)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be between 0 and 1 (exclusive), got {factor!r}")
    r = _rng(rng, seed)
    n_outer = n // 2
    n_inner = n - n_outer
    outer = [2 * math.pi * i / n_outer for i in range(n_outer)]
    inner = [2 * math.pi * i / n_inner for i in range(n_inner)]
    points = [[math.cos(t), math.sin(t)] for t in outer]
    points += [[factor * math.cos(t), factor * math.sin(t)] for t in inner]
    return _shuffled(points, [0] * n_outer + [1] * n_inner, _noise(noise), r)


def xor(
    n: int = 100, noise: float = 0.0, *, seed: int | None = None, rng: random.Random | None = None
) -> Dataset:
    """Points uniform in [-1, 1]²; label 1 where x and y have different signs (the XOR quadrants).

    >>> X, y = xor(50, seed=0); all((a * b < 0) == bool(c) for (a, b), c in zip(X, y))
    True
    """
    _count(n)
    noise = _noise(noise)
    r = _rng(rng, seed)
    X, y = [], []
    for _ in range(n):
        a, b = r.uniform(-1.0, 1.0), r.uniform(-1.0, 1.0)
        y.append(1 if a * b < 0 else 0)
        X.append([a + r.gauss(0.0, noise), b + r.gauss(0.0, noise)] if noise else [a, b])
    return Dataset(X, y)


def spiral(
    n: int = 300, k: int = 3, noise: float = 0.2, *, seed: int | None = None, rng: random.Random | None = None
) -> Dataset:
    """``k`` interleaved spiral arms (CS231n's spiral), ``n`` points in all; labels 0..k-1.

    >>> X, y = spiral(90, k=3, seed=0); [y.count(c) for c in range(3)]
    [30, 30, 30]
    """
    _count(n)
    _count(k, "k", least=2)
    noise = _noise(noise)
    r = _rng(rng, seed)
    points, labels = [], []
    for c in range(k):
        per_class = n // k + (1 if c < n % k else 0)
        for radius, angle in zip(
            _linspace(0.0, 1.0, per_class), _linspace(c * 4.0, (c + 1) * 4.0, per_class)
        ):
            angle += r.gauss(0.0, noise) if noise else 0.0
            points.append([radius * math.sin(angle), radius * math.cos(angle)])
            labels.append(c)
    return _shuffled(points, labels, 0.0, r)


def sine(
    n: int = 100, noise: float = 0.1, *, seed: int | None = None, rng: random.Random | None = None
) -> Dataset:
    """Regression: x uniform in [-π, π] (one input), y = sin(x) + Gaussian noise.

    >>> X, y = sine(5, noise=0.0, seed=0); all(abs(t - math.sin(x[0])) < 1e-12 for x, t in zip(X, y))
    True
    """
    _count(n)
    noise = _noise(noise)
    r = _rng(rng, seed)
    X = [[r.uniform(-math.pi, math.pi)] for _ in range(n)]
    return Dataset(X, [math.sin(x[0]) + (r.gauss(0.0, noise) if noise else 0.0) for x in X])


DATASETS = {"moons": moons, "circles": circles, "xor": xor, "spiral": spiral, "sine": sine}


def make(name: str, n: int, *, seed: int | None = None, **options: object) -> Dataset:
    """A dataset by name (``moons``, ``circles``, ``xor``, ``spiral``, ``sine``).

    >>> len(make("xor", 10, seed=1).X)
    10
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return DATASETS[name](n, seed=seed, **options)  # type: ignore[operator]


def _rng(rng: random.Random | None, seed: int | None) -> random.Random:
    r = resolve_rng(rng, seed)
    return r if isinstance(r, random.Random) else random.Random(r.random())  # a stream of our own


def signed(y: Sequence[int]) -> list[int]:
    """Labels 0/1 as -1/+1 (what the hinge loss expects).

    >>> signed([0, 1, 1])
    [-1, 1, 1]
    """
    out = []
    for i, t in enumerate(y):
        if t not in (0, 1) or isinstance(t, bool):
            raise ValueError(f"signed: y[{i}] = {t!r}; expected 0 or 1")
        out.append(2 * int(t) - 1)
    return out


def _check_pair(X: Sequence, y: Sequence, who: str) -> None:
    if len(X) != len(y):
        raise ValueError(f"{who}: X has {len(X)} rows but y has {len(y)} labels")


def train_val_split(
    X: Sequence,
    y: Sequence,
    val_fraction: float = 0.2,
    *,
    seed: int | None = None,
    rng: random.Random | None = None,
) -> tuple[list, list, list, list]:
    """Shuffle once, then cut off ``val_fraction`` of the samples for validation.

    Returns ``X_train, y_train, X_val, y_val``.

    >>> X_tr, y_tr, X_va, y_va = train_val_split([[0], [1], [2], [3]], [0, 1, 0, 1], 0.25, seed=0)
    >>> len(X_tr), len(X_va)
    (3, 1)
    """
    _check_pair(X, y, "train_val_split")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1 (exclusive), got {val_fraction!r}")
    n_val = round(len(X) * val_fraction)
    if n_val < 1 or n_val >= len(X):
        raise ValueError(
            f"val_fraction {val_fraction} of {len(X)} samples leaves an empty train or validation set"
        )
    order = list(range(len(X)))
    _rng(rng, seed).shuffle(order)
    val, train = order[:n_val], order[n_val:]
    return [X[i] for i in train], [y[i] for i in train], [X[i] for i in val], [y[i] for i in val]


def batches(
    X: Sequence,
    y: Sequence,
    batch_size: int | None = None,
    *,
    shuffle: bool = True,
    seed: int | None = None,
    rng: random.Random | None = None,
) -> Iterator[tuple[list, list]]:
    """Mini-batches ``(X_batch, y_batch)`` covering every sample once; the last may be smaller.
    ``batch_size=None`` gives one batch of everything.

    >>> list(batches([[1], [2], [3]], [1, 2, 3], 2, shuffle=False))
    [([[1], [2]], [1, 2]), ([[3]], [3])]
    """
    _check_pair(X, y, "batches")
    size = len(X) if batch_size is None else _count(batch_size, "batch_size")
    order = list(range(len(X)))
    if shuffle:
        _rng(rng, seed).shuffle(order)
    for start in range(0, len(order), size):
        chunk = order[start : start + size]
        yield [X[i] for i in chunk], [y[i] for i in chunk]


class Standardizer:
    """Scale each input column to mean 0 and standard deviation 1, with the training set's numbers.

    >>> s = Standardizer().fit([[1.0, 10.0], [3.0, 10.0]])
    >>> s.transform([[2.0, 10.0], [3.0, 12.0]])
    [[0.0, 0.0], [1.0, 2.0]]
    """

    def __init__(self) -> None:
        self.mean: list[float] | None = None
        self.std: list[float] | None = None

    def fit(self, X: Sequence[Sequence[float]]) -> Standardizer:
        """Learn each column's mean and standard deviation (a constant column gets std 1)."""
        if not X:
            raise ValueError("Standardizer.fit: no rows")
        width = len(X[0])
        for i, row in enumerate(X):
            if len(row) != width:
                raise ValueError(f"Standardizer.fit: row {i} has {len(row)} columns, row 0 has {width}")
        n = len(X)
        self.mean = [sum(row[j] for row in X) / n for j in range(width)]
        std = [math.sqrt(sum((row[j] - self.mean[j]) ** 2 for row in X) / n) for j in range(width)]
        self.std = [s if s > 0.0 else 1.0 for s in std]
        return self

    def transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """Rows scaled with the fitted numbers."""
        if self.mean is None or self.std is None:
            raise RuntimeError("Standardizer.transform before fit")
        width = len(self.mean)
        out = []
        for i, row in enumerate(X):
            if len(row) != width:
                raise ValueError(f"Standardizer.transform: row {i} has {len(row)} columns, expected {width}")
            out.append([(v - m) / s for v, m, s in zip(row, self.mean, self.std)])
        return out

    def fit_transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """Back to the original scale.

        >>> s = Standardizer().fit([[0.0], [2.0]]); s.inverse_transform(s.transform([[5.0]]))
        [[5.0]]
        """
        if self.mean is None or self.std is None:
            raise RuntimeError("Standardizer.inverse_transform before fit")
        return [[v * s + m for v, m, s in zip(row, self.mean, self.std)] for row in X]
