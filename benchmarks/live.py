"""The live page's budgets, measured (make live first): python benchmarks/live.py

- Python ready after a cold open: a fresh browser opens build/live/index.html as a file; the time
  from the start of navigation until Python can run code (median of --opens);
- the live additions' size: build/live/live/ (script, style, examples, assets);
- 20 training steps of MLP(2, [16, 16, 1]) (8 samples, MSE, backward, SGD) in the page's Python
  against this machine's CPython: best of 5 runs each, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIVE = ROOT / "build" / "live"

STEPS = """
import json, time
import nn
from autograd import no_grad
X = [[0.5, -1.0], [1.0, 2.0], [-0.3, 0.8], [1.5, -0.2], [0.1, 0.1], [-1.2, -0.7], [0.9, 0.4], [-0.4, 1.6]]
y = [1.0, -1.0, 0.5, 0.0, -0.5, 1.0, 0.25, -0.75]
best = []
for run in range(5):
    model = nn.MLP(2, [16, 16, 1], seed=0)
    start = time.perf_counter()
    for step in range(20):
        loss = nn.losses.mse([model(x) for x in X], y)
        model.zero_grad()
        loss.backward()
        with no_grad():
            for p in model.parameters():
                p.data -= 0.01 * p.grad
    best.append(time.perf_counter() - start)
print(json.dumps({"seconds": min(best), "loss": loss.data}))
"""


READY = "() => self.gradstepLive && gradstepLive.kernel.sinceOpen"


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--opens", type=int, default=3, help="cold opens to time (default 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if not (LIVE / "live" / "manifest.js").exists():
        raise SystemExit("build/live is missing: run make live")
    size = sum(p.stat().st_size for p in (LIVE / "live").rglob("*") if p.is_file())
    run = subprocess.run([sys.executable, "-c", STEPS], capture_output=True, text=True, check=True, cwd=ROOT)
    native = json.loads(run.stdout)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    ready: list[float] = []
    with sync_playwright() as p:
        for attempt in range(args.opens + 1):  # a fresh browser each time: a cold open
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto((LIVE / "index.html").as_uri())
            page.wait_for_function(READY, timeout=120_000)
            if attempt < args.opens:
                ready.append(page.evaluate("gradstepLive.kernel.sinceOpen"))
            else:
                printed = page.evaluate(
                    """async (code) => { let out = "";
                         const sink = {stream: (n, t) => { out += t; }, display: () => {}};
                         await gradstepLive.kernel.run(code, sink);
                         return out; }""",
                    STEPS,
                )
            browser.close()
    in_page = json.loads(printed)
    print(f"Python ready after a cold open (file://): median {statistics.median(ready):.1f} s of {ready}")
    print(f"live additions: {size / 1e6:.1f} MB")
    print(
        f"20 steps of MLP(2, [16, 16, 1]): page {in_page['seconds'] * 1e3:.0f} ms, "
        f"native {native['seconds'] * 1e3:.0f} ms, ratio {in_page['seconds'] / native['seconds']:.2f}; "
        f"same loss: {in_page['loss'] == native['loss']}"
    )


if __name__ == "__main__":
    main()
