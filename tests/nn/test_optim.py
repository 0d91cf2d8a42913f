"""Optimisers: a bad step changes nothing and names the parameter; every argument is checked."""

from __future__ import annotations

import copy
import math

import pytest

from autograd import Value
from nn import MLP, optim
from tests.conftest import import_or_fail
from tests.nn.careless import ctrl_c_at, put

OPTIMISERS = {
    "sgd": lambda params: optim.SGD(params, lr=0.1),
    "sgd_momentum": lambda params: optim.SGD(params, lr=0.1, momentum=0.9, dampening=0.1),
    "sgd_nesterov_decay": lambda params: optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True,
                                                   weight_decay=0.01),
    "adam": lambda params: optim.Adam(params, lr=0.01),
    "adam_decay": lambda params: optim.Adam(params, lr=0.01, weight_decay=0.1),
}  # fmt: skip


def _trained_once(make):
    model = MLP(2, [3, 1], seed=0)
    opt = make(model)
    model([0.5, -1.0]).backward()
    opt.step()  # buffers exist now
    opt.zero_grad()
    model([1.0, 2.0]).backward()
    return model, opt


def _snapshot(model, opt):
    return model.state_dict(), copy.deepcopy(opt.state_dict())


@pytest.mark.parametrize("name", OPTIMISERS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_nan_or_inf_gradient_changes_nothing_and_names_the_parameter(name, bad):
    model, opt = _trained_once(OPTIMISERS[name])
    before = _snapshot(model, opt)
    if not put(model.layers[0].neurons[1].w[0], "grad", bad):
        pytest.skip("the engine refuses a non-finite .grad at assignment")
    kind = type(opt).__name__
    with pytest.raises(
        ValueError,
        match=rf"^{kind}.step\(\): the gradient of w\[0,1,0\] \(layers.0.neurons.1.w.0\) is {bad!r}; "
        r"no parameter was changed\. .*detect_anomaly.*lower the learning rate",
    ):
        opt.step()
    assert _snapshot(model, opt) == before
    assert opt.steps == 1


@pytest.mark.parametrize("name", OPTIMISERS)
def test_a_step_that_overflows_changes_nothing(name):
    model, opt = _trained_once(OPTIMISERS[name])
    w = model.layers[1].neurons[0].w[2]
    w.data, w.grad = -1.7e308, 1e308
    opt.lr = 1e300  # every optimiser here steps about lr against the gradient: far past 1.8e308
    before = _snapshot(model, opt)
    with pytest.raises(OverflowError, match=r"would make (the \w+ of )?w\[1,0,2\] \(layers.1.neurons.0.w.2\) "
                                            r"-?inf \(data -1.7e\+308, gradient 1e\+308, lr 1e\+300\); "
                                            r"no parameter was changed"):  # fmt: skip
        opt.step()
    assert _snapshot(model, opt) == before


def test_an_overflowing_buffer_is_refused_too():
    # finite steps, but g * g overflows Adam's second moment: every later step would be 0
    w = Value(1.0, label="w")
    opt = optim.Adam([w], lr=0.1)
    w.grad = 1e200
    message = r"would make the exp_avg_sq of w inf \(data 1.0, gradient 1e\+200,"
    with pytest.raises(OverflowError, match=message):
        opt.step()
    assert w.data == 1.0 and opt.state_dict()["exp_avg_sq"] is None and opt.steps == 0


def test_data_that_is_not_a_finite_float():
    numpy = import_or_fail("numpy")
    w = Value(1.0, label="w")
    opt = optim.SGD([w], lr=0.1)
    w.grad = 1.0
    for data, error, message in [
        (math.nan, ValueError, r"w holds nan; no parameter was changed"),
        (Value(2.0), TypeError, r"w holds a Value as its data .*float\(p.grad\)"),
        ("1", TypeError, r"the data of w must be a number, got str"),
        (numpy.array([1.0]), TypeError, r"the data of w must be a number, got ndarray"),
    ]:
        if not put(w, "data", data):
            continue  # refused by the engine already
        with pytest.raises(error, match=message):
            opt.step()
        assert w.data is data
    w.data = 3  # an int is a number
    opt.step()
    assert w.data == 2.9 and type(w.data) is float
    if put(w, "grad", Value(1.0)):  # made with create_graph=True: its number is used
        opt.step()
        assert w.data == pytest.approx(2.8)
    if put(w, "grad", None):
        with pytest.raises(TypeError, match="the gradient of w must be a number, got NoneType"):
            opt.step()


def test_names_come_from_a_module_or_from_fit_labels_otherwise():
    model = MLP(2, [1], seed=0)
    opt = optim.SGD(model.parameters(), lr=1e300)
    b = model.layers[0].neurons[0].b
    b.data, b.grad = 1e308, 1e308  # finite numbers whose step overflows
    with pytest.raises(OverflowError, match=r"would make b\[0,0\] -inf"):
        opt.step()
    opt._learn_names(model.named_parameters())
    with pytest.raises(OverflowError, match=r"would make b\[0,0\] \(layers.0.neurons.0.b\) -inf"):
        opt.step()
    unlabelled = [Value(1.0), Value(1e308)]
    unlabelled[1].grad = -1e308
    with pytest.raises(OverflowError, match=r"would make params\[1\] inf"):
        optim.SGD(unlabelled, lr=1e300).step()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"lr": -1}, ValueError, "lr must be >= 0, got -1"),
        ({"lr": math.nan}, ValueError, "lr must be finite, got nan"),
        ({"lr": math.inf}, ValueError, "lr must be finite"),
        ({"lr": "0.1"}, TypeError, "lr must be a number, got str"),
        ({"lr": True}, TypeError, "lr must be a number, got bool"),
        ({"lr": None}, TypeError, "lr must be a number, got NoneType"),
        ({"lr": 10**400}, ValueError, "lr is too large for a float"),
        ({"momentum": math.nan}, ValueError, "momentum must be finite"),
        ({"weight_decay": -0.1}, ValueError, "weight_decay must be >= 0"),
        ({"nesterov": "yes"}, TypeError, "nesterov must be True or False"),
    ],
)
def test_sgd_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optim.SGD([Value(1.0)], **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"eps": 0}, ValueError, "eps must be > 0"),
        ({"eps": math.nan}, ValueError, "eps must be finite"),
        ({"betas": (0.9, math.nan)}, ValueError, r"betas\[1\] must be finite"),
        ({"betas": (1.0, 0.9)}, ValueError, r"betas\[0\] must be in \[0, 1\)"),
        ({"betas": 0.9}, TypeError, "betas must be a pair"),
    ],
)
def test_adam_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optim.Adam([Value(1.0)], **kwargs)


