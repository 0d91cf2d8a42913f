"""gradstep live: the page that `make live` builds (build/live/index.html), opened in Chromium as a
file and over HTTP on 127.0.0.1, with every request to another machine aborted and recorded.

What it shows is checked against native CPython: the README's ten lines print the same text,
bit for bit, and draw their graph; the players play to their last frame and practice mode takes
an answer; nn.fit gives the same losses; gradstep's doctests pass with the same counts as a
native run without matplotlib and torch; a runaway loop is stopped and the page keeps working;
and notebook 01's page on the site steps through live, each cell printing what native printed.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import http.server
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.browser import TEXTS_OUTSIDE_THEIR_BOXES
from tests.conftest import import_or_fail, require

ROOT = Path(__file__).parents[2]
LIVE = ROOT / "build" / "live"
EXAMPLES = ROOT / "docs" / "live" / "examples"
README_TEN_LINES = re.search(
    r"^## Ten lines\n.*?```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S | re.M
)

pytestmark = pytest.mark.usefixtures("live_build")


def packed_file(name: str) -> bytes:
    """A file as the page receives it (gzipped base64 inside a script), unpacked."""
    script = (LIVE / "live" / "assets" / f"{name}.js").read_text(encoding="ascii")
    return gzip.decompress(base64.b64decode(json.loads(script[script.index(", ") + 2 : script.rindex(")")])))


@pytest.fixture(scope="session")
def live_build() -> Path:
    """build/live, made by `make live`, carrying THIS checkout's autograd and nn."""
    require((LIVE / "live" / "manifest.js").exists(), "the live page (make live builds build/live)")
    tree = json.loads(packed_file("site-packages.json"))  # the wheels' files, as the page writes them
    code = [n for n in tree if n.startswith(("autograd/", "nn/")) and n.endswith((".py", ".js", ".css"))]
    packed = {n: base64.b64decode(tree[n]) for n in code}
    here = {
        p.relative_to(ROOT).as_posix(): p.read_bytes()
        for d in ("autograd", "nn")
        for p in (ROOT / d).rglob("*")
        if p.suffix in (".py", ".js", ".css")
    }
    stale = sorted(name for name in set(packed) | set(here) if here.get(name) != packed.get(name))
    assert not stale, f"build/live has another version of {stale[:5]}: run make live"
    return LIVE


@pytest.fixture(scope="session")
def server(live_build):
    """A local HTTP server on 127.0.0.1 for the live page and the notebook site."""
    roots: dict[str, Path] = {"live": live_build}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            top, _, rest = path.lstrip("/").partition("/")
            base = roots.get(top)
            return str(base / rest.split("?")[0]) if base else "/nonexistent"

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    httpd.roots = roots  # type: ignore[attr-defined]
    yield httpd
    httpd.shutdown()


