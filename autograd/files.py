"""Writing a file so that a reader never sees half of it, and so that a killed writer's leftovers go.

A file is written to a hidden temporary file next to it (``.NAME.HOST.PID.RANDOM.tmp``) and renamed
over it with ``os.replace``. A writer killed between the two leaves its temporary file behind; the
next write to the same path deletes such leftovers when their writer (by host name and process id)
is no longer running on this machine, or when nobody has touched them for ``STALE_SECONDS``, so two
programs writing one path at the same time never delete each other's file in progress. The
players' ``save`` and ``nn.save`` both write this way.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / f".page.html.{host()}.999999999.0123abcd.tmp").write_text("<p>ha")  # a dead writer's
>>> write_atomically(folder / "page.html", "<p>hi</p>").read_text(), [p.name for p in folder.iterdir()]
('<p>hi</p>', ['page.html'])
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import socket
import stat
import sys
import time
from pathlib import Path

# A temporary file untouched this long is abandoned whoever wrote it: a live save writes its file
# in one go, so even a slow disk keeps it fresh.
STALE_SECONDS = 3600


def host() -> str:
    """This machine's name as it appears in temporary files' names."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40]


def _temp_stem(name: str) -> str:
    """``name`` shortened so that a temporary file's name stays under the usual 255-byte limit."""
    while len(os.fsencode(name)) > 150:
        name = name[:-1]
    return name


def create_temp(folder: str, name: str, shown: str, who: str) -> tuple[int, str]:
    """A new, empty, hidden file next to the target, named after the target, host and process;
    errors name ``who`` (the caller) and ``shown`` (the path as the user gave it).

    ``os.open`` with mode 0o666 lets the umask decide the permissions, as for any new file
    (``tempfile.mkstemp`` would make every saved file readable by its owner only).
    """
    prefix = os.path.join(folder, f".{_temp_stem(name)}.{host()}.{os.getpid()}.")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = f"{prefix}{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as error:
            why = "the folder does not exist" if isinstance(error, FileNotFoundError) else str(error.strerror)
            if shown.startswith("~"):
                why += "; Python does not expand '~': use os.path.expanduser(path)"
            raise OSError(
                error.errno, f"{who}: cannot write {shown!r}: cannot create a file in {folder!r} ({why})"
            ) from None
    raise FileExistsError(errno.EEXIST, f"{who}: no free temporary file name in {folder!r}")


def remove_stale_temps(folder: str, name: str) -> None:
    """Delete temporary files that earlier writes to ``folder/name`` left behind (best effort).

    A file is left only by a writer that was killed. It is deleted when its writer (by host name
    and process id in its name) is no longer running on this machine, or when nobody has touched it
    for ``STALE_SECONDS``; a write in progress, in this process or another, is never disturbed.
    Temporary files of older gradstep versions (``.NAME.XXXXXXXX.tmp``) go by age only.
    """
    stem = _temp_stem(name)
    pattern = re.compile(
        rf"\.{re.escape(stem)}\.(?:(?P<host>[A-Za-z0-9-]*)\.(?P<pid>\d{{1,10}})\.[0-9a-f]{{8}}|[a-z0-9_]{{8}})\.tmp"
    )
    here, now = host(), time.time()
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            dead = match["pid"] is not None and match["host"] == here and not _running(int(match["pid"]))
            if dead or now - info.st_mtime > STALE_SECONDS:
                os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to delete


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (True when that cannot be told)."""
    if pid == os.getpid():
        return True
    if sys.platform == "emscripten":  # in a browser (pyodide) this is the only process there is
        return False
    if os.name != "posix":
        return True  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # PermissionError: alive, owned by someone else
    return True


def write_atomically(path: str | os.PathLike[str], text: str, who: str = "save") -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder and
    ``os.replace``: a reader sees the old file or the new one, never half of one. Leftovers of
    killed writes to ``path`` are deleted first (see the module's notes). The new file gets the
    usual permissions (mode 0o666 less the umask, like any file Python opens for writing).
    """
    target = Path(path)
    folder, name = str(target.parent), target.name
    remove_stale_temps(folder, name)
    handle, temporary = create_temp(folder, name, str(path), who)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
