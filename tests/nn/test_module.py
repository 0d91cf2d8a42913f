"""Modules: names, labels, presets, fused vs op-by-op neurons, state dicts, errors."""

from __future__ import annotations

import math
import random

import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron
from nn import init as nn_init


def test_named_parameters_order_names_and_labels():
    model = MLP(2, [3, 2], seed=0)
    named = model.named_parameters()
    assert [n for n, _ in named[:4]] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert named[-1][0] == "layers.1.neurons.1.b"
    assert len(named) == model.num_parameters() == (2 + 1) * 3 + (3 + 1) * 2
    assert [p for _, p in named] == model.parameters()
    assert model.layers[1].neurons[1].w[2].label == "w[1,1,2]"
    assert model.layers[0].neurons[2].b.label == "b[0,2]"
    # every parameter has its own, distinct label
    labels = [p.label for p in model.parameters()]
    assert len(set(labels)) == len(labels)


def test_bare_neuron_and_layer_labels():
    n = Neuron(3, seed=0)
    assert [p.label for p in n.parameters()] == ["w[0]", "w[1]", "w[2]", "b"]
    layer = Layer(2, 2, seed=0)
    assert [p.label for p in layer.parameters()] == ["w[0,0]", "w[0,1]", "b[0]", "w[1,0]", "w[1,1]", "b[1]"]
    assert [n for n, _ in layer.named_parameters()][:3] == ["neurons.0.w.0", "neurons.0.w.1", "neurons.0.b"]


def test_micrograd_defaults_and_global_random_stream():
    """Same random.seed, same weights as micrograd's MLP (drawn from the global random module)."""
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert [layer.activation for layer in ours.layers] == ["relu", "relu", "linear"]
    assert all(n.b.data == 0.0 for layer in ours.layers for n in layer.neurons)
    assert all(-1.0 <= p.data <= 1.0 for p in ours.parameters())
    x = [0.3, -1.2]
    assert ours(x).data == theirs(x).data  # same ops in the same order: bit-identical


def test_lecture_preset_draws_bias_after_each_neurons_weights():
    rng = random.Random(5)
    model = MLP(3, [4, 4, 1], preset="lecture", seed=5)
    for layer in model.layers:
        assert layer.activation == "tanh"
        for neuron in layer.neurons:
            expected = [rng.uniform(-1, 1) for _ in neuron.w] + [rng.uniform(-1, 1)]
            assert [p.data for p in neuron.parameters()] == expected