class LivePage:
    """A Chromium page in which nothing may reach another machine (such requests are aborted and
    recorded in ``offsite``) and nothing may log an error."""

    def __init__(self, browser, url: str, viewport=None) -> None:
        self.page = browser.new_page(viewport=viewport or {"width": 1280, "height": 800})
        self.offsite: list[str] = []
        self.errors: list[str] = []
        local = ("file:", "data:", "blob:", "http://127.0.0.1:", "about:")
        self.page.route("**/*", self._route(local))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)

    def _route(self, local: tuple[str, ...]):
        def route(r) -> None:
            if r.request.url.startswith(local):
                r.continue_()
            else:
                self.offsite.append(r.request.url)
                r.abort()

        return route

    def ready(self) -> float:
        self.page.wait_for_function(
            "() => self.gradstepLive && self.gradstepLive.kernel.readySeconds", timeout=120_000
        )
        return self.page.evaluate("gradstepLive.kernel.readySeconds")

    def run(self, code: str, timeout: float = 120_000) -> dict[str, str]:
        """Type code into the editor, press Run, wait until it is done; what the output shows."""
        page = self.page
        page.wait_for_selector(".gs-run:not([disabled])", timeout=timeout)
        page.fill(".gs-editor", code)
        page.click(".gs-run")
        page.wait_for_selector(".gs-run:not([disabled])", timeout=timeout)
        return self.shown(".gs-live > .gs-output")

    def shown(self, where: str) -> dict[str, str]:
        # a frame later every stream has been drawn (the view redraws once per frame)
        return self.page.evaluate(
            """(where) => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
                const out = document.querySelector(where);
                const text = (kinds) => [...out.querySelectorAll(kinds)].map((p) => p.textContent).join("");
                done({stdout: text("pre.gs-stdout"), stderr: text("pre.gs-stderr"),
                      result: text("pre.gs-result"), printed: text("pre.gs-stdout, pre.gs-result"),
                      state: out.closest("[data-live]")?.dataset.live,
                      svgs: out.querySelectorAll(".gs-svg svg").length,
                      frames: out.querySelectorAll("iframe").length,
                      bars: [...out.querySelectorAll("pre.gs-stderr.gs-progress")].map((p) => p.textContent),
                      notes: [...out.querySelectorAll(".gs-note")].map((p) => p.textContent).join("\\n")});
            })))""",
            where,
        )

    def close(self) -> None:
        assert self.offsite == [], f"requests left the machine: {self.offsite}"
        assert self.errors == [], self.errors
        self.page.close()


def native(code: str, cwd: Path) -> str:
    """What native CPython prints for code (this checkout's packages, dot for drawings)."""
    printed = io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "<native>", "exec"), {"__name__": "__main__"})
    finally:
        os.chdir(old)
    return printed.getvalue()


@pytest.fixture(params=["file", "http"])
def opened(request, browser, server):
    url = (
        (LIVE / "index.html").as_uri()
        if request.param == "file"
        else f"http://127.0.0.1:{server.server_address[1]}/live/index.html"
    )
    page = LivePage(browser, url)
    yield page
    page.close()


@pytest.fixture(scope="module")
def live(browser, live_build):
    """One page for the tests that only run code (opened as a file)."""
    page = LivePage(browser, (LIVE / "index.html").as_uri())
    page.ready()
    yield page
    page.close()


def test_the_page_opens_on_the_ten_lines_and_prints_what_native_prints(opened, tmp_path, dot_program):
    assert README_TEN_LINES, "README.md has no ten lines"
    opened.ready()
    page = opened.page
    assert README_TEN_LINES.group(1) in page.input_value(".gs-editor")
    page.wait_for_selector(".gs-output .gs-svg svg g.node", timeout=60_000)  # it runs them on opening
    page.wait_for_selector(".gs-run:not([disabled])")
    shown = opened.shown(".gs-live > .gs-output")
    expected = native(README_TEN_LINES.group(1), tmp_path)
    assert shown["stdout"] == expected and shown["stderr"] == ""  # every digit of every gradient
    assert "-0.0040228520490775965 0.002681901366051731" in shown["stdout"]
    assert shown["svgs"] == 1
    # viz.js sizes boxes from its own font metrics: no text may spill out of its cell
    outside = page.evaluate(TEXTS_OUTSIDE_THEIR_BOXES.replace("#gs-graph svg", ".gs-svg svg"))
    assert outside == []


@pytest.mark.parametrize("width", [420, 1280])
def test_a_drawing_keeps_readable_text_in_a_narrow_column_and_scrolls(browser, live_build, dot_program,
                                                                        width):  # fmt: skip
    """Fitted into a 420 px phone's column, the ten lines' drawing would shrink to about a third
    of its size (5 px text, which a look at the page showed): it keeps 70% and its box scrolls.
    At 1280 px it fits as it is."""
    opened = LivePage(browser, (LIVE / "index.html").as_uri(), viewport={"width": width, "height": 800})
    try:
        opened.ready()
        opened.page.wait_for_selector(".gs-output .gs-svg svg g.node", timeout=60_000)  # run on opening
        size = opened.page.evaluate(
            """() => { const svg = document.querySelector(".gs-output .gs-svg svg");
                       const box = svg.closest(".gs-display");
                       return {shown: svg.getBoundingClientRect().width, natural: svg.width.baseVal.value,
                               scrolls: box.scrollWidth > box.clientWidth + 1, room: box.clientWidth}; }"""
        )
        assert size["shown"] >= 0.7 * size["natural"] - 1, size
        assert size["scrolls"] == (size["natural"] * 0.7 > size["room"]), size
        assert size["scrolls"] == (width == 420), size
    finally:
        opened.close()


