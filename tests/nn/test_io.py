"""Saving and loading: exact round trips, damaged files named field by field, interrupted saves."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import tracemalloc

import pytest

from autograd import Value, files
from nn import MLP, io
from tests.conftest import import_or_fail
from tests.nn.careless import child_env, ctrl_c_at, killed_mid_write, put


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
        (lambda t: "", r"the file is empty \(or only blank\); was its save interrupted"),
        (lambda t: " \n", "the file is empty"),
        (_weight("NaN"), P + r".*NaN \(not a finite number\)"),
        (_weight("Infinity"), P + ".*Infinity"),
        (_weight("-Infinity"), P + ".*-Infinity"),
        (_weight("1e999"), P + ".*1e999"),
        (_weight("true"), P + " must be a finite number, got boolean"),
        (_weight('"0.5"'), P + ".*got string"),
        (_weight("1" + "0" * 400), P + r" must be a finite number, got 1000.*\(too large for a float\)"),
        (_weight("9" * 5000), P + r" must be a finite number, got 9999.*5,000 characters\) \(too large"),
        (_weight("-" + "9" * 5000), P + r" must be a finite number, got -999.* \(too large"),
        (_weight("9" * 5000 + ".5"), P + r" .*too large for a float"),
        (_weight("1e5" + "0" * 5000), P + r" .*too large for a float"),
        (_weight("null"), P + r" must be a finite number, got null"),
        (_weight("[0.5]"), P + r" must be a finite number, got array of 1 item"),
        (_weight('{"a": 1}'), P + r" must be a finite number, got object with 1 field"),
        (_set(lambda d: d.update(version=int("9" * 300))),
         r"version: unsupported version 9999.*\(300 characters\) \(this"),
        (lambda t: t.replace('"version": 1', '"version": ' + "1" * 5000),
         r"version must be an integer, got 1111.*\(too large for a float\)"),
        (lambda t: t.replace('"version": 1', '"version": 1, "version": 1'), "duplicate key 'version'"),
        (lambda t: t.replace('"bias": true', '"bias": true, "bias": false'), "duplicate key 'bias'"),
        (_arch(lambda a: a["activations"].__setitem__(0, ["relu"])),
         r"activations\[0\]: unknown activation array of 1 item"),
        (_arch(lambda a: a["activations"].__setitem__(0, {"relu": 1})),
         r"activations\[0\]: unknown activation object"),
        (_arch(lambda a: a["nouts"].__setitem__(0, [3])),
         r"architecture.nouts\[0\] must be an integer, got array"),
        (_arch(lambda a: a.update(nin=10**300)),
         r"architecture has 3000.*\(301 characters\) parameters, the file 20"),
        (_set(lambda d: d.update({"x" * 10**6: 1})),
         r"unknown field\(s\) 'xxxxxxxx.*1,000,002 characters\)$"),
        (_weight(f'5e-324, "{W}": 1.0'), f"duplicate key '{W}'"),
        (_set(lambda d: d["parameters"].pop(W)), "architecture has 20 parameters, the file 19"),
        (_set(lambda d: d["parameters"].update({"layers.0.neurons.0.w.9": d["parameters"].pop(W)})),
         r"parameters: .*missing 'layers.0.neurons.0.w.1'.*unexpected 'layers.0.neurons.0.w.9'"),
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
    assert len(str(info.value)) < len(str(path)) + 400  # one readable line, whatever the file holds


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


# --- hostile and careless files -------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize(
    "start, message",
    [
        ("", r"deep.json: the file must be a JSON object \(\{...\}\), got an array"),
        ('{"a": ', r"deep.json: a: nested more deeply than a weights file, which is 3 levels deep"),
        ('{"format": ', r"deep.json: format: nested more deeply"),
        ('{"architecture": {"nouts": ', r"deep.json: architecture.nouts\[0\]: nested more deeply"),
    ],
)
def test_deeply_nested_file_is_a_model_file_error(tmp_path, depth, start, message):
    path = tmp_path / "deep.json"
    path.write_text(start + "[" * depth + "]" * depth + "}" * start.count("{"))
    with pytest.raises(io.ModelFileError, match=message):
        io.load(path)


# What json.loads built before any check, for 63 MiB (the default limit is 64): 1.6 GB for
# [[],[],…]. Each is refused as soon as it shows what it is, whatever follows.
HOSTILE = {
    "lists": ("[", "[]", ",", "]"),
    "nested lists": ('{"format": [', "[]", ",", "]}"),
    "unknown fields": ("{", '"a{i}": 0', ",", "}"),
    "odd parameter names": ('{"parameters": {', '"w{i}": 0', ",", "}}"),
    "a big value": ('{"version": {', '"a{i}": 0', ",", "}}"),
    "more layers than the file has room for": ('{"architecture": {"nouts": [', "1", ",", "]}}"),
    "layer sizes that are not sizes": ('{"architecture": {"nouts": [', "1.5", ",", "]}}"),
    "layer sizes that are strings": ('{"architecture": {"activations": [', '"ab"', ",", "]}}"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_what_cannot_be_a_weights_file_is_refused_before_it_is_read_whole(tmp_path, kind):
    start, item, comma, end = HOSTILE[kind]
    path = tmp_path / "hostile.json"
    path.write_text(start + comma.join(item.format(i=i) for i in range(200_000)) + end)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with pytest.raises(io.ModelFileError) as info:
            io.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * size  # the bytes and the text: nothing built from them (json.loads: 20×)
    assert len(str(info.value)) < len(str(path)) + 400


def test_a_real_weights_file_takes_a_small_multiple_of_its_size(tmp_path):
    model = MLP(30, [30, 30, 1], seed=0)
    path = tmp_path / "m.json"
    io.save(model, path)
    tracemalloc.start()
    try:
        document = io._parse(io._read(str(path), io.DEFAULT_MAX_BYTES), "m.json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(document["parameters"]) == model.num_parameters()
    assert peak < 6 * path.stat().st_size


def test_the_reader_keeps_the_numbers_json_reads(tmp_path, model):
    """The reader reads each number with json's own scanner: the same floats, bit for bit."""
    path = tmp_path / "m.json"
    io.save(model, path)
    text = path.read_text()
    assert io._parse(text, "m.json") == json.loads(text)
    compact = json.dumps(json.loads(text), separators=(",", ":"))
    assert io._parse(compact, "m.json") == json.loads(text)
    numbers = ["-0", "-0.0", "0.5e-3", "1E5", "12", "-7e+2", "5e-324", "1.7976931348623157e308", "0.1"]
    odd = (
        '{"parameters": {'
        + ",".join(f'\n\t"layers.0.neurons.{k}.b" :  {n} ' for k, n in enumerate(numbers))
        + "}}"
    )
    expected = json.loads(odd)
    assert repr(io._parse(odd, "odd.json")) == repr(expected)  # -0.0 stays -0.0, 12 an int


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, model, monkeypatch):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(2**30)  # sparse: 1 GiB on paper, no disk used
    read = []
    real_fdopen = os.fdopen

    def spying_fdopen(*args, **kwargs):
        f = real_fdopen(*args, **kwargs)
        real_read = f.read
        f.read = lambda *a: read.append(a) or real_read(*a)  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(os, "fdopen", spying_fdopen)
    with pytest.raises(io.ModelFileError) as info:
        io.load(path)
    message = str(info.value)
    assert "huge.json: the file is 1,073,741,824 bytes, more than max_bytes=67,108,864" in message
    assert "load it with nn.load(path, max_bytes=1024 * 2**20)" in message
    assert read == []  # refused on the size alone
    monkeypatch.undo()

    # the suggested limit works, and a limit below a real file's size is named
    small = tmp_path / "small.json"
    io.save(model, small)
    size = small.stat().st_size
    with pytest.raises(io.ModelFileError, match=rf"is {size:,} bytes, more than max_bytes={size - 1:,}"):
        io.load(small, max_bytes=size - 1)
    assert io.load(small, max_bytes=size).state_dict() == model.state_dict()
    assert io.DEFAULT_MAX_BYTES // io.BYTES_PER_PARAMETER > 1_000_000  # documented: ~1M parameters


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux's /proc")
def test_a_file_whose_size_is_unknown_is_read_only_up_to_the_limit():
    # /proc files report size 0 and hold more: only the bounded read can notice
    with pytest.raises(io.ModelFileError, match=r"maps: the file holds more than max_bytes=100 "):
        io.load("/proc/self/maps", max_bytes=100)


