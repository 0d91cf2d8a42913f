"""Training: micrograd's demo and the lecture's example reach their targets; fit()'s features;
micrograd's own code runs unchanged against gradstep."""

from __future__ import annotations

import gc
import math
import random
import re
import textwrap

import pytest

import nn
from autograd import Value
from nn import MLP, data, losses, optim
from nn.train import History, evaluate, fit
from tests.conftest import import_or_fail


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


# --- fit() under careless use ----------------------------------------------------------------


def test_fit_refuses_an_optimiser_built_for_another_model():
    X, y = data.moons(40, noise=0.1, seed=0)
    model, other = MLP(2, [16, 16, 1], seed=0), MLP(2, [16, 16, 1], seed=1)
    before, other_before = model.state_dict(), other.state_dict()
    epochs_run = []
    with pytest.raises(ValueError, match=r"the optimiser updates 0 of the model's 337 parameters .*"
                                         r"build it with optim.Adam\(model.parameters\(\)\)"):  # fmt: skip
        fit(model, (X, y), "bce", optim.Adam(other.parameters(), lr=0.1), epochs=20, progress=False,
            callbacks=[lambda e, logs, m: epochs_run.append(e)])  # fmt: skip
    assert epochs_run == [] and model.state_dict() == before and other.state_dict() == other_before


def test_fit_allows_an_optimiser_for_part_of_the_model_or_for_more():
    X, y = data.moons(40, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    first, last = model.layers[0].state_dict(), model.layers[1].state_dict()
    fit(model, (X, y), "bce", optim.SGD(model.layers[1].parameters(), lr=0.5), epochs=2, progress=False)
    assert model.layers[0].state_dict() == first  # fine-tuning the last layer only
    assert model.layers[1].state_dict() != last

    scale = Value(1.0, label="scale")  # a parameter of the loss, trained with the model's

    def scaled_mse(outputs, targets):
        return losses.mse([o * scale for o in outputs], targets)

    fit(model, (X, y), scaled_mse, optim.SGD([*model.parameters(), scale], lr=0.1), epochs=2, progress=False)
    assert scale.data != 1.0


def test_fit_refuses_a_model_without_parameters():
    class Constant(nn.Module):
        def __call__(self, x):
            return Value(0.5)

    X, y = data.xor(10, seed=0)
    with pytest.raises(ValueError, match="the model has no parameters, so there is nothing to train"):
        fit(Constant(), (X, y), "mse", optim.SGD([Value(1.0)]), progress=False)
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        fit("model", (X, y), "mse", optim.SGD([Value(1.0)]), progress=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"l2": -1.0}, ValueError, "l2 must be >= 0"),
        ({"l2": "0.1"}, TypeError, "l2 must be a number, got str"),
        ({"min_delta": math.nan}, ValueError, "min_delta must be finite"),
        ({"schedule": 0.1}, TypeError, "schedule must be a function"),
        ({"schedule": lambda e: "0.1"}, TypeError, r"schedule\(0\) must be a number, got str"),
        ({"schedule": lambda e: math.nan}, ValueError, r"schedule\(0\) must be finite"),
        ({"callbacks": lambda e, logs, m: None}, TypeError, r"for one function write callbacks=\[fn\]"),
        ({"callbacks": [print, 1]}, TypeError, r"callbacks\[1\] must be a function"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an int"),
        ({"epochs": -1}, ValueError, "epochs must be an int >= 0"),
    ],
)
def test_fit_arguments_are_checked_before_training(kwargs, error, message):
    X, y = data.xor(10, seed=0)
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=message):
        fit(model, (X, y), "bce", optim.SGD(model.parameters(), lr=0.1), **{"epochs": 2, **kwargs},
            progress=False)  # fmt: skip
    assert model.state_dict() == before


def test_fit_takes_numpy_arrays_and_refuses_iterators():
    numpy = import_or_fail("numpy")
    X, y = data.moons(30, noise=0.1, seed=0)

    def run(X, y):
        model = MLP(2, [4, 1], seed=0)
        h = fit(model, (X, y), "bce", optim.SGD(model.parameters(), lr=0.1), epochs=2, batch_size=8,
                seed=0, progress=False)  # fmt: skip
        return h.train_loss, h.train_acc, model.state_dict()

    assert run(numpy.array(X), numpy.array(y)) == run(X, y)  # micrograd's demo passes numpy arrays
    assert evaluate(MLP(2, [4, 1], seed=0), (numpy.array(X), numpy.array(y)), "bce")[1] is not None
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(TypeError, match=r"X must be a list or an array .*got generator; pass list"):
        fit(model, ((x for x in X), y), "bce", optim.SGD(model.parameters()), progress=False)
    with pytest.raises(ValueError, match="data is empty"):
        fit(model, (numpy.zeros((0, 2)), numpy.zeros(0)), "bce", optim.SGD(model), progress=False)


def test_evaluate_takes_any_callable_model():
    X, y = data.xor(10, seed=0)
    loss, acc = evaluate(lambda x: Value(x[0] - x[1]), (X, y), "bce")
    assert loss > 0 and 0.0 <= acc <= 1.0
    with pytest.raises(TypeError, match="model must be callable"):
        evaluate(3, (X, y), "bce")  # type: ignore[arg-type]