@pytest.mark.parametrize("width", [420, 1280])
def test_on_a_phone_a_player_shows_whole_and_the_page_scrolls(browser, live_build, width):
    """Seen at 420 px: the network player (900 px tall) sat in an output box of 75% of the window
    that scrolled on its own, so its drawing was out of sight under its controls. On a phone the
    page scrolls instead; on a wide screen the output box keeps its own scroll."""
    opened = LivePage(browser, (LIVE / "index.html").as_uri(), viewport={"width": width, "height": 800})
    try:
        opened.ready()
        opened.run((EXAMPLES / "3_network_step.py").read_text())
        box = opened.page.evaluate(
            """() => { const out = document.querySelector(".gs-live > .gs-output");
                       const frame = out.querySelector("iframe");
                       return {limit: getComputedStyle(out).maxHeight,
                               frame: frame.getBoundingClientRect().height,
                               hidden: out.scrollHeight - out.clientHeight}; }"""
        )
        if width == 420:
            assert box["limit"] == "none" and box["hidden"] <= 1 and box["frame"] >= 600, box
        else:
            assert box["limit"] != "none", box
    finally:
        opened.close()


def test_the_lecture_neuron_player_plays_to_its_last_frame(live, dot_program):
    from docs.players import lecture_neuron

    o, _ = lecture_neuron()
    from autograd import animate

    frames = animate(o, lr=0.1, speed_ms=25).frames
    code = (
        (EXAMPLES / "2_neuron_player.py")
        .read_text()
        .replace("animate(o, lr=0.1)", "animate(o, lr=0.1, speed_ms=25)")
    )
    assert "speed_ms=25" in code
    played_to_the_end(live, code, frames)
    # the player's frame, border included, fits the output's width (nothing cut at the right)
    assert live.page.evaluate(
        """() => document.querySelector(".gs-display iframe").getBoundingClientRect().right <=
                 document.querySelector(".gs-live > .gs-output").getBoundingClientRect().right"""
    )


def test_the_network_player_plays_to_its_last_frame(live):
    import nn

    code = 'import nn\nmodel = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)\n' \
           "nn.animate_training_step(model, [0.5, -1.0], 1.0, lr=0.1, speed_ms=25)\n"  # fmt: skip
    model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    frames = nn.animate_training_step(model, [0.5, -1.0], 1.0, lr=0.1, speed_ms=25).frames
    played_to_the_end(live, code, frames)


def played_to_the_end(live, code, frames):
    """Run ``code`` in the page (it shows one player), press play, and check that the player stops
    on its last frame showing the text the native player's last frame has."""
    shown = live.run(code)
    assert shown["frames"] == 1 and shown["stderr"] == ""
    player = live.page.frame_locator(".gs-display iframe")
    player.locator("#gs-play").click()
    player.locator(f'body[data-frame="{len(frames) - 1}"][data-playing="false"]').wait_for(state="attached")
    assert player.locator("#gs-text").text_content() == frames[-1].text


