"""Save and load an MLP as versioned JSON: the architecture and every weight, by name.

Saving writes a temporary file in the same folder, flushes it to disk and then renames it over the
target (``os.replace``), so a crash mid-save leaves the previous file untouched. Loading checks the
whole file before building anything, and rejects what Python's ``json`` quietly accepts: ``NaN``,
``Infinity``, numbers too large for a float (``1e999``), duplicate keys and ``true`` where a number
belongs. Every error names the field. Never pickle: a weights file is data, not code.

>>> import tempfile, os
>>> from nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save(model, path)
>>> load(path).state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from .module import ACTIVATIONS, MLP

__all__ = ["FORMAT", "VERSION", "ModelFileError", "load", "save"]

FORMAT = "gradstep-mlp"
VERSION = 1
_TOP_KEYS = ("format", "version", "architecture", "parameters")
_ARCH_KEYS = ("nin", "nouts", "activations", "bias")


class ModelFileError(ValueError):
    """A weights file that cannot be loaded; the message names the file and the field."""


def _document(model: MLP) -> dict[str, Any]:
    if not isinstance(model, MLP):
        raise TypeError(f"save() writes an nn.MLP, got {type(model).__name__}")
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": model.config(),
        "parameters": model.state_dict(),
    }


def save(model: MLP, path: str | os.PathLike[str]) -> None:
    """Write ``model`` to ``path`` as JSON, atomically (the old file survives any failure).

    Floats are written with ``repr``, which reads back to exactly the same number.
    """
    document = _document(model)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=1, allow_nan=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable where the platform allows it (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Bad:
    """A number JSON should not hold (NaN, Infinity, 1e999): kept so the error can name its field."""

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_float(text: str) -> float | _Bad:
    number = float(text)
    return number if math.isfinite(number) else _Bad(text)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ModelFileError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(
            text,
            parse_float=_parse_float,
            parse_constant=_Bad,  # NaN, Infinity, -Infinity
            object_pairs_hook=_no_duplicates,
        )
    except ModelFileError as error:
        raise ModelFileError(f"{where}: {error}") from None
    except json.JSONDecodeError as error:
        raise ModelFileError(
            f"{where}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
            "the file may be truncated or damaged"
        ) from None


def _int(value: Any, field: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelFileError(f"{field} must be an integer, got {_shown(value)}")
    if value < least:
        raise ModelFileError(f"{field} must be at least {least}, got {value}")
    return value


def _shown(value: Any) -> str:
    if isinstance(value, _Bad):
        return f"{value.text} (not a finite number)"
    kind = {bool: "boolean", str: "string", list: "array", dict: "object", type(None): "null"}
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):  # holds a NaN or the like deeper down
        text = "..."
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{kind.get(type(value), 'number')} {text}"


def _keys(obj: Any, field: str, expected: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        raise ModelFileError(f"{field} must be a JSON object, got {type(obj).__name__}")
    missing = [k for k in expected if k not in obj]
    if missing:
        raise ModelFileError(f"{field}: missing field(s) {', '.join(missing)}")
    unknown = [k for k in obj if k not in expected]
    if unknown:
        raise ModelFileError(f"{field}: unknown field(s) {', '.join(repr(k) for k in unknown)}")
    return obj


def validate(document: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """Check a parsed weights document completely; return ``(architecture, parameters)``.

    >>> validate({"format": "gradstep-mlp", "version": 2, "architecture": {}, "parameters": {}})
    Traceback (most recent call last):
    ...
    nn.io.ModelFileError: version: unsupported version 2 (this gradstep reads version 1)
    """
    top = _keys(document, "the file", _TOP_KEYS)
    if top["format"] != FORMAT:
        raise ModelFileError(f"format: expected {FORMAT!r}, got {_shown(top['format'])}")
    version = _int(top["version"], "version", 1)
    if version != VERSION:
        raise ModelFileError(
            f"version: unsupported version {version} (this gradstep reads version {VERSION})"
        )

    arch = _keys(top["architecture"], "architecture", _ARCH_KEYS)
    nin = _int(arch["nin"], "architecture.nin", 1)
    nouts = arch["nouts"]
    if not isinstance(nouts, list) or not nouts:
        raise ModelFileError(
            f"architecture.nouts must be a non-empty list of layer sizes, got {_shown(nouts)}"
        )
    nouts = [_int(n, f"architecture.nouts[{i}]", 1) for i, n in enumerate(nouts)]
    activations = arch["activations"]
    if not isinstance(activations, list) or len(activations) != len(nouts):
        raise ModelFileError(f"architecture.activations must list one activation per layer ({len(nouts)})")
    for i, a in enumerate(activations):
        if a not in ACTIVATIONS:
            raise ModelFileError(
                f"architecture.activations[{i}]: unknown activation {_shown(a)}; "
                f"expected one of {', '.join(ACTIVATIONS)}"
            )
    if not isinstance(arch["bias"], bool):
        raise ModelFileError(f"architecture.bias must be true or false, got {_shown(arch['bias'])}")
    architecture = {"nin": nin, "nouts": nouts, "activations": list(activations), "bias": arch["bias"]}

    params = top["parameters"]
    if not isinstance(params, dict):
        raise ModelFileError(f"parameters must be a JSON object of name -> number, got {_shown(params)}")
    sizes = [nin, *nouts]
    count = sum((sizes[i] + architecture["bias"]) * sizes[i + 1] for i in range(len(nouts)))
    if count != len(params):  # checked before listing names, so a huge claimed size costs nothing
        raise ModelFileError(f"parameters: the architecture has {count} parameters, the file {len(params)}")
    names = _parameter_names(architecture)
    missing = [n for n in names if n not in params]
    unknown = [n for n in params if n not in set(names)]
    if missing or unknown or len(params) != len(names):
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}")
        if unknown:
            detail.append(f"unexpected {', '.join(unknown[:3])}{' ...' if len(unknown) > 3 else ''}")
        raise ModelFileError(
            f"parameters: the architecture has {len(names)} parameters, the file {len(params)} "
            f"({'; '.join(detail)})"
        )
    values: dict[str, float] = {}
    for name in names:
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelFileError(f"parameters[{name!r}] must be a finite number, got {_shown(value)}")
        try:
            values[name] = float(value)
        except OverflowError:
            raise ModelFileError(f"parameters[{name!r}] is too large for a float: {value}") from None
    return architecture, values


def _parameter_names(architecture: dict[str, Any]) -> list[str]:
    """The names an MLP of this architecture has, in order, without building one."""
    names: list[str] = []
    sizes = [architecture["nin"], *architecture["nouts"]]
    for layer in range(len(sizes) - 1):
        for j in range(sizes[layer + 1]):
            prefix = f"layers.{layer}.neurons.{j}"
            names.extend(f"{prefix}.w.{i}" for i in range(sizes[layer]))
            if architecture["bias"]:
                names.append(f"{prefix}.b")
    return names


def load(path: str | os.PathLike[str], *, fused: bool = True) -> MLP:
    """Read a file written by ``save`` and build the MLP it describes.

    Raises ``ModelFileError`` (a ``ValueError``) naming the file and the field for anything that
    is not exactly a valid weights file; nothing is built until the whole file has been checked.
    """
    where = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError as error:
        raise ModelFileError(f"{where}: not a UTF-8 text file ({error.reason})") from None
    document = _parse(text, where)
    try:
        architecture, values = validate(document)
    except ModelFileError as error:
        raise ModelFileError(f"{where}: {error}") from None
    model = MLP.from_config(architecture, fused=fused)
    model.load_state_dict(values)
    return model
