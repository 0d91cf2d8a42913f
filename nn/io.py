"""Save and load an MLP as versioned JSON: the architecture and every weight, by name.

Saving checks every weight first (a finite float; the error names the parameter), then writes a
temporary file in the same folder, flushes it to disk and renames it over the target
(``os.replace``), so a crash mid-save leaves the previous file untouched, and a file that ``load``
would refuse is never written. A symlink as the path is followed: the file it points to is
replaced and the link keeps working. A save that was killed leaves its hidden temporary file
(``.NAME.HOST.PID.RANDOM.tmp``) behind; the next save to the same path deletes such leftovers
when their writer is no longer running on this machine, or when they have not been touched for
``STALE_SECONDS`` (an hour), so two programs saving to one path at the same time never delete each
other's file in progress.

Loading refuses a file larger than ``max_bytes`` (64 MiB by default, room for about a million
parameters; pass a larger ``max_bytes`` for a bigger model) before reading it, checks the whole
file before building anything, and rejects what Python's ``json`` quietly accepts: ``NaN``,
``Infinity``, numbers too large for a float (``1e999``, a 5,000-digit integer), duplicate keys,
``true`` where a number belongs and nesting deeper than a weights file has. It reads the JSON along
the format rather than building it whole first, so what cannot be a weights file (a top level that
is not an object, a flood of unknown names, a long list where one value belongs) is refused as
soon as it shows, and memory stays a small multiple of the file's size. Every error names the
file and the field. Never pickle: a weights file is data, not code.

>>> import tempfile, os
>>> from nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save(model, path)
>>> load(path).state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import stat
from collections.abc import Callable, Mapping
from typing import Any

from autograd.extend import STALE_SECONDS, create_temp, remove_stale_temps

from .checks import is_int, is_real
from .module import ACTIVATIONS, MLP, check_number

__all__ = ["DEFAULT_MAX_BYTES", "FORMAT", "STALE_SECONDS", "VERSION", "ModelFileError", "load", "save"]

FORMAT = "gradstep-mlp"
VERSION = 1
_TOP_KEYS = ("format", "version", "architecture", "parameters")
_ARCH_KEYS = ("nin", "nouts", "activations", "bias")

# One saved weight is a line such as `  "layers.1.neurons.12.w.3": -0.12345678901234567,`: about
# 50 bytes for small models and 60 for big ones, so 64 MiB holds about a million parameters, far
# more than a scalar engine trains in reasonable time, while a damaged or hostile file is refused
# before it can take the memory of a notebook.
BYTES_PER_PARAMETER = 60
DEFAULT_MAX_BYTES = 64 * 2**20

# An integer literal longer than this is too large for a float (which ends near 1.8e308), so it is
# refused without converting it: int() of a long digit string is slow and limited by
# sys.set_int_max_str_digits (4300 digits by default, never below 640).
_MAX_INT_DIGITS = 400


class ModelFileError(ValueError):
    """A weights file that cannot be loaded; the message names the file and the field."""


def _document(model: MLP) -> dict[str, Any]:
    """The JSON document for ``model``, after checking that ``load`` would accept it."""
    if not isinstance(model, MLP):
        raise TypeError(f"save() writes an nn.MLP, got {type(model).__name__}")
    parameters: dict[str, float] = {}
    for name, p in model.named_parameters():
        try:
            parameters[name] = check_number(p.data, f"parameter {_clip(str(p.label))} ({name})")
        except (TypeError, ValueError) as error:
            raise type(error)(f"save: {error}; nothing was written") from None
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": model.config(),
        "parameters": parameters,
    }
    try:
        validate(document)
    except ModelFileError as error:  # e.g. layers edited by hand into an inconsistent shape
        raise ValueError(
            f"save: nn.load could not read this model back ({error}); nothing was written"
        ) from None
    return document


def save(model: MLP, path: str | os.PathLike[str]) -> None:
    """Write ``model`` to ``path`` as JSON, atomically (the old file survives any failure).

    Floats are written with ``repr``, which reads back to exactly the same number. A weight that is
    not a finite float (``nan`` after a diverging run, a ``Value``, a ``bool``) raises an error
    naming the parameter, and nothing is written. An existing file keeps its permission bits. The
    temporary files that killed saves to this path left behind are deleted (see the module's notes).

    >>> import tempfile, os
    >>> from nn import MLP, load
    >>> model = MLP(1, [1], seed=0); path = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> save(model, path); load(path).state_dict() == model.state_dict()
    True
    >>> model.layers[0].neurons[0].w[0].data = float("nan")  # the engine refuses it already
    Traceback (most recent call last):
    ...
    ValueError: .data of Value 'w[0,0,0]' takes a finite number, got nan
    """
    shown = _path(path, "save")
    document = _document(model)
    if shown.endswith(("/", os.sep)) or os.path.isdir(shown):
        raise IsADirectoryError(
            errno.EISDIR, f"save: {shown!r} is a folder; give a file name such as "
            f"{os.path.join(shown, 'model.json')!r}"
        )  # fmt: skip
    target = _resolved(shown)
    folder, name = os.path.split(target)
    mode = _replaceable(target, shown)
    remove_stale_temps(folder, name)
    fd, tmp = create_temp(folder, name, shown, "save")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            if mode is not None and hasattr(os, "fchmod"):
                try:
                    os.fchmod(f.fileno(), mode)
                except OSError:
                    pass  # a file system without permission bits: the umask's are fine
            json.dump(document, f, indent=1, allow_nan=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.replace(tmp, target)
        except FileNotFoundError:
            if os.path.exists(os.path.dirname(tmp)) and not os.path.exists(tmp):
                raise FileNotFoundError(
                    errno.ENOENT, f"save: the temporary file {tmp!r} was deleted before it could "
                    f"replace {shown!r} (another save deletes temporary files untouched for "
                    f"{STALE_SECONDS} s); {shown!r} is unchanged, save again"
                ) from None  # fmt: skip
            raise
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)


def _resolved(shown: str) -> str:
    """The file a path names, through symlinks (so that saving replaces the file, not the link)."""
    try:
        return os.path.realpath(shown, strict=True)
    except FileNotFoundError:
        return os.path.realpath(shown)  # a new file, or a link to one
    except OSError as error:  # a symlink loop: open(path, "w") would refuse it too
        raise OSError(error.errno, f"save: cannot write {shown!r}: {error.strerror}") from None


def _replaceable(target: str, shown: str) -> int | None:
    """The permission bits of the file ``save`` is about to replace (None if there is none yet).

    ``os.replace`` would as readily put a weights file in place of ``/dev/null``, a named pipe or a
    file its owner made read-only; ``open(path, "w")`` would not, and neither does ``save``.
    """
    try:
        info = os.stat(target)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise OSError(
            errno.EEXIST, f"save: {shown!r} exists and is not a regular file (a device, pipe or "
            "socket); nn.save only replaces files"
        )  # fmt: skip
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222:
        raise PermissionError(
            errno.EACCES, f"save: {shown!r} is read-only; make it writable (chmod u+w) to overwrite it"
        )
    return mode


def _path(path: object, who: str) -> str:
    """``path`` as a str, or an error saying what a path is."""
    if not isinstance(path, str | bytes | os.PathLike):
        raise TypeError(
            f"{who}: path must be a str or os.PathLike such as 'model.json', got {type(path).__name__}"
        )
    text = os.fsdecode(os.fspath(path))
    if not text:
        raise ValueError(f"{who}: the path is empty")
    if "\0" in text:
        raise ValueError(f"{who}: the path {text!r} contains a NUL character")
    return text


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

    def __init__(self, text: str, problem: str = "not a finite number") -> None:
        self.text = text
        self.problem = problem


def _parse_float(text: str) -> float | _Bad:
    number = float(text)
    return number if math.isfinite(number) else _Bad(text, "too large for a float")


def _parse_int(text: str) -> int | _Bad:
    if len(text) > _MAX_INT_DIGITS:
        return _Bad(text, "too large for a float")
    return int(text)


def _parse(text: str, where: str) -> Any:
    """The weights document in ``text``, read by ``_Reader``; any problem names ``where``."""
    try:
        return _Reader(text).document()
    except ModelFileError as error:
        raise ModelFileError(f"{where}: {error}") from None
    except json.JSONDecodeError as error:
        raise ModelFileError(
            f"{where}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
            "the file may be truncated or damaged"
        ) from None


_SCALAR = json.JSONDecoder(parse_float=_parse_float, parse_int=_parse_int, parse_constant=_Bad).raw_decode
_SPACE = re.compile(r"[ \t\n\r]*")
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[][{},]')  # a string, or what nests and separates
_NAME = re.compile(r"layers\.\d+\.neurons\.\d+\.(?:w\.\d+|b)")  # the shape of a parameter's name
_MEMBER = re.compile(  # a parameter's name and number as save() writes them, and the , or } after
    r'[ \t\n\r]*"(layers\.\d+\.neurons\.\d+\.(?:w\.\d+|b))"[ \t\n\r]*:[ \t\n\r]*'
    r"(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?[ \t\n\r]*([,}])"
)
_DEEPEST = 3  # levels of [ and { in a weights file: the file, architecture, nouts / activations
# What a weights file holds where: an object's known keys and the shapes of their values (a function:
# a list of single values, each checked by it as validate checks it; a pattern: an object whose keys
# have that form; None: a single value).
_FORMAT = {
    "format": None,
    "version": None,
    "architecture": {
        "nin": None,
        "nouts": lambda value, field: _int(value, field, 1),
        "activations": lambda value, field: _activation(value, field),
        "bias": None,
    },
    "parameters": _NAME,
}
# Each layer has a parameter, and each parameter takes at least this many bytes of the file
# ("layers.0.neurons.0.b":0,), so a file of n bytes describes at most n // 24 layers.
_LEAST_BYTES_PER_LAYER = 24
_SMALL = 200  # tokens in a container that stands where a single value belongs and is still read
_STRAYS = 3  # unknown names read (for validate's message) before the file is refused


class _Skipped:
    """A container where the format has a single value: read past, never built (validate names it)."""

    def __init__(self, kind: str, items: int) -> None:
        self.kind = kind
        self.items = items


class _Reader:
    """Reads a weights file's JSON along the format, one value at a time, so that what cannot be a
    weights file is refused as soon as it shows, and memory stays a small multiple of the file.

    ``json.loads`` builds the whole document first: 63 MiB of ``[[],[],…]`` took 1.6 GB and 7 s
    before any check. Here the top level must be an object; containers are built only where the
    format has them (``architecture``, ``parameters``, ``nouts``, ``activations``) and nest at most
    3 levels; a parameter is named like ``layers.0.neurons.0.w.0`` (at least 20 characters in the
    file for each entry kept); anything else is read as a single value (a small stray container
    as a placeholder) and then judged by ``validate``, whose messages stay the same.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def document(self) -> Any:
        if self._next() == "[":
            raise ModelFileError("the file must be a JSON object ({...}), got an array; not a weights file")
        document = self._value("the file", 0, _FORMAT)
        if self._next():
            raise json.JSONDecodeError("Extra data", self.text, self.at)
        return document

    def _next(self) -> str:
        """The next character that is not white space ('' at the end)."""
        self.at = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
        return self.text[self.at : self.at + 1]

    def _expect(self, char: str) -> None:
        if self._next() != char:
            raise json.JSONDecodeError(f"Expecting {char!r} delimiter", self.text, self.at)
        self.at += 1

    def _value(self, field: str, depth: int, shape: Any = None) -> Any:
        """The value at the cursor: an object of the keys ``shape`` lists (a dict names the shapes of
        their values; a pattern admits keys of that form), a list of single values (``shape`` is
        a function that checks each), or a single value (None)."""
        char = self._next()
        if char == "{" and isinstance(shape, dict | re.Pattern):
            return self._object(field, depth + 1, shape)
        if char == "[" and callable(shape):
            return self._list(field, depth + 1, shape)
        if char in ("[", "{"):
            return self._skip(field, depth)
        value, self.at = _SCALAR(self.text, self.at)  # a string or a number: never nested
        return value

    def _object(self, field: str, depth: int, shape: dict | re.Pattern) -> dict[str, Any]:
        self.at += 1
        found: dict[str, Any] = {}
        strays: list[str] = []
        if self._next() == "}":
            self.at += 1
            return found
        while True:
            if isinstance(shape, re.Pattern) and self._members(found):
                return found
            if self._next() != '"':
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes", self.text, self.at
                )
            key, self.at = _SCALAR(self.text, self.at)
            known = shape.fullmatch(key) if isinstance(shape, re.Pattern) else key in shape
            if not known:
                strays.append(key)
                if len(strays) > _STRAYS:  # a flood of names the format does not have
                    where = "parameters" if isinstance(shape, re.Pattern) else field
                    raise ModelFileError(f"{where}: unknown field(s) {_listed(strays)}")
            if key in found:
                raise ModelFileError(f"duplicate key {_clip(repr(key))}")
            self._expect(":")
            if isinstance(shape, re.Pattern):  # a parameter: a number (the loop of big files)
                if self._next() in ("[", "{"):
                    found[key] = self._skip(f"{field}[{_clip(repr(key))}]", depth)
                else:
                    found[key], self.at = _SCALAR(self.text, self.at)
            else:
                name = key if field == "the file" else f"{field}.{key}"
                found[key] = self._value(name, depth, shape.get(key))
            if self._next() == ",":
                self.at += 1
                continue
            self._expect("}")
            return found

    def _members(self, found: dict[str, Any]) -> bool:
        """Read members of the form save() writes (``"layers.0.neurons.0.w.0": -0.5``) at regex
        speed, as json reads them (its number grammar and hooks); True when the object closed.
        Anything else is left to the general loop, which reads it or says what is wrong."""
        text, at = self.text, self.at
        while match := _MEMBER.match(text, at):
            name, integer, fraction, exponent, after = match.groups()
            if name in found:
                raise ModelFileError(f"duplicate key {_clip(repr(name))}")
            if fraction or exponent:
                found[name] = _parse_float(integer + (fraction or "") + (exponent or ""))
            else:
                found[name] = _parse_int(integer)
            at = match.end()
            if after == "}":
                self.at = at
                return True
        self.at = at
        return False

    def _list(self, field: str, depth: int, check: Callable[[Any, str], Any]) -> list[Any]:
        """A list of single values, each checked by ``check``; its length is bounded before it is read."""
        text, start = self.text, self.at
        end = text.find("]", start)  # the end, unless a string in the list holds a "]"
        most = len(text) // _LEAST_BYTES_PER_LAYER
        if end >= 0 and text.count(",", start, end) >= most:
            raise ModelFileError(
                f"{field} lists more than {most:,} layers, more than a file of {len(text):,} characters "
                f"has room for (each layer has a parameter of {_LEAST_BYTES_PER_LAYER} or more)"
            )
        if end >= 0 and not any(text.find(char, start + 1, end) >= 0 for char in '"[{'):
            items, self.at = _SCALAR(text, start)  # only numbers: json's own loop, at C speed
        else:
            items, self.at = self._items(field, depth)
        return [check(item, f"{field}[{i}]") for i, item in enumerate(items)]

    def _items(self, field: str, depth: int) -> tuple[list[Any], int]:
        self.at += 1
        items: list[Any] = []
        if self._next() == "]":
            return items, self.at + 1
        while True:
            items.append(self._value(f"{field}[{len(items)}]", depth))
            if self._next() == ",":
                self.at += 1
                continue
            self._expect("]")
            return items, self.at

    def _skip(self, field: str, depth: int) -> _Skipped:
        """Read past a container where the format has a single value; refuse a deep or large one."""
        start = self.at
        kind = "array" if self.text[start] == "[" else "object"
        level = commas = 0
        for count, token in enumerate(_TOKEN.finditer(self.text, start)):
            char = token[0][0]
            if char in "[{":
                level += 1
                if depth + level > _DEEPEST + 1:  # one stray level is named by validate
                    raise ModelFileError(
                        f"{field}: nested more deeply than a weights file, which is 3 levels deep; "
                        "this is not one"
                    )
            elif char in "]}":
                level -= 1
                if level == 0:
                    empty = self.text[_SPACE.match(self.text, start + 1).end()] in "]}"  # type: ignore[union-attr]
                    self.at = token.end()
                    return _Skipped(kind, 0 if empty else commas + 1)
            elif char == "," and level == 1:
                commas += 1
            if count > _SMALL:
                raise ModelFileError(
                    f"{field}: a large JSON {kind} where a weights file has a single value; not a "
                    "weights file"
                )
        raise json.JSONDecodeError(f"Unterminated {kind}", self.text, start)