def test_practice_mode_takes_a_typed_answer(live, dot_program):
    from autograd import animate
    from docs.players import lecture_neuron

    frames = animate(lecture_neuron()[0], practice=True).frames
    first = next(k for k, f in enumerate(frames) if f.answer is not None)  # upstream, local, product
    code = (
        (EXAMPLES / "2_neuron_player.py")
        .read_text()
        .replace("animate(o, lr=0.1)", "animate(o, practice=True)")
    )
    assert live.run(code)["frames"] == 1
    player = live.page.frame_locator(".gs-display iframe")
    for _ in range(first + 1):
        player.locator("#gs-step").click()
    for typed, verdict in (("1", "✓ right: now the next piece"), ("0.5", "✓ right: now the next piece")):
        player.locator("#gs-answer").fill(typed)  # the upstream gradient, then tanh's 1 − o²
        player.locator("#gs-answer").press("Enter")
        assert player.locator("#gs-verdict").text_content() == verdict
    player.locator("#gs-answer").fill("0.5")  # their product
    player.locator("#gs-answer").press("Enter")
    assert player.locator("#gs-verdict").text_content() == "✓ right"
    assert player.locator("#gs-score").text_content().startswith("score 3 / 3")


# The data are written out as numbers: nn.data.moons draws them with math.cos/sin, and the browser's
# C library may round those differently from this machine's in the last bit.
FIT = """
import nn
X, y = {data}
model = nn.MLP(2, [16, 16, 1], seed=0)
history = nn.fit(model, (X, nn.data.signed(y)), "hinge", nn.SGD(model.parameters(), lr=0.05),
                 epochs=5, batch_size=8, seed=0, callbacks=[lambda epoch, logs, model: print(epoch)])
print([float.hex(loss) for loss in history.train_loss])
"""


def test_fit_gives_the_same_losses_and_tqdm_shows_as_text(live, tmp_path):
    import nn

    code = FIT.format(data=repr(tuple(nn.data.moons(40, noise=0.1, seed=0))))
    shown = live.run(code)
    assert shown["stdout"] == native(code, tmp_path)  # every bit of every epoch's loss
    # the progress bar (tqdm, on stderr) redraws its line with \r: one line, kept in its place while
    # the epochs print below it, and no warning that tqdm's monitor thread could not start
    assert len(shown["bars"]) == 1 and shown["stderr"] == shown["bars"][0]
    assert shown["bars"][0].count("\n") <= 1 and "5/5" in shown["bars"][0] and "thread" not in shown["stderr"]


def test_the_tapes_line_table_is_rewritten_on_the_pages_python_too(live):
    """The compiled tape keeps lines without columns by writing CPython's location table itself,
    and falls back to the compiler's table on a Python that reads it otherwise. The page runs
    another CPython (3.13 in pyodide 0.29) than the suite: there too it applies, lines intact."""
    native = tuple(sys.version_info[:2])
    shown = live.run(
        "import sys\n"
        "from autograd import Value, trace\n"
        "w = Value(0.5)\n"
        "def chain(x):\n"
        "    for _ in range(300):\n"
        "        x = (x * w).tanh()\n"
        "    return x\n"
        "step = trace(chain); step(0.3); step(0.2)\n"
        "lean = step.tape.replay.__code__\n"
        "full = [c for c in compile(step.tape.source, 't', 'exec').co_consts if hasattr(c, 'co_code')][0]\n"
        f"print(sys.version_info[:2] != {native}, len(lean.co_linetable) * 3 < len(full.co_linetable),\n"
        "      [p[0] for p in lean.co_positions()] == [p[0] for p in full.co_positions()])\n"
    )
    assert shown["stdout"] == "True True True\n", shown


def test_a_weighted_sum_adds_as_the_graph_does_op_by_op(live):
    # Python >= 3.12 (the page has 3.13) compensates sum() of floats: Value.weighted_sum must not
    code = """
import random
from autograd import Value
r = random.Random(0)
differ = 0
for _ in range(500):
    w, x, b = [r.uniform(-1, 1) for _ in range(16)], [r.uniform(-1, 1) for _ in range(16)], r.uniform(-1, 1)
    fast = Value.weighted_sum([Value(v) for v in w], x, Value(b))
    plain = sum((Value(wi) * xi for wi, xi in zip(w, x)), Value(b))
    differ += fast.data != plain.data
print(differ)
"""
    assert live.run(code)["stdout"] == "0\n"


