"""Training: micrograd's demo and the lecture's example reach their targets; fit()'s features;
micrograd's own code runs unchanged against gradstep."""

from __future__ import annotations

import gc
import random
import textwrap

import pytest

import nn
from autograd import Value
from nn import MLP, data, losses, optim
from nn.train import History, evaluate, fit


def test_micrograd_demo_reaches_97_percent_within_100_steps():
    """MLP(2, [16, 16, 1]) on 100 moons, hinge + L2 1e-4, full-batch SGD with lr 1.0 - 0.9 k / 100."""
    X, y = data.moons(100, noise=0.1, seed=1337)
    y = data.signed(y)
    model = MLP(2, [16, 16, 1], seed=1337)
    sgd = optim.SGD(model.parameters(), lr=1.0)
    schedule = optim.Scheduler(sgd, optim.linear_decay(1.0, 0.1, 100))
    reached = None
    accuracies = []
    for k in range(100):
        scores = [model(x) for x in X]
        acc = sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
        accuracies.append(acc)
        if acc >= 0.97:
            reached = k
            break
        total = losses.hinge(scores, y) + losses.l2(model.parameters(), 1e-4)
        sgd.zero_grad()
        total.backward()
        sgd.step()
        schedule.step()
        assert sgd.lr == pytest.approx(1.0 - 0.9 * (k + 1) / 100)
    assert accuracies[0] < 0.9  # the untrained network is far from the target
    assert reached is not None, f"accuracy after 100 steps: {accuracies[-1]:.2f}"


def test_lecture_example_drives_squared_loss_below_001():
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    n = MLP(3, [4, 4, 1], preset="lecture", seed=0)
    first = None
    for _ in range(200):
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        if first is None:
            first = loss.data
        if loss.data < 0.01:
            break
        n.zero_grad()
        loss.backward()
        for p in n.parameters():
            p.data += -0.1 * p.grad
    assert first > 0.5 and loss.data < 0.01


MICROGRAD_README = """
from micrograd.engine import Value
from micrograd import nn

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
g.backward()
readme = (g.data, a.grad, b.grad)

model = nn.MLP(2, [16, 16, 1])
n = nn.Neuron(2)
layer = nn.Layer(2, 3)
"""

MICROGRAD_DEMO_LOOP = """
# micrograd's demo.ipynb (numpy indexing replaced by lists: X and y are plain lists here)
def loss(batch_size=None):
    Xb, yb = X, y
    inputs = [list(map(Value, xrow)) for xrow in Xb]
    # forward the model to get scores
    scores = list(map(model, inputs))
    # svm "max-margin" loss
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

trajectory = []
for k in range(steps):
    # forward
    total_loss, acc = loss()
    # backward
    model.zero_grad()
    total_loss.backward()
    # update (sgd)
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    trajectory.append((total_loss.data, acc))
"""