def _int(value: Any, field: str, least: int) -> int:
    if not is_int(value):
        raise ModelFileError(f"{field} must be an integer, got {_shown(value)}")
    if value < least:
        raise ModelFileError(f"{field} must be at least {least}, got {_clip(str(value))}")
    return value


def _activation(value: Any, field: str) -> str:
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise ModelFileError(
            f"{field}: unknown activation {_shown(value)}; expected one of {', '.join(ACTIVATIONS)}"
        )
    return value


def _number(value: Any, field: str) -> float:
    if not is_real(value):
        raise ModelFileError(f"{field} must be a finite number, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ModelFileError(
            f"{field} must be a finite number, got {_clip(str(value))} (too large for a float)"
        ) from None
    if not math.isfinite(number):  # only from save(): the parser turns these into _Bad
        raise ModelFileError(f"{field} must be a finite number, got {number!r}")
    return number


def _clip(text: str, most: int = 40) -> str:
    """``text``, or its start and its length when it is long (messages stay one line long)."""
    return text if len(text) <= most else f"{text[: most - 10]}... ({len(text):,} characters)"


def _shown(value: Any) -> str:
    """What a JSON value is, in a few words, whatever its size or depth."""
    if isinstance(value, _Bad):
        return f"{_clip(value.text)} ({value.problem})"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"string {_clip(json.dumps(value[:41]))}"
    if isinstance(value, list | dict | _Skipped):
        kind = value.kind if isinstance(value, _Skipped) else "array" if isinstance(value, list) else "object"
        items = value.items if isinstance(value, _Skipped) else len(value)
        return f"array of {items} item(s)" if kind == "array" else f"object with {items} field(s)"
    return f"number {_clip(repr(value))}"