DOCTESTS = """
import doctest, importlib, os, pkgutil, tempfile
import autograd, nn
os.chdir(tempfile.mkdtemp())
counts = {}
for package in (autograd, nn):
    found = pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    names = [package.__name__] + [m.name for m in found if not m.name.endswith("__main__")]  # (runs the demo)
    for name in names:
        module = importlib.import_module(name)
        for test in doctest.DocTestFinder().find(module):
            result = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS).run(
                test, out=lambda text: None)
            if result.attempted:
                counts[test.name] = [result.attempted, result.failed]
print(json.dumps(counts, sort_keys=True))
"""


def test_the_doctests_pass_in_the_page_as_they_do_natively_without_matplotlib_and_torch(live, tmp_path):
    block = "import sys; sys.modules.update(matplotlib=None, torch=None)\nimport json\n"
    result = subprocess.run(
        [sys.executable, "-c", block + DOCTESTS],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    natively = json.loads(result.stdout)
    shown = live.run("import json\n" + DOCTESTS, timeout=600_000)
    in_page = json.loads(shown["stdout"])
    assert in_page == natively
    failed = {name for name, (_, bad) in natively.items() if bad}
    assert sum(n for n, _ in natively.values()) > 300
    assert all(re.search(r"plot|torch", name) for name in failed), failed  # only what needs them


def test_a_runaway_loop_is_stopped_and_the_page_keeps_working(live):
    page = live.page
    page.fill(".gs-editor", "print('looping')\nwhile True:\n    pass\n")
    page.click(".gs-run")
    page.wait_for_selector(".gs-output pre.gs-stdout")  # it streams while the loop runs
    page.wait_for_selector('.gs-status[data-state="running"]')
    page.click(".gs-stop")
    page.wait_for_selector('.gs-status[data-state="ready"]', timeout=120_000)
    assert "Stopped: Python was restarted" in live.shown(".gs-live > .gs-output")["notes"]
    assert page.text_content(".gs-status").startswith("Stopped. Python started again")
    shown = live.run("from autograd import Value\nx = Value(3.0)\n(x * x).backward()\nprint(x.grad)")
    assert shown["stdout"] == "6.0\n"


def test_errors_show_the_learners_traceback_and_drawing_errors_say_what_is_true(live):
    shown = live.run("from autograd import Value, draw_dot\ndraw_dot(Value(1.0)).render('x', format='png')")
    assert "GraphvizNotFound" in shown["stderr"] and "format='svg'" in shown["stderr"]
    assert "apt-get" not in shown["stderr"] and "_gs_run" not in shown["stderr"]


NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def notebook_site(tmp_path_factory, server) -> Path:
    """The documentation site with every notebook (executed natively by MyST-NB, as `make docs`
    does) and its live script: the pages a learner steps through. Built once for the session."""
    require(shutil.which("dot") is not None, "Graphviz `dot`")
    import_or_fail("myst_nb")
    folder = tmp_path_factory.mktemp("site")
    pages = "docs/live.md,notebooks/*.ipynb"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", "docs", "-j", "auto",
               "-d", str(folder / "doctrees"), "-D", "root_doc=docs/live", "-D", f"include_patterns={pages}",
               ".", str(folder / "site")]  # fmt: skip
    built = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    server.roots["site"] = folder / "site"
    return folder / "site"


# Run code in the page's Python without the page's controls; what it printed.
RUN_QUIETLY = """async (code) => { let out = "";
    const sink = {stream: (name, text) => { out += text; }, display: () => {}};
    await gradstepLive.kernel.run(code, sink);
    return out.trim(); }"""

# What this machine or this Python measured varies from run to run and from native to the page:
# on a line with a time, a memory size or a ratio of them, those numbers are not compared; on a row
# of memory sizes or counts of Python's own function calls (which differ between Python versions),
# no number is.
MEASURED = re.compile(r"\d\s*(?:ms|s|KiB)\b|the time of")
MEASUREMENT = re.compile(r"\d[\d.,]*\s*(?:(?:ms|s|KiB)\b|×)")
MEASURED_ROW = re.compile(r"\(KiB\)|function calls")
NUMBER = re.compile(r"\b[0-9a-f]{16}\b|-?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?")