def test_setting_lr_later_is_checked():
    opt = optim.SGD([Value(1.0)], lr=0.1)
    for bad in (math.nan, -1.0, "0.5"):
        with pytest.raises((TypeError, ValueError), match="lr must be"):
            opt.lr = bad
    assert opt.lr == 0.1
    with pytest.raises(TypeError, match="schedule must be a function"):
        optim.Scheduler(opt, 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"schedule\(0\) must be finite"):
        optim.Scheduler(opt, lambda k: math.nan)


def test_parameter_lists():
    w = Value(1.0, label="w")
    with pytest.raises(TypeError, match=r"got one Value: write SGD\(\[w\]\)"):
        optim.SGD(w)
    with pytest.raises(TypeError, match="takes a list of Values such as model.parameters\\(\\), got dict"):
        optim.SGD({"w": w})
    with pytest.raises(TypeError, match="got int"):
        optim.Adam(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"params\[2\] is params\[0\] \(w\) again"):
        optim.SGD([w, Value(2.0), w])
    assert optim.SGD(p for p in [w]).params == [w]  # any iterable


def test_load_state_dict_checks_everything_first():
    w, v = Value(1.0), Value(2.0)
    opt = optim.Adam([w, v], lr=0.1)
    (w * v).backward()
    opt.step()
    good = opt.state_dict()
    for change, error, message in [
        ({"lr": math.nan}, ValueError, "lr must be finite"),
        ({"eps": "1e-8"}, TypeError, "eps must be a number"),
        ({"steps": -1}, ValueError, "steps must be an int >= 0"),
        ({"steps": True}, ValueError, "steps must be an int"),
        ({"exp_avg": [0.1]}, ValueError, r"exp_avg must be None or a list of 2 numbers .*got list of 1"),
        ({"exp_avg": [0.1, math.nan]}, ValueError, r"exp_avg\[1\] must be finite"),
        ({"exp_avg_sq": "0.1"}, ValueError, r"exp_avg_sq must be None or a list"),
    ]:
        with pytest.raises(error, match=message):
            opt.load_state_dict({**good, **change})
        assert opt.state_dict() == good
    with pytest.raises(TypeError, match="needs the mapping state_dict"):
        opt.load_state_dict([1])  # type: ignore[arg-type]
    other = optim.Adam([Value(0.0), Value(0.0)], lr=0.5, betas=[0.5, 0.5])
    other.load_state_dict(good)
    assert other.state_dict() == good and other.betas == (0.9, 0.999)


@pytest.mark.parametrize("name", OPTIMISERS)
def test_ctrl_c_in_the_middle_of_writing_the_weights_undoes_the_step(name):
    model, opt = _trained_once(OPTIMISERS[name])
    before = _snapshot(model, opt)
    with ctrl_c_at(optim.Optimizer._commit, "p.data = value", 3) as hits, pytest.raises(KeyboardInterrupt):
        opt.step()  # interrupted after two weights were written
    assert len(hits) == 3
    assert _snapshot(model, opt) == before
    opt.step()  # and the next step runs as if nothing happened
    assert opt.steps == 2
