"""PyTorch (float64) as the oracle: whole-MLP gradients for every loss and activation, the
optimisers' trajectories, and the bridge in both directions."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import MLP, losses, optim
from nn.torch_bridge import from_torch, to_torch
from tests.conftest import import_or_fail

torch = import_or_fail("torch")
F = torch.nn.functional

ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear", "leaky_relu"]
REL = 1e-9


def _inputs(n: int, nin: int, seed: int) -> list[list[float]]:
    r = random.Random(seed)
    return [[r.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(n)]


def _torch_grads(seq, named):
    """Gradients of the torch model, keyed by gradstep's parameter names."""
    grads = {}
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    for name, _ in named:
        parts = name.split(".")
        layer, neuron = int(parts[1]), int(parts[3])
        linear = linears[layer]
        grads[name] = (
            linear.weight.grad[neuron, int(parts[5])].item()
            if parts[4] == "w"
            else linear.bias.grad[neuron].item()
        )
    return grads


def _assert_close(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == pytest.approx(theirs[name], rel=REL, abs=1e-12), name


# (loss name, number of outputs, targets for 6 samples, torch's loss on (outputs, targets tensor))
CASES = {
    "mse": (2, [[0.5, -1.0], [1.0, 2.0], [0.0, 0.3], [-0.7, 0.1], [1.5, -0.2], [0.2, 0.9]],
            lambda out, t: F.mse_loss(out, t)),
    "bce": (1, [1, 0, 1, 1, 0, 0],
            lambda out, t: F.binary_cross_entropy_with_logits(out[:, 0], t)),
    "cross_entropy": (3, [0, 2, 1, 1, 0, 2],
                      lambda out, t: F.cross_entropy(out, t.long())),
    "hinge": (1, [1, -1, -1, 1, 1, -1],
              lambda out, t: torch.relu(1 - t * out[:, 0]).mean()),
}  # fmt: skip


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss_name", sorted(CASES))
@pytest.mark.parametrize("fused", [True, False])
def test_mlp_gradients_match_pytorch(loss_name, activation, fused):
    nout, targets, torch_loss = CASES[loss_name]
    model = MLP(3, [5, 4, nout], activation=activation, init="xavier_uniform", bias_init="uniform",
                seed=11, fused=fused)  # fmt: skip
    X = _inputs(6, 3, seed=2)
    fn, kind = losses.get(loss_name)
    outputs = [model(x) for x in X]
    # class scores and one-output models take the outputs as they are; others a list per sample
    preds = outputs if kind == "classes" or nout == 1 else [list(o) for o in outputs]
    alpha = 1e-3
    total = fn(preds, targets) + losses.l2(model.parameters(), alpha)
    model.zero_grad()
    total.backward()

    seq = to_torch(model)
    out = seq(torch.tensor(X, dtype=torch.float64))
    t = torch.tensor(targets, dtype=torch.float64)
    expected = torch_loss(out, t) + alpha * sum((p * p).sum() for p in seq.parameters())
    expected.backward()
    assert total.data == pytest.approx(expected.item(), rel=REL)
    _assert_close(
        {n: p.grad for n, p in model.named_parameters()}, _torch_grads(seq, model.named_parameters())
    )


def test_stable_losses_match_pytorch_at_extreme_logits():
    from autograd import Value

    logits = [Value(800.0), Value(-800.0), Value(30.0)]
    loss = losses.binary_cross_entropy(logits, [0, 1, 1])
    loss.backward()
    z = torch.tensor([800.0, -800.0, 30.0], dtype=torch.float64, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(z, torch.tensor([0.0, 1.0, 1.0], dtype=torch.float64))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-12)

    # d/dz = sigmoid(z) - t. PyTorch forms that difference and loses digits at z = 30 (relative
    # error ~1e-3), so the exact closed form is the oracle for the gradient: -sigmoid(-z) when t = 1.
    def sigmoid(x: float) -> float:
        return math.exp(x) / (1.0 + math.exp(x)) if x < 0 else 1.0 / (1.0 + math.exp(-x))

    exact = [sigmoid(800.0) / 3, -sigmoid(800.0) / 3, -sigmoid(-30.0) / 3]
    assert [v.grad for v in logits] == pytest.approx(exact, rel=1e-14, abs=1e-300)
    assert z.grad.tolist()[:2] == pytest.approx(exact[:2], rel=1e-14)

    row = [Value(1000.0), Value(-1000.0), Value(999.0)]
    ce = losses.cross_entropy([row], [1])
    ce.backward()
    zr = torch.tensor([[1000.0, -1000.0, 999.0]], dtype=torch.float64, requires_grad=True)
    ref = F.cross_entropy(zr, torch.tensor([1]))
    ref.backward()
    assert ce.data == pytest.approx(ref.item(), rel=1e-12)
    assert [v.grad for v in row] == pytest.approx(zr.grad[0].tolist(), rel=1e-12, abs=1e-300)


def _problem(seed: int = 0):
    """A small regression MLP and data for the optimiser trajectories."""
    model = MLP(2, [4, 1], activation="tanh", seed=seed)
    X = _inputs(8, 2, seed=seed + 1)
    y = [x0 * x1 - 0.5 * x0 for x0, x1 in X]
    return model, X, y


OPTIMISERS = {
    "sgd": ({"lr": 0.1}, {}),
    "sgd_momentum": ({"lr": 0.05, "momentum": 0.9}, {}),
    "sgd_nesterov": ({"lr": 0.05, "momentum": 0.9, "nesterov": True}, {}),
    "sgd_weight_decay": ({"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}, {}),
    "sgd_dampening": ({"lr": 0.1, "momentum": 0.5, "dampening": 0.3}, {}),
    "adam": ({"lr": 0.05}, {}),
    "adam_weight_decay": ({"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.02}, {}),
}


@pytest.mark.parametrize("name", sorted(OPTIMISERS))
def test_optimiser_trajectory_matches_torch_optim(name):
    kwargs, _ = OPTIMISERS[name]
    model, X, y = _problem()
    seq = to_torch(model)
    cls, tcls = (optim.Adam, torch.optim.Adam) if name.startswith("adam") else (optim.SGD, torch.optim.SGD)
    ours = cls(model.parameters(), **kwargs)
    theirs = tcls(seq.parameters(), **kwargs)
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    for step in range(20):
        loss = losses.mse([model(x) for x in X], y)
        ours.zero_grad()
        loss.backward()
        ours.step()
        tloss = F.mse_loss(seq(Xt)[:, 0], yt)
        theirs.zero_grad()
        tloss.backward()
        theirs.step()
        assert loss.data == pytest.approx(tloss.item(), rel=1e-9), f"step {step}"
        mirrored = from_torch(seq).state_dict()
        for key, value in model.state_dict().items():
            assert value == pytest.approx(mirrored[key], rel=1e-9, abs=1e-12), f"step {step}: {key}"


def test_bridge_round_trip_and_errors():
    model = MLP(3, [4, 4, 2], activation=["leaky_relu", "sigmoid"], output_activation="tanh", seed=0)
    seq = to_torch(model)
    assert all(p.dtype == torch.float64 for p in seq.parameters())
    back = from_torch(seq)
    assert back.state_dict() == model.state_dict()
    assert back.activations == model.activations
    x = [0.1, -0.4, 0.9]
    assert [o.data for o in model(x)] == pytest.approx(
        seq(torch.tensor([x], dtype=torch.float64))[0].tolist()
    )
    no_bias = MLP(2, [3, 1], bias=False, seed=0)
    assert from_torch(to_torch(no_bias)).state_dict() == no_bias.state_dict()
    with pytest.raises(TypeError, match="GELU has no gradstep equivalent"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU()))
    with pytest.raises(ValueError, match="must directly follow a Linear"):
        from_torch(torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 2)))
    with pytest.raises(ValueError, match="takes 3 inputs but the layer before gives 2"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(3, 1)))
    with pytest.raises(TypeError, match="nn.MLP"):
        to_torch(object())


@settings(max_examples=25, deadline=None)
@given(
    nin=st.integers(1, 4),
    nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activation=st.sampled_from(ACTIVATIONS),
    output_activation=st.sampled_from(ACTIVATIONS),
    bias=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_random_networks_match_pytorch(nin, nouts, activation, output_activation, bias, seed):
    """Random architectures: the gradient of the mean squared output, parameter by parameter."""
    model = MLP(nin, nouts, activation=activation, output_activation=output_activation, bias=bias,
                bias_init="uniform", seed=seed)  # fmt: skip
    X = _inputs(3, nin, seed=seed + 1)
    outputs = [model.forward_list(x) for x in X]
    total = sum(o * o for row in outputs for o in row) * (1.0 / (3 * nouts[-1]))
    model.zero_grad()
    total.backward()
    seq = to_torch(model)
    expected = (seq(torch.tensor(X, dtype=torch.float64)) ** 2).mean()
    expected.backward()
    assert total.data == pytest.approx(expected.item(), rel=REL, abs=1e-300)
    _assert_close(
        {n: p.grad for n, p in model.named_parameters()}, _torch_grads(seq, model.named_parameters())
    )
