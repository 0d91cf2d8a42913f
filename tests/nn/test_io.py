"""Saving and loading: exact round trips, damaged files named field by field, interrupted saves."""

from __future__ import annotations

import json
import os

import pytest

from nn import MLP, io


@pytest.fixture
def model() -> MLP:
    m = MLP(2, [3, 2, 1], activation=["tanh", "leaky_relu"], output_activation="sigmoid", seed=0)
    # awkward floats: repr must bring every bit back
    m.layers[0].neurons[0].w[0].data = 0.1 + 0.2
    m.layers[0].neurons[0].w[1].data = 5e-324
    m.layers[0].neurons[1].w[0].data = -1.7976931348623157e308
    return m


def test_round_trip_is_exact(tmp_path, model):
    path = tmp_path / "m.json"
    io.save(model, path)
    loaded = io.load(path)
    assert loaded.state_dict() == model.state_dict()
    assert loaded.config() == model.config()
    x = [0.3, -0.8]
    assert loaded(x).data == model(x).data
    assert io.load(path, fused=False).layers[0].neurons[0].fused is False
    document = json.loads(path.read_text())
    assert document["format"] == "gradstep-mlp" and document["version"] == 1
    no_bias = MLP(3, [2], bias=False, seed=1)
    io.save(no_bias, tmp_path / "nb.json")
    assert io.load(tmp_path / "nb.json").state_dict() == no_bias.state_dict()


def _damage(tmp_path, model, edit) -> str:
    path = tmp_path / "m.json"
    io.save(model, path)
    text = path.read_text()
    path.write_text(edit(text))
    return str(path)


def _set(document_edit):
    def edit(text: str) -> str:
        document = json.loads(text)
        document_edit(document)
        return json.dumps(document)

    return edit


W = "layers.0.neurons.0.w.1"
P = rf"parameters\['{W}'\]"


def _weight(json_text: str):
    """Write ``json_text`` in place of parameter W's value."""
    return lambda t: t.replace(f'"{W}": 5e-324', f'"{W}": {json_text}')


def _arch(change):
    return _set(lambda d: change(d["architecture"]))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t[: len(t) // 2], r"not valid JSON .*line \d+, column \d+.*truncated"),
        (lambda t: "", "not valid JSON"),
        (_weight("NaN"), P + r".*NaN \(not a finite number\)"),
        (_weight("Infinity"), P + ".*Infinity"),
        (_weight("-Infinity"), P + ".*-Infinity"),
        (_weight("1e999"), P + ".*1e999"),
        (_weight("true"), P + " must be a finite number, got boolean"),
        (_weight('"0.5"'), P + ".*got string"),
        (_weight("1" + "0" * 400), P + " is too large"),
        (_weight(f'5e-324, "{W}": 1.0'), f"duplicate key '{W}'"),
        (_set(lambda d: d["parameters"].pop(W)), "architecture has 20 parameters, the file 19"),
        (_set(lambda d: d["parameters"].update({"layers.0.neurons.0.w.9": d["parameters"].pop(W)})),
         r"parameters: .*missing layers.0.neurons.0.w.1.*unexpected layers.0.neurons.0.w.9"),
        (_set(lambda d: d.update(version=2)), r"version: unsupported version 2"),
        (_set(lambda d: d.update(version=True)), r"version must be an integer, got boolean"),
        (_set(lambda d: d.update(version="1")), r"version must be an integer, got string"),
        (_set(lambda d: d.pop("version")), r"missing field\(s\) version"),
        (_set(lambda d: d.update(format="pickle")), r"format: expected 'gradstep-mlp'"),
        (_set(lambda d: d.update(extra=1)), r"unknown field\(s\) 'extra'"),
        (_arch(lambda a: a.update(nin=0)), r"architecture.nin must be at least 1"),
        (_arch(lambda a: a.update(nin=2.0)), r"architecture.nin must be an integer, got number"),
        (_arch(lambda a: a["nouts"].__setitem__(1, False)), r"architecture.nouts\[1\] must be an integer"),
        (_arch(lambda a: a.update(nouts=[])), r"architecture.nouts must be a non-empty list"),
        (_arch(lambda a: a.update(nouts=[3, 2, 10**9])), "has 3000000017 parameters, the file 20"),
        (_arch(lambda a: a["activations"].__setitem__(0, "gelu")), r"activations\[0\]: unknown activation"),
        (_arch(lambda a: a["activations"].pop()), r"activations must list one activation per layer"),
        (_arch(lambda a: a.update(bias=1)), r"architecture.bias must be true or false"),
        (_set(lambda d: d.update(parameters=[1.0])), r"parameters must be a JSON object"),
        (lambda t: "[1, 2]", r"the file must be a JSON object"),
    ],
)  # fmt: skip
def test_damaged_files_give_clear_errors(tmp_path, model, edit, message):
    path = _damage(tmp_path, model, edit)
    with pytest.raises(io.ModelFileError, match=message) as info:
        io.load(path)
    assert str(path) in str(info.value)  # the message also names the file


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(io.ModelFileError, match="not a UTF-8 text file"):
        io.load(path)
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "nothing.json")
    with pytest.raises(TypeError, match="nn.MLP"):
        io.save(object(), tmp_path / "x.json")  # type: ignore[arg-type]


@pytest.mark.parametrize("where", ["replace", "dump"])
def test_interrupted_save_keeps_the_old_file_and_leaves_no_temp(tmp_path, model, monkeypatch, where):
    path = tmp_path / "m.json"
    io.save(model, path)
    old = path.read_bytes()
    changed = MLP(2, [3, 2, 1], seed=99)

    if where == "replace":

        def fail(*args, **kwargs):
            raise OSError("disk vanished")

        monkeypatch.setattr(os, "replace", fail)
    else:
        real_dump = json.dump

        def half_dump(obj, fp, **kwargs):  # write part of the file, then crash
            fp.write(json.dumps(obj, **kwargs)[:100])
            raise KeyboardInterrupt

        monkeypatch.setattr(json, "dump", half_dump)
        assert real_dump is not half_dump
    with pytest.raises((OSError, KeyboardInterrupt)):
        io.save(changed, path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["m.json"]
    assert io.load(path).state_dict() == model.state_dict()