def _run_micrograd_code(engine_module, nn_module, steps: int) -> dict:
    """Run micrograd's README and demo code with ``micrograd.engine``/``micrograd.nn`` bound to
    the given modules, and with the demo's global random seed."""
    import sys
    import types

    fake = types.ModuleType("micrograd")
    fake.engine, fake.nn = engine_module, nn_module
    saved = {k: sys.modules.get(k) for k in ("micrograd", "micrograd.engine", "micrograd.nn")}
    sys.modules.update({"micrograd": fake, "micrograd.engine": engine_module, "micrograd.nn": nn_module})
    gc_was_enabled = gc.isenabled()
    gc.disable()  # micrograd's nodes are reference cycles: collecting them dominates its run time
    try:
        random.seed(1337)
        scope: dict = {}
        exec(textwrap.dedent(MICROGRAD_README), scope)
        X, y = data.moons(40, noise=0.1, seed=1337)
        scope.update(X=X, y=data.signed(y), steps=steps)
        exec(textwrap.dedent(MICROGRAD_DEMO_LOOP), scope)
        return scope
    finally:
        if gc_was_enabled:
            gc.enable()
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def test_micrograd_code_runs_unchanged_and_matches_micrograd():
    real_engine = pytest.importorskip("micrograd.engine")
    real_nn = pytest.importorskip("micrograd.nn")
    import types

    import autograd

    ours_engine = types.ModuleType("gradstep_engine")
    ours_engine.Value = autograd.Value
    ours = _run_micrograd_code(ours_engine, nn, steps=4)
    theirs = _run_micrograd_code(real_engine, real_nn, steps=4)

    # micrograd's README numbers
    assert ours["readme"] == pytest.approx((24.70408163265306, 138.83381924198252, 645.5772594752186))
    assert ours["readme"] == pytest.approx(theirs["readme"], rel=1e-12)
    assert isinstance(ours["model"], nn.MLP) and ours["model"].num_parameters() == 337
    assert len(ours["layer"].neurons) == 3 and ours["n"].activation == "relu"
    # the same random.seed gives the same network, so the same training trajectory
    for step, ((l_ours, a_ours), (l_theirs, a_theirs)) in enumerate(
        zip(ours["trajectory"], theirs["trajectory"])
    ):
        assert l_ours == pytest.approx(l_theirs, rel=1e-9), step
        assert a_ours == a_theirs
    assert ours["trajectory"][-1][0] < ours["trajectory"][0][0]


def test_fit_history_seed_and_gc_restored():
    X, y = data.moons(80, noise=0.1, seed=0)
    X_tr, y_tr, X_va, y_va = data.train_val_split(X, y, 0.25, seed=0)

    def run() -> tuple[History, dict]:
        model = MLP(2, [8, 1], seed=0)
        opt = optim.Adam(model.parameters(), lr=0.05)
        h = fit(model, (X_tr, y_tr), "bce", opt, epochs=4, batch_size=16, val_data=(X_va, y_va), seed=3,
                progress=False)  # fmt: skip
        return h, model.state_dict()

    assert gc.isenabled()
    h1, s1 = run()
    assert gc.isenabled()
    h2, s2 = run()
    assert h1 == h2 and s1 == s2  # same seed, same run
    assert h1.epochs == 4 and len(h1.val_loss) == len(h1.val_acc) == 4
    assert all(0.0 <= a <= 1.0 for a in h1.train_acc + h1.val_acc)
    during = []
    model = MLP(2, [2, 1], seed=0)
    fit(model, (X_tr, y_tr), "bce", optim.SGD(model.parameters(), lr=0.1), epochs=1, progress=False,
        callbacks=[lambda e, logs, m: during.append(gc.isenabled())])  # fmt: skip
    assert during == [False] and gc.isenabled()  # paused while training, then restored
    gc.disable()
    try:
        run()
        assert not gc.isenabled()  # fit restores what it found
    finally:
        gc.enable()


def test_fit_val_numbers_equal_evaluate():
    X, y = data.xor(40, seed=0)
    model = MLP(2, [6, 1], activation="tanh", seed=0)
    h = fit(model, (X, y), "bce", optim.SGD(model.parameters(), lr=0.1), epochs=2, val_data=(X, y),
            progress=False)  # fmt: skip
    assert (h.val_loss[-1], h.val_acc[-1]) == evaluate(model, (X, y), "bce")