def test_one_output_layer_in_the_middle_and_return_types():
    model = MLP(2, [16, 1, 1], seed=0)
    assert isinstance(model([1.0, 2.0]), Value)
    wide = MLP(2, [4, 3], seed=0)
    out = wide([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert isinstance(Layer(2, 2, seed=0)([1.0, 2.0]), list)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear", "leaky_relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_and_op_by_op_neurons_agree_exactly(activation, bias):
    fused = MLP(3, [5, 4, 2], activation=activation, output_activation=activation, bias=bias, seed=3)
    plain = MLP(3, [5, 4, 2], activation=activation, output_activation=activation, bias=bias, seed=3,
                fused=False)  # fmt: skip
    x = [0.7, -1.3, 0.25]
    outs_f, outs_p = fused(x), plain(x)
    assert [o.data for o in outs_f] == [o.data for o in outs_p]
    (outs_f[0] * 2.0 + outs_f[1]).backward()
    (outs_p[0] * 2.0 + outs_p[1]).backward()
    for (name, pf), (_, pp) in zip(fused.named_parameters(), plain.named_parameters()):
        assert pf.grad == pytest.approx(pp.grad, rel=1e-12, abs=1e-15), name
    # the op-by-op neuron really has a node per multiply
    single = Neuron(3, fused=False, seed=0)([1.0, 2.0, 3.0])
    assert single.parents[0].op.name in ("add", "add_c")


def test_neuron_activation_arguments():
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Neuron(2).activation == "relu"
    assert Neuron(2, activation="sigmoid").activation == "sigmoid"
    assert Neuron(2, bias=False).b is None
    n = Neuron(1, activation="leaky_relu", seed=0)
    n.w[0].data, n.b.data = 1.0, 0.0
    assert n([-2.0]).data == pytest.approx(-0.02)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        Neuron(2, activation="swish")
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        Neuron(2)([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="list of 2 numbers"):
        Neuron(2)("ab")


def test_mlp_argument_errors():
    with pytest.raises(ValueError, match="unknown preset"):
        MLP(2, [1], preset="karpathy")
    with pytest.raises(TypeError, match="nouts"):
        MLP(2, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"nouts\[1\] must be a positive int"):
        MLP(2, [3, 0])
    with pytest.raises(ValueError, match="one name per hidden layer: 2 needed, got 1"):
        MLP(2, [3, 3, 1], activation=["tanh"])
    with pytest.raises(ValueError, match="unknown init"):
        MLP(2, [3], init="orthogonal")
    with pytest.raises(ValueError, match="either rng or seed"):
        MLP(2, [3], seed=1, rng=random.Random(1))
    per_layer = MLP(2, [3, 3, 1], activation=["tanh", "sigmoid"])
    assert per_layer.activations == ["tanh", "sigmoid", "linear"]


@pytest.mark.parametrize(
    "make, error, message",
    [
        # no hidden layer uses `activation`: it was accepted silently
        (lambda: MLP(2, [1], activation="relux"), ValueError, r"^activation: unknown activation 'relux'"),
        (lambda: MLP(2, [1], activation=5), TypeError, r"^activation must be a name .* got int: 5"),
        (lambda: MLP(2, [3, 1], activation=5), TypeError, r"^activation must be a name .* got int: 5"),
        (lambda: MLP(2, [3, 1], activation=[5]), TypeError, r"^activation\[0\] must be the name of an "),
        (lambda: MLP(2, [3, 1], output_activation="soft"), ValueError, r"^output_activation: unknown "),
        (lambda: Neuron(2, activation=5), TypeError, r"^activation must be the name of an activation"),
        (lambda: Neuron(2, activation=["relu"]), TypeError, r"^activation must be .* got list"),
        (lambda: Layer(2, 3, activation="relux"), ValueError, r"^activation: unknown activation 'relux'"),
    ],
)
def test_activation_is_checked_whatever_the_depth(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_seeds_and_rngs_are_deterministic():
    assert MLP(2, [4, 1], seed=7).state_dict() == MLP(2, [4, 1], seed=7).state_dict()
    assert MLP(2, [4, 1], seed=7).state_dict() != MLP(2, [4, 1], seed=8).state_dict()
    a = MLP(2, [4, 1], rng=random.Random(3)).state_dict()
    assert a == MLP(2, [4, 1], seed=3).state_dict()


def test_state_dict_round_trip_and_validation():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    before = b.state_dict()
    bad = dict(a.state_dict())
    bad["layers.0.neurons.0.w.0"] = True
    with pytest.raises(TypeError, match=r"state\['layers.0.neurons.0.w.0'\] must be a number, got bool"):
        b.load_state_dict(bad)
    bad["layers.0.neurons.0.w.0"] = math.nan
    with pytest.raises(ValueError, match="must be finite"):
        b.load_state_dict(bad)
    extra = {**a.state_dict(), "layers.9.neurons.0.b": 0.0}
    with pytest.raises(KeyError, match="unexpected parameter.*layers.9"):
        b.load_state_dict(extra)
    with pytest.raises(TypeError, match="mapping"):
        b.load_state_dict([1.0, 2.0])  # type: ignore[arg-type]
    assert b.state_dict() == before  # nothing changed by the failed loads


def test_zero_grad_and_repr():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    text = repr(model)
    assert text.splitlines()[0] == "MLP(2 -> 3 -> 1, 13 parameters)"
    assert "layers.1: Layer(3 -> 1, linear)" in text
    assert repr(Neuron(2, bias=False)) == "Neuron(2, relu, bias=False)"


def test_micrograd_style_subclass():
    class Scale(Module):
        def __init__(self):
            self.k = Value(2.0)

        def __call__(self, x):
            return self.k * x

        def parameters(self):
            return [self.k]

    m = Scale()
    m(3.0).backward()
    assert m.k.grad == 3.0
    m.zero_grad()
    assert m.k.grad == 0.0
    assert m.state_dict() == {"0": 2.0}


def test_initialisers():
    he = nn_init.he_uniform(4, 10, seed=0)
    bound = math.sqrt(6 / 4)
    assert all(abs(v) <= bound for row in he.weights for v in row)
    assert he.biases == [0.0] * 10
    xn = nn_init.xavier_normal(200, 200, seed=1)
    values = [v for row in xn.weights for v in row]
    std = math.sqrt(sum(v * v for v in values) / len(values))
    assert std == pytest.approx(math.sqrt(2 / 400), rel=0.05)
    nw = nn_init.nguyen_widrow(2, 9, seed=0)
    beta = 0.7 * 9**0.5
    assert all(math.hypot(*row) == pytest.approx(beta) for row in nw.weights)
    assert all(abs(b) <= beta for b in nw.biases) and any(b != 0 for b in nw.biases)
    zeros = MLP(2, [3, 1], init="zeros", seed=0)
    assert all(p.data == 0.0 for p in zeros.parameters())
    with pytest.raises(TypeError, match="rng must be a random.Random"):
        nn_init.uniform(2, 2, rng=42)  # type: ignore[arg-type]
    assert nn_init.uniform(3, 2, seed=4) == nn_init.uniform(3, 2, rng=random.Random(4))
