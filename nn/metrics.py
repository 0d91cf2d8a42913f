"""What a training run measures: ``History`` (what ``fit`` returns), ``predict_class`` and
``accuracy``. Apart from the fit loop, so that a picture of a run (``nn.plot``) needs no training code.

>>> History(train_loss=[1.0, 0.5]).epochs
2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import Value

__all__ = ["History", "accuracy", "predict_class"]


@dataclass
class History:
    """Per-epoch numbers from ``fit``: losses, accuracies (None for regression) and learning rates.

    ``train_loss``/``train_acc`` average the epoch's batches as they were trained (the weights
    change between batches, as in Keras); ``val_loss``/``val_acc`` evaluate the validation set
    with the weights at the end of the epoch.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: int | None = None  # 0-based epoch with the lowest monitored loss
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.train_loss)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON or a pandas DataFrame)."""
        return {
            "train_loss": list(self.train_loss),
            "train_acc": list(self.train_acc),
            "val_loss": list(self.val_loss),
            "val_acc": list(self.val_acc),
            "lr": list(self.lr),
            "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
        }


def _as_list(output: Value | list[Value]) -> list[Value]:
    return output if isinstance(output, list) else [output]


def predict_class(output: Value | Sequence[Value], kind: str | None) -> int | None:
    """The class a model output stands for under a loss of this ``kind``: argmax of several
    outputs; for one score, 1 if it is above 0 (logit) and -1/+1 by sign for the hinge ("margin").

    >>> from autograd import Value
    >>> predict_class([Value(0.1), Value(2.0)], "classes"), predict_class(Value(-0.3), "margin")
    (1, -1)
    """
    outs = [float(o) for o in _as_list(output)]  # type: ignore[arg-type]
    if kind == "regression":
        return None
    if len(outs) > 1:
        return max(range(len(outs)), key=lambda i: outs[i])
    positive = outs[0] > 0.0
    if kind == "margin":
        return 1 if positive else -1
    return 1 if positive else 0


def accuracy(outputs: Sequence[Value | Sequence[Value]], targets: Sequence, kind: str | None) -> float | None:
    """Fraction of samples whose predicted class equals the target (None for regression or an
    unknown ``kind``).

    >>> from autograd import Value
    >>> accuracy([Value(1.0), Value(-1.0)], [1, 1], "logit")
    0.5
    """
    if kind in (None, "regression") or not outputs:
        return None
    hits = sum(predict_class(o, kind) == t for o, t in zip(outputs, targets))
    return hits / len(outputs)