def same_number(native_text: str, page_text: str) -> bool:
    """Two printed numbers are the same number, up to the C library. The page's libm is not this
    machine's: math.tanh(0.8813735870195432), the lecture neuron's, is 1 ulp high here and correctly
    rounded there (see DESIGN.md), and that ulp travels on into the gradients. So a number may differ
    by a billionth of itself (or 1e-12, for numbers that are rounding noise themselves), or, printed
    with 8 or more significant digits, by one unit of its last digit. 16 hex digits are a float's
    bytes (notebook 16 prints them)."""
    if native_text == page_text:
        return True
    if len(native_text) == 16 and not native_text.isdigit():
        a, b = (struct.unpack("<d", bytes.fromhex(t))[0] for t in (native_text, page_text))
        digits = 0.0
    else:
        a, b = (float(t.replace(",", "")) for t in (native_text, page_text))
        mantissa = native_text.replace(",", "").lstrip("-").split("e")[0]
        significant = mantissa.replace(".", "").lstrip("0")
        exponent = int(native_text.split("e")[1]) if "e" in native_text else 0
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        digits = 10.0 ** (exponent - decimals) if len(significant) >= 8 else 0.0
    return abs(a - b) <= max(1e-9 * max(abs(a), abs(b)), 1e-12, digits * 1.01)


def same_text(native_text: str, page_text: str) -> bool:
    """The page printed what native printed: the same words and the same numbers (same_number),
    but for what was measured (MEASURED)."""
    native_lines, page_lines = native_text.rstrip("\n").split("\n"), page_text.rstrip("\n").split("\n")
    if len(native_lines) != len(page_lines):
        return False
    for ours, theirs in zip(native_lines, page_lines):
        measured = NUMBER if MEASURED_ROW.search(ours) else MEASUREMENT if MEASURED.search(ours) else None
        if measured:  # (and their columns' widths)
            ours, theirs = (re.sub(r"\s+", " ", measured.sub("#", line)) for line in (ours, theirs))
        if NUMBER.split(ours) != NUMBER.split(theirs) or not all(
            same_number(a, b) for a, b in zip(NUMBER.findall(ours), NUMBER.findall(theirs), strict=True)
        ):
            return False
    return True


def test_same_text_tells_a_libm_ulp_from_a_different_number():
    assert same_text("o = 0.7071067811865477\n", "o = 0.7071067811865476")
    assert same_text("x1  fdfffffffffff7bf  same", "x1  fefffffffffff7bf  same")
    assert same_text("dy4/dt  -1.154230546819258", "dy4/dt  -1.154230546819257")
    assert same_text("all layers  172 steps, 16.4 ms per step", "all layers  172 steps, 20.3 ms per step")
    assert not same_text("lr = 20.0  → loss after 100 steps 7.486", "lr = 20.0  → loss after 100 steps 1.249")
    assert not same_text("loss 0.010", "loss 0.011") and not same_text("ok: True", "ok: False")
    assert not same_text("x1  fdfffffffffff7bf", "x1  fdfffffffffff7cf")  # a float's top bytes
    assert not same_text("a\nb", "a") and not same_text("172 steps, 16.4 ms", "173 steps, 16.4 ms")
    assert same_text("  8   891   164 KiB   7.5 KiB   22×", "  8   891    85 KiB   3.6 KiB   24×")
    assert not same_text("  8   891   164 KiB   7.5 KiB   22×", "  8   892    85 KiB   3.6 KiB   24×")


CELL_STATES = {"ok": "✓ Ran live", "built": "Not live: see the note below"}
OPEN_THE_NOTEBOOK = [("01_derivatives", "file"), ("01_derivatives", "http")] + [
    (name, "file") for name in NOTEBOOKS if name != "01_derivatives"
]


