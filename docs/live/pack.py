"""Lay out the live page (gradstep in the browser) from the pieces ``make live`` fetched.

    python docs/live/pack.py FETCHED OUT

FETCHED holds the unpacked npm packages (``npm/pyodide/``, ``npm/viz/``), Python's memory after
start-up (``snapshot.bin``, made by snapshot.js) and the wheels (``wheels/*.whl``); OUT receives
``index.html`` (the page on its own) and ``live/`` (its script, style, examples and assets), which
``docs/conf.py`` also copies into the documentation site.

A page opened as a file (file://) may not ``fetch`` anything, but it may load scripts: so every
binary (the interpreter's wasm, its standard library, Graphviz, the wheels) is stored gzipped and
base64-encoded inside a small script that hands it to the page. The same files serve a page opened
over HTTP, so there is one way of loading, and nothing is ever requested from another machine.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# name in the page -> path under FETCHED
RUNTIME = {
    "pyodide.js": "npm/pyodide/package/pyodide.js",
    "pyodide.asm.js": "npm/pyodide/package/pyodide.asm.js",
    "pyodide.asm.wasm": "npm/pyodide/package/pyodide.asm.wasm",
    "python_stdlib.zip": "npm/pyodide/package/python_stdlib.zip",
    "viz-global.js": "npm/viz/package/dist/viz-global.js",
    "snapshot.bin": "snapshot.bin",
}
SITE_PACKAGES = "site-packages.json"


def script_json(value: object) -> str:
    """JSON that is safe inside a <script>: ``</script>`` in a string cannot end it."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def asset_script(name: str, data: bytes) -> str:
    """A script that hands one file, gzipped and base64-encoded, to the page (``live.js``)."""
    packed = base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0)).decode("ascii")
    return f"self.gradstepAsset({json.dumps(name)}, {json.dumps(packed)});\n"


def ten_lines(readme: str) -> str:
    """The README's "Ten lines" example, plus the line that shows its drawing on the page."""
    section = re.search(r"^## Ten lines\n(.*?)^## ", readme, flags=re.S | re.M)
    block = section and re.search(r"```python\n(.*?)```", section.group(1), flags=re.S)
    if not block:
        raise SystemExit(
            "pack.py: README.md has no ```python block under '## Ten lines' (the page opens on it)"
        )
    return (
        "# The README's ten lines: edit them and press Run (Ctrl+Enter).\n"
        + block.group(1)
        + "draw_dot(e)                       # a drawing as the last expression shows itself below\n"
    )


def examples() -> list[dict[str, str]]:
    """The page's examples: the README's ten lines first, then docs/live/examples/*.py in order."""
    found = [{"name": "Ten lines", "code": ten_lines((ROOT / "README.md").read_text(encoding="utf-8"))}]
    for path in sorted((HERE / "examples").glob("*.py")):
        words = path.stem.split("_", 1)[1].replace("_", " ")  # "5_train_an_MLP.py": "Train an MLP"
        title = words[0].upper() + words[1:]
        found.append({"name": title, "code": path.read_text(encoding="utf-8")})
    return found


def wheels(folder: Path) -> list[Path]:
    """One wheel per distribution (the newest file if several versions were fetched over time)."""
    newest: dict[str, Path] = {}
    for path in sorted(folder.glob("*.whl"), key=lambda p: p.stat().st_mtime):
        newest[path.name.split("-")[0].lower()] = path
    missing = {"gradstep", "graphviz", "tqdm"} - set(newest)
    if missing:
        raise SystemExit(f"pack.py: no wheel for {', '.join(sorted(missing))} in {folder} (run make live)")
    return [newest[name] for name in sorted(newest)]


def site_packages(wheel_files: list[Path]) -> bytes:
    """Every file of the wheels, by its path in site-packages (base64): the page writes them into
    Python's file system directly, which is much quicker than installing the wheels there."""
    files: dict[str, str] = {}
    for path in wheel_files:
        with zipfile.ZipFile(path) as wheel:
            for name in wheel.namelist():
                if not name.endswith("/"):
                    files[name] = base64.b64encode(wheel.read(name)).decode("ascii")
    return json.dumps(files, sort_keys=True).encode()


def main(fetched: Path, out: Path) -> None:
    live = out / "live"
    shutil.rmtree(out, ignore_errors=True)
    (live / "assets").mkdir(parents=True)
    contents = {name: (fetched / path).read_bytes() for name, path in RUNTIME.items()}
    wheel_files = wheels(fetched / "wheels")
    contents[SITE_PACKAGES] = site_packages(wheel_files)
    for name, data in contents.items():
        (live / "assets" / f"{name}.js").write_text(asset_script(name, data), encoding="utf-8")
    package = json.loads((fetched / "npm/pyodide/package/package.json").read_text(encoding="utf-8"))
    lock = json.loads((fetched / "npm/pyodide/package/pyodide-lock.json").read_text(encoding="utf-8"))
    manifest = {
        "pyodide": package["version"],
        "files": list(contents),
        "wheels": [path.name for path in wheel_files],  # what site-packages.json holds
        # the lock file's header only: the page installs no package from pyodide's repository
        "lock": {"info": lock["info"], "packages": {}},
        "examples": examples(),
    }
    (live / "manifest.js").write_text(f"self.gradstepManifest = {script_json(manifest)};\n", encoding="utf-8")
    for name in ("live.js", "live.css"):
        shutil.copyfile(HERE / name, live / name)
    shutil.copyfile(HERE / "index.html", out / "index.html")
    size = sum(p.stat().st_size for p in live.rglob("*") if p.is_file())
    print(f"live page: {out / 'index.html'} ({size / 1e6:.1f} MB in {live})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