def _listed(names: list[Any], most: int = 3) -> str:
    shown = ", ".join(_clip(repr(n)) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _keys(obj: Any, field: str, expected: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        raise ModelFileError(f"{field} must be a JSON object, got {_shown(obj)}")
    missing = [k for k in expected if k not in obj]
    if missing:
        raise ModelFileError(f"{field}: missing field(s) {', '.join(missing)}")
    unknown = [k for k in obj if k not in expected]
    if unknown:
        raise ModelFileError(f"{field}: unknown field(s) {_listed(unknown)}")
    return obj


def validate(document: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """Check a parsed weights document completely; return ``(architecture, parameters)``.

    Time and memory are linear in the size of the document.

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
            f"version: unsupported version {_clip(str(version))} (this gradstep reads version {VERSION})"
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
        _activation(a, f"architecture.activations[{i}]")
    if not isinstance(arch["bias"], bool):
        raise ModelFileError(f"architecture.bias must be true or false, got {_shown(arch['bias'])}")
    architecture = {"nin": nin, "nouts": nouts, "activations": list(activations), "bias": arch["bias"]}

    params = top["parameters"]
    if not isinstance(params, dict):
        raise ModelFileError(f"parameters must be a JSON object of name -> number, got {_shown(params)}")
    sizes = [nin, *nouts]
    count = sum((sizes[i] + architecture["bias"]) * sizes[i + 1] for i in range(len(nouts)))
    if count != len(params):  # checked before listing names, so a huge claimed size costs nothing
        raise ModelFileError(
            f"parameters: the architecture has {_clip(str(count))} parameters, the file {len(params)}"
        )
    names = _parameter_names(architecture)
    known = set(names)  # built once: a set per key made loading quadratic
    missing = [n for n in names if n not in params]
    unknown = [n for n in params if n not in known]
    if missing or unknown:
        detail = []
        if missing:
            detail.append(f"missing {_listed(missing)}")
        if unknown:
            detail.append(f"unexpected {_listed(unknown)}")
        raise ModelFileError(
            f"parameters: the architecture has {len(names)} parameters, the file {len(params)} "
            f"({'; '.join(detail)})"
        )
    values = {name: _number(params[name], f"parameters[{name!r}]") for name in names}
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


def load(path: str | os.PathLike[str], *, fused: bool = True, max_bytes: int = DEFAULT_MAX_BYTES) -> MLP:
    """Read a file written by ``save`` and build the MLP it describes.

    Raises ``ModelFileError`` (a ``ValueError``) naming the file and the field for anything that
    is not exactly a valid weights file; nothing is built until the whole file has been checked.
    A file larger than ``max_bytes`` (64 MiB, about a million parameters) is refused before it is
    read; pass a larger ``max_bytes`` to load a bigger model you trust. A file that cannot be a
    weights file is refused as soon as that shows (its top level must be an object), with memory
    a small multiple of the file's size (a hostile 63 MiB file: about 0.3 s and 150 MB).

    >>> import tempfile, os
    >>> from nn import MLP
    >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> save(MLP(2, [3, 1], seed=0), path)
    >>> load(path, max_bytes=100)
    Traceback (most recent call last):
    ...
    nn.io.ModelFileError: ...m.json: the file is 752 bytes, more than max_bytes=100 ...
    """
    where = _path(path, "load")
    if not isinstance(fused, bool):
        raise TypeError(f"load: fused must be True or False, got {type(fused).__name__}: {fused!r}")
    if not is_int(max_bytes):
        raise TypeError(f"load: max_bytes must be an int (a number of bytes), got {type(max_bytes).__name__}")
    if max_bytes < 1:
        raise ValueError(f"load: max_bytes must be at least 1, got {max_bytes}")
    document = _parse(_read(where, max_bytes), where)
    try:
        architecture, values = validate(document)
    except ModelFileError as error:
        raise ModelFileError(f"{where}: {error}") from None
    model = MLP.from_config(architecture, fused=fused)
    model.load_state_dict(values)
    return model


def _read(where: str, max_bytes: int) -> str:
    """The text of the file at ``where``, refusing what is not a regular file or is too large.

    The size is checked on the open file before reading (``O_NONBLOCK`` keeps a named pipe from
    blocking the open), and the read itself stops one byte past the limit, for files that grow or
    whose size the system does not know (as in ``/proc``).
    """
    fd = os.open(where, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, f"load: {where!r} is a folder, not a weights file")
        if not stat.S_ISREG(info.st_mode):
            raise ModelFileError(f"{where}: not a regular file (a pipe, device or socket)")
        if info.st_size > max_bytes:
            raise ModelFileError(_too_large(where, f"is {info.st_size:,} bytes,", max_bytes, info.st_size))
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        # its size and one byte more (read(max_bytes + 1) would allocate max_bytes whatever the file)
        wanted = min(info.st_size, max_bytes) + 1
        raw = bytearray(f.read(wanted))
        while len(raw) == wanted <= max_bytes:  # a file that grew, or of unknown size (as in /proc)
            wanted = min(len(raw) + 2**16, max_bytes + 1)
            raw += f.read(wanted - len(raw))
    if len(raw) > max_bytes:
        # the size was unknown (as in /proc) or the file grew after it was measured
        raise ModelFileError(_too_large(where, "holds", max_bytes, 2 * max_bytes))
    if not raw.strip():
        raise ModelFileError(f"{where}: the file is empty (or only blank); was its save interrupted?")
    try:
        return raw.decode("utf-8-sig")  # a byte order mark, as some editors write, is harmless
    except UnicodeDecodeError as error:
        raise ModelFileError(f"{where}: not a UTF-8 text file ({error.reason})") from None


def _too_large(where: str, size: str, max_bytes: int, needed: int) -> str:
    mib = -(-needed // 2**20)
    return (
        f"{where}: the file {size} more than max_bytes={max_bytes:,} (room for about "
        f"{max_bytes // BYTES_PER_PARAMETER:,} parameters at ~{BYTES_PER_PARAMETER} bytes each); "
        f"if it is a model you trust, load it with nn.load(path, max_bytes={mib} * 2**20)"
    )