def test_fit_errors_name_the_data_rows():
    X, y = data.moons(20, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    bad_y = list(y)
    bad_y[7] = 2
    with pytest.raises(ValueError, match=r"targets\[(\d+)\] = 2.0 is not in \[0, 1\]") as info:
        fit(model, (X, bad_y), "bce", opt, batch_size=None, seed=3, progress=False)
    position = int(re.search(r"targets\[(\d+)\]", str(info.value)).group(1))
    (note,) = info.value.__notes__
    rows = [int(r) for r in re.search(r"data rows \[([\d, ]+)", note).group(1).split(", ")]
    assert "fit(): epoch 0, batch 0" in note and rows[position] == 7  # the note maps back to y[7]

    bad_X = [list(x) for x in X]
    bad_X[4] = [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="MLP expects 2 inputs, got 3") as info:
        fit(model, (bad_X, y), "bce", opt, progress=False)
    assert info.value.__notes__ == ["fit(): while running the model on X[4] (epoch 0)"]
    with pytest.raises(TypeError, match=r"data must be a pair \(X, y\), got tuple of 3"):
        fit(model, (X, y, y), "bce", opt, progress=False)
    with pytest.raises(TypeError, match="the loss function returned float, not a Value"):
        fit(model, (X, y), lambda outputs, targets: 0.5, opt, progress=False)


def test_a_diverging_fit_stops_at_the_last_good_step(tmp_path):
    model = MLP(1, [1], seed=0)
    before = model.state_dict()
    opt = optim.SGD(model.parameters(), lr=1e308)  # the first step overshoots past 1.8e308
    message = r"this step would make w\[0,0,0\] \(layers.0.neurons.0.w.0\) -?inf .*no parameter was changed"
    with pytest.raises(OverflowError, match=message) as info:
        fit(model, ([[1.0]], [10.0]), "mse", opt, epochs=3, progress=False)
    assert "fit(): epoch 0, batch 0" in info.value.__notes__[0]
    assert model.state_dict() == before and opt.steps == 0
    nn.save(model, tmp_path / "m.json")  # nothing non-finite got in
    assert nn.load(tmp_path / "m.json").state_dict() == before


@pytest.mark.parametrize(
    "loss, l2, layers", [("bce", 0.0, [8, 8, 1]), ("hinge", 1e-3, [6, 1]), ("mse", 0.0, [5, 2])]
)
def test_traced_and_eager_training_give_identical_weights_after_20_epochs(loss, l2, layers):
    X, y = data.moons(60, noise=0.1, seed=2)
    if loss == "hinge":
        y = [2 * t - 1 for t in y]
    if loss == "mse":  # two outputs: a target row per sample
        y = [[float(t), 1.0 - t] for t in y]

    def run(trace):
        model = MLP(2, layers, seed=0)
        opt = optim.Adam(model.parameters(), lr=0.02)
        history = fit(model, (X, y), loss, opt, epochs=20, batch_size=16, seed=0, l2=l2, progress=False,
                      trace=trace)  # fmt: skip
        return model.state_dict(), history

    (traced, h1), (eager, h2) = run(True), run(False)
    assert traced == eager  # every weight, bit for bit (== on floats)
    assert h1.train_loss == h2.train_loss and h1.train_acc == h2.train_acc


def test_fit_traces_each_batch_size_once(monkeypatch):
    import autograd.tape.traced as tape  # where Traced calls record

    traced = []
    real = tape.record
    monkeypatch.setattr(tape, "record", lambda *a: traced.append(1) or real(*a))
    X, y = data.moons(50, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    fit(model, (X, y), "bce", optim.SGD(model.parameters(), lr=0.1), epochs=5, batch_size=16, progress=False)
    assert len(traced) == 2  # batches of 16, and the last one of 2: two shapes, each traced once


def test_a_nan_in_X_is_named_by_its_row_on_the_traced_path_too():
    X, y = data.moons(40, noise=0.1, seed=0)
    bad_X = [list(x) for x in X]
    bad_X[3] = [math.nan, 0.5]
    for trace in (True, False):
        model = MLP(2, [4, 1], seed=0)
        with pytest.raises(ValueError, match="takes a finite number, got nan") as info:
            fit(model, (bad_X, y), "bce", optim.SGD(model.parameters(), lr=0.1), epochs=1, seed=0,
                progress=False, trace=trace)  # fmt: skip
        assert info.value.__notes__ == ["fit(): while running the model on X[3] (epoch 0)"]


def test_fit_traces_again_when_a_callback_replaces_a_parameter():
    from autograd import Value

    X, y = data.moons(40, noise=0.1, seed=1)

    def run(trace):
        model = MLP(2, [4, 1], seed=0)
        opt = optim.SGD(model.parameters(), lr=0.1)

        def rebuild(epoch, logs, model):
            if epoch == 1:  # a new weight object: the optimiser does not know it, the model uses it
                model.layers[1].neurons[0].w[0] = Value(3.0)

        history = fit(model, (X, y), "bce", opt, epochs=4, seed=0, progress=False, trace=trace,
                      callbacks=[rebuild])  # fmt: skip
        return history.train_loss, [p.grad for p in model.parameters()]

    traced, eager = run(True), run(False)
    assert traced == eager  # losses and every gradient, bit for bit (the old tape read the old weight)


def test_fit_keeps_one_small_tape_whatever_the_size_of_the_data(monkeypatch):
    import autograd.tape.traced as tape  # where Traced calls record

    ops = []
    real = tape.record

    def counting(*args):
        out, also, made, slots = real(*args)
        ops.append(sum(s.computed for s in made.statements))
        return out, also, made, slots

    monkeypatch.setattr(tape, "record", counting)
    for n in (64, 640):
        X, y = data.moons(n, noise=0.1, seed=0)
        model = MLP(2, [4, 1], seed=0)
        fit(model, (X, y), "bce", optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=False)
    assert len(ops) == 2 and ops[0] == ops[1]  # full batch of 64 or of 640 rows: one tape of 16 rows
