"""Regenerate the README's pictures: real headless-Chromium screenshots of the players.

    .venv/bin/python docs/screenshots.py   # docs/player.png, network_player.png, tape_player.png

Needs the dev extras (Playwright) and Debian's ``chromium`` (``make test`` installs both).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from autograd import animate  # noqa: E402
from docs.players import lecture_neuron, network_player, tape_player  # noqa: E402
from tests.conftest import BROWSER_ARGS  # noqa: E402


def shoot(player, name: str, frame_starts_with: str, browser, size=(960, 600), fit: bool = False) -> None:
    """Save a screenshot of ``player`` at the first frame whose text starts with the given words.

    The window is about as wide as the README's column (``size`` in CSS pixels) and photographed
    at twice the pixel density, so that the page's text shows at about its own size (13 px, not
    the 6–7 px of a 1280 px window shrunk into the column). ``fit``: the whole drawing in the
    window's width (smaller than the player's 70% floor) instead of scrolled to the active node."""
    frame = next(k for k, f in enumerate(player.frames) if f.text.startswith(frame_starts_with))
    with tempfile.TemporaryDirectory() as folder:
        page = browser.new_page(viewport={"width": size[0], "height": size[1]}, device_scale_factor=2)
        page.goto(player.save(Path(folder) / "page.html").resolve().as_uri())
        if fit:
            page.add_style_tag(content="#gs-graph svg { min-width: 0 !important; }")
        for _ in range(frame + 1):
            page.keyboard.press("ArrowRight")
        page.screenshot(path=str(HERE / name))
        page.close()
    print(f"wrote docs/{name} at frame {frame + 1}: {player.frames[frame].text.splitlines()[0]}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is needed (sudo apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        shoot(animate(lecture_neuron()[0]), "player.png", "7. at n6", browser, size=(1000, 420), fit=True)
        shoot(network_player(), "network_player.png", "d(loss)/d(out of h[0,1])", browser, size=(1040, 860))
        shoot(tape_player(), "tape_player.png", "g2 += v0", browser, size=(960, 470))
        browser.close()


if __name__ == "__main__":
    main()