@pytest.mark.parametrize(("name", "how"), OPEN_THE_NOTEBOOK)
def test_a_notebook_steps_through_live_printing_what_native_did(browser, notebook_site, server, name, how):
    """Every cell runs live and prints what the site's native run printed, except the cells that
    use matplotlib or torch: those show the site's output and say why."""
    page_path = notebook_site / "notebooks" / f"{name}.html"
    url = page_path.as_uri() if how == "file" else \
        f"http://127.0.0.1:{server.server_address[1]}/site/notebooks/{name}.html"  # fmt: skip
    live = LivePage(browser, url)
    page = live.page
    cells = page.locator("div.cell")
    count = cells.count()
    built = page.evaluate(
        """() => [...document.querySelectorAll("div.cell")].map((cell) => ({
             text: [...cell.querySelectorAll(".cell_output .output.stream pre, .cell_output .text_plain pre")]
                   .map((p) => p.textContent).join(""),
             pictures: cell.querySelectorAll(".cell_output img").length,
             frames: cell.querySelectorAll(".cell_output iframe").length,
             code: cell.querySelector(".cell_input pre").textContent}))"""
    )
    page.evaluate(
        "() => document.querySelectorAll('div.cell').forEach((cell, i) => { cell.dataset.index = i; })"
    )
    page.click(".gs-golive")
    live.ready()
    states = []
    for i in range(count):  # one cell at a time, as a learner would
        cells.nth(i).locator(".gs-run").click()
        page.wait_for_function(
            "(i) => !['idle', 'running'].includes(document.querySelectorAll('div.cell')[i].dataset.live)",
            arg=i, timeout=600_000,
        )  # fmt: skip
        shown = live.shown(f'div.cell[data-index="{i}"] .gs-cell-output')
        states.append(shown["state"])
        label = cells.nth(i).locator(".gs-cell-state")  # beside the cell's Run button, says what happened
        assert label.text_content() == CELL_STATES.get(shown["state"]) and label.is_visible(), i
        if shown["state"] == "built":  # the site's output (a plot, torch's numbers), and why it is not live
            assert re.search(r"needs (matplotlib \(for plots\)|PyTorch)", shown["notes"]), (i, shown["notes"])
            assert re.search(r"^import (matplotlib|torch)", "\n".join(b["code"] for b in built), re.M), i
            continue
        assert shown["state"] == "ok", (i, shown["stderr"])
        native_text, page_text = built[i]["text"], shown["printed"]
        differ = [(a, b) for a, b in zip(native_text.split("\n"), page_text.split("\n")) if a != b]
        assert same_text(native_text, page_text), (i, differ or (native_text, page_text))
        assert (shown["svgs"], shown["frames"]) == (built[i]["pictures"], built[i]["frames"]), i
    if name == "01_derivatives":
        assert states.count("built") == 1 and states.count("ok") == count - 1
        # the plot's cell ran all but its matplotlib statements: what it defines after the plot exists
        assert page.evaluate(RUN_QUIETLY, "print(len(xs), len(central_err))") == "121 14"
        # edit a cell and run it again: the output follows the edit
        first_print = next(i for i in range(count) if built[i]["text"])
        cells.nth(first_print).locator(".gs-editor").fill("import time\ntime.sleep(1)\nprint(21 * 2)")
        cells.nth(first_print).locator(".gs-run").click()
        running = cells.nth(first_print).locator('.gs-cell-state[data-state="running"]')
        assert running.text_content() == "Running…"
        edited = f"div.cell[data-index='{first_print}'] .gs-cell-output"
        page.wait_for_function(
            "(where) => document.querySelector(where).textContent.includes('42')", arg=edited
        )
    live.close()


def test_the_live_additions_stay_within_25_mb(live_build):
    size = sum(p.stat().st_size for p in (live_build / "live").rglob("*") if p.is_file())
    assert size <= 25e6, f"{size / 1e6:.1f} MB"