def test_fit_early_stopping_restores_best_and_callbacks_stop():
    X, y = data.sine(30, seed=0)
    model = MLP(1, [4, 1], activation="tanh", seed=0)
    # a learning rate so large that the loss soon stops improving
    opt = optim.SGD(model.parameters(), lr=3.0)
    seen = []
    record = [lambda epoch, logs, m: seen.append(epoch)]
    h = fit(model, (X, y), "mse", opt, epochs=50, early_stopping=2, callbacks=record, progress=False)
    assert h.stopped_early and h.epochs < 50 and seen == list(range(h.epochs))
    assert h.train_acc == [None] * h.epochs
    best = h.best_epoch
    assert h.train_loss[best] == min(h.train_loss)
    # restored weights are the best epoch's: evaluating them cannot be worse than the last epoch
    model2 = MLP(1, [4, 1], activation="tanh", seed=0)
    h2 = fit(model2, (X, y), "mse", optim.SGD(model2.parameters(), lr=0.01), epochs=10,
             callbacks=[lambda e, logs, m: e == 2], progress=False)  # fmt: skip
    assert h2.epochs == 3 and not h2.stopped_early


@pytest.mark.parametrize("restore_best", [True, False])
def test_fit_restore_best_puts_back_the_best_epochs_weights(restore_best):
    X, y = data.sine(30, seed=0)
    model = MLP(1, [4, 1], activation="tanh", seed=0)
    weights_after = []  # each epoch's weights, as the callback sees them after the epoch
    record = [lambda epoch, logs, m: weights_after.append(m.state_dict())]
    h = fit(model, (X, y), "mse", optim.SGD(model.parameters(), lr=3.0), epochs=50, early_stopping=2,
            restore_best=restore_best, callbacks=record, progress=False)  # fmt: skip
    assert h.stopped_early and h.best_epoch < h.epochs - 1
    assert weights_after[h.best_epoch] != weights_after[-1]
    expected = weights_after[h.best_epoch] if restore_best else weights_after[-1]
    assert model.state_dict() == expected


def test_fit_multiclass_l2_schedule_and_progress_bar(capsys):
    X, y = data.spiral(60, k=3, seed=0)
    model = MLP(2, [8, 3], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    h = fit(model, (X, y), "cross_entropy", opt, epochs=3, batch_size=20, l2=1e-3,
            schedule=optim.step_decay(0.1, 2, 0.5), seed=0)  # fmt: skip
    assert h.lr == [0.1, 0.1, 0.05]
    err = capsys.readouterr().err
    assert "3/3" in err and "acc=" in err and "loss=" in err


def test_fit_errors():
    model = MLP(2, [2, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    X, y = data.xor(10, seed=0)
    with pytest.raises(TypeError, match="pair"):
        fit(model, X, "bce", opt, progress=False)
    with pytest.raises(ValueError, match="X has 10 rows but y has 9"):
        fit(model, (X, y[:-1]), "bce", opt, progress=False)
    with pytest.raises(TypeError, match="optimizer"):
        fit(model, (X, y), "bce", "sgd", progress=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="early_stopping"):
        fit(model, (X, y), "bce", opt, early_stopping=0, progress=False)
    with pytest.raises(ValueError, match="unknown loss"):
        fit(model, (X, y), "nll", opt, progress=False)


def test_optimiser_api():
    w = Value(1.0)
    sgd = optim.SGD([w], lr=0.1, momentum=0.9)
    (w * w).backward()
    sgd.step()
    state = sgd.state_dict()
    assert state["momentum_buffer"] == [2.0] and state["steps"] == 1
    other = optim.SGD([Value(0.0)], lr=0.5, momentum=0.1)
    other.load_state_dict(state)
    assert other.state_dict() == state
    adam = optim.Adam(MLP(2, [2, 1], seed=0), lr=0.01)  # a Module is accepted directly
    assert len(adam.params) == 9
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD([w], nesterov=True)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        optim.SGD([w], lr=-1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match=r"params\[0\] must be a Value"):
        optim.SGD([1.0])
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        optim.Adam([w], betas=(0.9, 1.0))
    assert [optim.linear_decay(1.0, 0.1, 100)(k) for k in (0, 37, 100, 150)] == [
        1.0 - 0.9 * 0 / 100,
        1.0 - 0.9 * 37 / 100,
        1.0 - 0.9 * 100 / 100,
        1.0 - 0.9 * 100 / 100,
    ]