@pytest.mark.parametrize(
    "max_bytes, error, message",
    [
        (True, TypeError, "max_bytes must be an int"),
        ("1", TypeError, "got str"),
        (0, ValueError, "at least 1"),
    ],
)
def test_max_bytes_is_checked(tmp_path, model, max_bytes, error, message):
    io.save(model, tmp_path / "m.json")
    with pytest.raises(error, match=message):
        io.load(tmp_path / "m.json", max_bytes=max_bytes)
    with pytest.raises(TypeError, match="fused must be True or False, got str: 'no'"):
        io.load(tmp_path / "m.json", fused="no")  # type: ignore[arg-type]  (bool("no") is True)


def test_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    # a pipe must not block the open (nobody will ever write to it): run with a deadline
    code = f"import nn\ntry:\n    nn.load({str(fifo)!r})\nexcept nn.io.ModelFileError as e:\n    print(e)"
    done = _python(code)
    assert "pipe.json: not a regular file (a pipe, device or socket)" in done.stdout, done.stderr
    with pytest.raises(io.ModelFileError, match="/dev/zero: not a regular file"):
        io.load("/dev/zero")
    with pytest.raises(IsADirectoryError, match="is a folder, not a weights file"):
        io.load(tmp_path)


def test_byte_order_mark_is_accepted(tmp_path, model):
    path = tmp_path / "bom.json"
    io.save(model, path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert io.load(path).state_dict() == model.state_dict()


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a child Python, with a deadline (a hang fails the test instead of the run)."""
    command = [sys.executable, "-c", code]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=child_env())


# Loading took 16 s for 10k parameters and 66 s for 20k (a set of names rebuilt per key). Linear,
# the same work on 58k parameters takes about a second; quadratic, minutes. Run in a child process
# with a deadline, so that the test fails rather than hangs, without timing anything.
LINEAR_LOAD = """
import nn
model = nn.MLP(240, [240, 1], seed=0)
assert model.num_parameters() == 58_081
state = model.state_dict()
model.load_state_dict(state)
if {through_file}:
    nn.save(model, {path!r})
    assert nn.load({path!r}).state_dict() == state
print("ok")
"""


@pytest.mark.parametrize("through_file", [False, True])
def test_loading_is_not_quadratic(tmp_path, through_file):
    code = LINEAR_LOAD.format(through_file=through_file, path=str(tmp_path / "big.json"))
    done = _python(code)
    assert done.stdout.strip() == "ok", done.stderr


# --- saving: validation, paths, leftovers ---------------------------------------------------


def _bad_values():
    numpy = import_or_fail("numpy")
    return [
        (math.nan, ValueError, "must be finite, got nan"),
        (math.inf, ValueError, "must be finite, got inf"),
        (-math.inf, ValueError, "must be finite, got -inf"),
        (True, TypeError, "must be a number, got bool: True"),
        (Value(0.5), TypeError, "must be a number, got Value"),
        (numpy.array([0.5]), TypeError, "must be a number, got ndarray"),
        (numpy.float32(0.5), TypeError, "must be a number, got float32"),
        ("0.5", TypeError, "must be a number, got str"),
        (10**400, ValueError, "is too large for a float"),
    ]


def test_save_names_a_bad_weight_and_keeps_the_previous_file(tmp_path, model):
    path = tmp_path / "m.json"
    io.save(model, path)
    old = path.read_bytes()
    weight = model.layers[1].neurons[1].w[2]
    for value, error, message in _bad_values():
        if not put(weight, "data", value):
            continue
        with pytest.raises(error, match=r"^save: parameter w\[1,1,2\] \(layers.1.neurons.1.w.2\) " + message):
            io.save(model, path)
        assert path.read_bytes() == old
        assert os.listdir(tmp_path) == ["m.json"]


def test_save_refuses_a_model_that_load_could_not_read(tmp_path, model):
    path = tmp_path / "m.json"
    model.layers[1].neurons.pop()  # edited by hand: layer 2 now sees one input too many
    with pytest.raises(ValueError, match=r"save: nn.load could not read this model back .* 15 .* file 16"):
        io.save(model, path)
    assert not path.exists()


def test_save_and_load_check_their_path(tmp_path, model):
    for bad in (123, None, 1.5, ["m.json"]):
        with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
            io.save(model, bad)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
            io.load(bad)  # type: ignore[arg-type]  (an int would have been read as a file descriptor)
    with pytest.raises(ValueError, match="the path is empty"):
        io.save(model, "")
    with pytest.raises(ValueError, match="the path is empty"):
        io.load("")
    with pytest.raises(ValueError, match="NUL"):
        io.save(model, "m\0.json")
    with pytest.raises(IsADirectoryError, match=r"is a folder; give a file name such as '.*model.json'"):
        io.save(model, tmp_path)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        io.save(model, str(tmp_path / "new") + os.sep)
    with pytest.raises(FileNotFoundError, match=r"cannot write '.*m.json': .*the folder does not exist"):
        io.save(model, tmp_path / "nowhere" / "m.json")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match="save: cannot write"):
        io.save(model, tmp_path / "file" / "m.json")
    io.save(model, os.fsencode(tmp_path / "bytes.json"))
    assert io.load(os.fsencode(tmp_path / "bytes.json")).state_dict() == model.state_dict()


def test_save_replaces_only_writable_regular_files(tmp_path, model, monkeypatch):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # as /dev/null would be, for root: os.replace would put a file in its place
    with pytest.raises(OSError, match=r"pipe.json' exists and is not a regular file"):
        io.save(model, fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    locked = tmp_path / "locked.json"
    io.save(model, locked)
    old = locked.read_bytes()
    locked.chmod(0o444)
    with pytest.raises(PermissionError, match=r"locked.json' is read-only; make it writable"):
        io.save(MLP(2, [3, 2, 1], seed=3), locked)
    assert locked.read_bytes() == old
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"does not expand '~': use os.path.expanduser"):
        io.save(model, "~/no-such-folder/m.json")
    assert sorted(os.listdir(tmp_path)) == ["locked.json", "pipe.json"]


def test_unreadable_folder_is_named(tmp_path, model, monkeypatch):
    path = tmp_path / "m.json"
    io.save(model, path)
    old = path.read_bytes()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)  # what a read-only folder does (root ignores chmod)
    with pytest.raises(PermissionError, match=r"cannot create a file in '.*' \(Permission denied\)"):
        io.save(model, path)
    monkeypatch.undo()
    assert path.read_bytes() == old


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_folder(tmp_path, model):
    folder = tmp_path / "ro"
    folder.mkdir()
    io.save(model, folder / "m.json")
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match="cannot create a file in"):
            io.save(MLP(2, [3, 2, 1], seed=5), folder / "m.json")
    finally:
        folder.chmod(0o755)
    assert io.load(folder / "m.json").state_dict() == model.state_dict()


def test_unicode_long_names_symlinks_and_permissions(tmp_path, model):
    name = tmp_path / "modèle-模型-🙂.json"
    io.save(model, name)
    assert io.load(name).state_dict() == model.state_dict()
    long = tmp_path / ("é" * 120 + ".json")  # 245 bytes: a temporary file named after it would not fit
    io.save(model, long)
    io.save(model, long)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name.name, long.name])

    target = tmp_path / "run7.json"
    link = tmp_path / "latest.json"
    io.save(MLP(2, [3, 2, 1], seed=7), target)
    link.symlink_to(target.name)
    io.save(model, link)  # follows the link: the file is replaced, the link still points at it
    assert link.is_symlink() and io.load(target).state_dict() == model.state_dict()
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("made-by-save.json")
    io.save(model, dangling)
    assert io.load(tmp_path / "made-by-save.json").state_dict() == model.state_dict()
    (tmp_path / "loop-a.json").symlink_to("loop-b.json")
    (tmp_path / "loop-b.json").symlink_to("loop-a.json")
    with pytest.raises(OSError, match="cannot write .*loop-a.json': Too many levels of symbolic links"):
        io.save(model, tmp_path / "loop-a.json")
    assert (tmp_path / "loop-a.json").is_symlink()
    for loop in ("loop-a.json", "loop-b.json"):
        (tmp_path / loop).unlink()

    target.chmod(0o640)
    io.save(model, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # an existing file keeps its permissions
    umask = os.umask(0o022)
    try:
        io.save(model, tmp_path / "fresh.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "fresh.json").stat().st_mode) == 0o644  # as open() would make it


def test_threads_saving_one_path(tmp_path):
    path = tmp_path / "m.json"
    models = [MLP(3, [4, 2], seed=s) for s in range(4)]
    states = [m.state_dict() for m in models]
    errors = []

    def save_many(m):
        try:
            for _ in range(15):
                io.save(m, path)
                assert io.load(path).state_dict() in states  # never a half-written file
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=save_many, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert io.load(path).state_dict() in states
    assert os.listdir(tmp_path) == ["m.json"]


# The child saves a model, and stops inside fsync (after writing its temporary file, before the
# rename) to tell the parent it is mid-save; the parent kills it there with SIGKILL.
KILLED_SAVE = """
import os, signal, sys
import nn
def stop(fd):
    print("mid-write", flush=True)
    signal.pause()  # until the parent's SIGKILL
os.fsync = stop
nn.save(nn.MLP(2, [3, 2, 1], seed=42), sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_a_save_killed_with_sigkill_keeps_the_old_file_and_the_next_save_cleans_up(tmp_path, model):
    path = tmp_path / "m.json"
    io.save(model, path)
    old = path.read_bytes()
    pid = killed_mid_write(KILLED_SAVE, str(path))
    assert path.read_bytes() == old
    left = [p for p in os.listdir(tmp_path) if p != "m.json"]
    assert len(left) == 1
    assert re.fullmatch(rf"\.m\.json\.{files.host()}\.{pid}\.[0-9a-f]{{8}}\.tmp", left[0])

    io.save(MLP(2, [3, 2, 1], seed=1), path)  # its writer is dead: the leftover goes
    assert os.listdir(tmp_path) == ["m.json"]
    assert io.load(path).state_dict() == MLP(2, [3, 2, 1], seed=1).state_dict()


def test_which_leftovers_a_save_removes(tmp_path, model):
    host = files.host()
    dead = _dead_pid()
    hour_ago = os.stat(tmp_path).st_mtime - io.STALE_SECONDS - 60  # stale by the disk's own clock
    names = {
        # removed: a dead writer on this host; anything untouched for STALE_SECONDS; old gradstep's
        f".m.json.{host}.{dead}.0123abcd.tmp": False,
        f".m.json.{host}.1.0123abcd.tmp@old": False,
        ".m.json.k2j_x9z0.tmp@old": False,
        f".m.json.other-host.{dead}.0123abcd.tmp@old": False,
        # kept: a live writer (this process, or pid 1), another host's recent file, other targets,
        # names that only look alike, recent old-style files
        f".m.json.{host}.{os.getpid()}.0123abcd.tmp": True,
        f".m.json.{host}.1.0123abcd.tmp": True,
        f".m.json.other-host.{dead}.0123abcd.tmp": True,
        ".m.json.k2j_x9z0.tmp": True,
        f".n.json.{host}.{dead}.0123abcd.tmp@old": True,
        f".m.json.x.{host}.{dead}.0123abcd.tmp@old": True,
        f".m.json.{host}.{dead}.0123abcd.tmp.bak@old": True,
        "m.json.tmp@old": True,
        "notes.txt@old": True,
    }
    for spec in names:
        name, _, age = spec.partition("@")
        (tmp_path / name).write_text("{")
        if age:
            os.utime(tmp_path / name, (hour_ago, hour_ago))
    folder_alike = tmp_path / f".m.json.{host}.{dead}.fedc4321.tmp"
    folder_alike.mkdir()  # not a file: never touched
    io.save(model, tmp_path / "m.json")
    kept = {spec.partition("@")[0] for spec, keep in names.items() if keep}
    assert set(os.listdir(tmp_path)) == kept | {"m.json", folder_alike.name}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=60)
    return child.pid


def test_load_state_dict_of_another_architecture_says_so():
    small, big = MLP(2, [3, 1], seed=0), MLP(2, [4, 4, 1], seed=0)
    with pytest.raises(KeyError, match=r"the model has 13 parameters, the state 37"):
        small.load_state_dict(big.state_dict())


def test_ctrl_c_while_load_state_dict_writes_leaves_the_old_weights():
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    with ctrl_c_at(MLP.load_state_dict, "p.data = v", 5) as hits, pytest.raises(KeyboardInterrupt):
        model.load_state_dict(other.state_dict())
    assert len(hits) == 5 and model.state_dict() == before
