"""The documentation site (make docs): built from the repository into a temporary folder, read as
files, and opened in headless Chromium.

The build is the real one (every notebook executed, about 3 minutes on 2 cores), done once for
this module, with warnings as errors: a broken cross-reference or docstring fails it. Then:
every page's links and resources resolve inside the site, no page loads a script, stylesheet,
font or picture from the network, and in Chromium the home page, a notebook page and the players
page show their pictures, their players play, search finds a notebook, and nothing logs an error
or goes to the network.
"""

from __future__ import annotations

import html
import inspect
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser import Watched
from tests.conftest import import_or_fail, require

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))

# Attributes through which a page loads something (as opposed to <a href>, which only links).
LOADS = {
    ("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("iframe", "src"),
    ("source", "src"), ("source", "srcset"), ("video", "src"), ("video", "poster"), ("audio", "src"),
    ("embed", "src"), ("object", "data"), ("input", "src"), ("image", "href"), ("use", "href"),
}  # fmt: skip
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")


class Page(HTMLParser):
    """What one HTML page loads, links to and names (ids), including pages inside srcdoc iframes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.srcdocs: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in LOADS:
                self.loads += [part.split()[0] for part in value.split(",")] if "srcset" in name else [value]
            elif tag == "a" and name == "href":
                self.links.append(value)
            elif name == "id":
                self.ids.add(value)
            elif name == "srcdoc":
                self.srcdocs.append(value)
            elif name == "style":
                self.loads += CSS_URL.findall(value)
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.loads += CSS_URL.findall(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def from_network(url: str) -> bool:
    return url.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:"))


def network_loads(text: str) -> list[str]:
    """What a page, and every page inside its srcdoc iframes, would load from the network."""
    queue, loaded = [text], []
    while queue:
        page = parse(queue.pop())
        loaded += page.loads
        queue += page.srcdocs
    return [url for url in loaded if from_network(url)]


def test_the_network_check_sees_scripts_stylesheets_fonts_pictures_and_framed_pages():
    framed = html.escape('<script src="https://cdn.example/require.js"></script>', quote=True)
    page = f"""<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
    <link rel="preload" as="font" href="//fonts.example/a.woff2"><img srcset="a.png 1x, http://x/b.png 2x">
    <style>@font-face {{ src: url('https://fonts.example/b.woff2') }}</style>
    <div style="background: url(http://x/c.png)"></div><iframe srcdoc="{framed}"></iframe>
    <script src="_static/local.js"></script><a href="https://github.com/karpathy/micrograd">a link</a>"""
    assert sorted(network_loads(page)) == sorted([
        "https://fonts.googleapis.com/css?family=Roboto", "//fonts.example/a.woff2", "http://x/b.png",
        "https://fonts.example/b.woff2", "http://x/c.png", "https://cdn.example/require.js",
    ])  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built by Sphinx as `make docs` builds it (see the Makefile), warnings made errors."""
    import_or_fail("sphinx")
    import_or_fail("myst_nb")
    require(shutil.which("dot") is not None, "Graphviz `dot`")
    folder = tmp_path_factory.mktemp("docs")
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
               "-c", "docs", "-d", str(folder / "doctrees"), ".", str(folder / "site")]  # fmt: skip
    built = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert built.returncode == 0, f"the site does not build:\n{built.stderr[-5000:]}"
    return folder / "site"


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_notebook_the_readme_the_players_and_the_api_have_a_page(site):
    assert (site / "index.html").read_bytes() == (site / "README.html").read_bytes()
    for name in NOTEBOOKS:
        html = (site / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        page = parse(html)
        source = (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        # executed: a notebook that draws or plots shows its pictures; every one shows its printed lines
        if any(call in source for call in ("plt.", "draw_dot(", "draw_network(")):
            assert any(Path(unquote(src)).suffix in (".png", ".svg") for src in page.loads), name
        assert 'class="cell_output' in html, name
    for player in ("neuron", "training_step"):
        assert (site / "docs" / "players" / f"{player}.html").is_file()


def test_the_api_reference_documents_every_public_name(site):
    import autograd
    import nn

    page = (site / "docs" / "api.html").read_text(encoding="utf-8")
    documented = set(re.findall(r'id="((?:autograd|nn)\.[\w.]+)"', page))
    missing = [f"autograd.{name}" for name in autograd.__all__ if f"autograd.{name}" not in documented]
    # nn's names are documented where they are defined (nn.module.MLP), as `help()` shows them
    for name in [*nn.__all__, *nn._LAZY]:
        value = getattr(nn, name)
        if not (isinstance(value, type) or inspect.isfunction(value)):
            continue  # a module (its members are listed on their own) or a constant
        if f"{value.__module__}.{value.__qualname__}" not in documented:
            missing.append(f"nn.{name}")
    assert missing == []


def test_no_page_loads_anything_from_the_network(site):
    for path in pages(site):  # the notebooks' players are pages inside srcdoc iframes: read too
        assert network_loads(path.read_text(encoding="utf-8")) == [], path.relative_to(site)
    for path in list(site.rglob("*.css")) + list(site.rglob("*.js")):
        text = path.read_text(encoding="utf-8", errors="replace")
        urls = CSS_URL.findall(text) if path.suffix == ".css" else []
        assert not [url for url in urls if from_network(url)], path.relative_to(site)
        # a script that fetches or imports from an address would show one in its source
        assert not re.search(r"""(?:import\s*\(|fetch\(|importScripts\()\s*['"]https?:""", text), path


def test_every_link_and_resource_resolves_inside_the_site(site):
    ids = {path: parse(path.read_text(encoding="utf-8")).ids for path in pages(site)}
    broken = []
    for path in pages(site):
        page = parse(path.read_text(encoding="utf-8"))
        for url in page.links + page.loads:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//") or url.startswith("data:"):
                continue  # an external link (never loaded: see above), mailto:, data:
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(site)} → {url}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids[target]:
                broken.append(f"{path.relative_to(site)} → {url} (no such anchor)")
            elif site not in target.parents:
                broken.append(f"{path.relative_to(site)} → {url} (outside the site)")
    assert broken == []


# -- in headless Chromium ----------------------------------------------------------------------


def visit(browser, site: Path, page_path: str) -> Watched:
    watched = Watched(browser)
    watched.url = (site / page_path).resolve().as_uri()
    watched.page.goto(watched.url, wait_until="load")
    return watched


def check_clean(watched: Watched, site: Path) -> None:
    """No error in the page or its frames, and every request went to the site's own files."""
    inside = site.resolve().as_uri() + "/"
    assert watched.errors == [] and watched.dialogs == []
    outside = [u for u in watched.requests if not u.startswith((inside, "data:", "about:"))]
    assert outside == []
    watched.page.close()


def images_shown(watched: Watched) -> list[str]:
    """The sources of the page's pictures, after asserting that every one of them loaded."""
    images = watched.page.eval_on_selector_all(
        "img", "els => els.map(e => [e.getAttribute('src'), e.complete && e.naturalWidth > 0])"
    )
    assert [src for src, loaded in images if not loaded] == []
    return [src for src, _ in images]


def plays(frame) -> None:
    """Press play in a player and see it step through its first frames."""
    frame.locator("#gs-play").click()
    frame.locator('body[data-playing="true"]').wait_for(state="attached", timeout=5000)
    frame.locator('body[data-frame="2"]').wait_for(state="attached", timeout=15000)
    assert frame.locator("#gs-text").text_content().strip() != ""


def test_home_page_shows_the_readme_with_its_pictures(browser, site):
    watched = visit(browser, site, "index.html")
    page = watched.page
    assert "Watch backpropagation happen" in page.text_content("article")
    assert {"network_player.png", "player.png"} <= {Path(s).name for s in images_shown(watched)}
    # the README's link to a notebook leads to that notebook's page
    page.click("article a[href='notebooks/01_derivatives.html']")
    page.wait_for_load_state("load")
    assert page.url.endswith("/notebooks/01_derivatives.html")
    assert "01 · " in page.title() or "01 · " in page.text_content("h1")
    check_clean(watched, site)


def test_notebook_page_shows_its_drawings_plots_and_a_player_that_plays(browser, site):
    watched = visit(browser, site, "notebooks/02_backward_order.html")
    shown = [Path(s).suffix for s in images_shown(watched)]
    assert ".svg" in shown and ".png" in shown  # a Graphviz drawing and a matplotlib plot
    # the notebook's player: Player._repr_html_'s sandboxed <iframe srcdoc>, kept as it was
    watched.page.locator("iframe[srcdoc]").first.scroll_into_view_if_needed()
    plays(watched.page.frame_locator("iframe[srcdoc] >> nth=0"))
    check_clean(watched, site)


@pytest.mark.parametrize("player", ["neuron", "training_step"])
def test_players_page_embeds_both_players_and_they_play(browser, site, player):
    watched = visit(browser, site, "docs/players.html")
    iframe = f"iframe[src='players/{player}.html']"
    watched.page.locator(iframe).scroll_into_view_if_needed()
    plays(watched.page.frame_locator(iframe))
    check_clean(watched, site)


def test_search_finds_a_notebook_offline(browser, site):
    watched = Watched(browser)
    watched.url = (site / "search.html").resolve().as_uri()
    watched.page.goto(watched.url + "?q=momentum")
    watched.page.wait_for_selector("#search-results li", timeout=15000)
    assert "09 · Optimisers" in watched.page.text_content("#search-results")
    check_clean(watched, site)


# -- the front door: the home page opens with where to start --------------------------------------


def test_the_home_page_source_opens_with_where_to_start_and_links_each_screenshot():
    from docs.conf import SCREENSHOTS, front_door

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for live in (False, True):
        page = front_door(readme, live)
        lines = page.splitlines()
        assert lines[0] == "# gradstep"
        slot = "**▶ [Try it live](docs/live.md)**"  # the first line after the title, with a live page
        assert lines[2].startswith(slot) if live else slot not in page
        start = page.index("{admonition} Where to start")
        assert start < page.index("## Two commands") and start < page.index("Watch backpropagation")
        box = page[start : page.index("```", start)]
        assert "(notebooks/01_derivatives.ipynb)" in box
        assert all(f"({player})" in box for player in SCREENSHOTS.values())  # every player to play
        for picture, player in SCREENSHOTS.items():
            assert re.search(rf"^\[!\[[^\n]*\]\({re.escape(picture)}\)\]\({re.escape(player)}\)$", page, re.M)
    with pytest.raises(ValueError, match="no screenshot docs/tape_player.png"):
        front_door(readme.replace("(docs/tape_player.png)", "(docs/other.png)"), live=False)


FRONT_DOOR_GEOMETRY = """() => {
  const box = document.querySelector('article .gs-start');
  const r = box.getBoundingClientRect();
  const links = [...box.querySelectorAll('a')].map(a => a.getAttribute('href'));
  const shots = [...document.querySelectorAll('article img')].map(img => {
    const a = img.closest('a');
    return [img.getAttribute('src').split('/').pop(), a ? a.getAttribute('href') : null];
  });
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, links, shots,
          width: document.documentElement.clientWidth, height: window.innerHeight,
          scroll: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 800, "height": 600}])
def test_front_door_is_in_the_first_screen_and_each_screenshot_opens_its_player(browser, site, viewport):
    watched = Watched(browser, viewport)
    watched.url = (site / "index.html").resolve().as_uri()
    watched.page.goto(watched.url, wait_until="load")
    seen = watched.page.evaluate(FRONT_DOOR_GEOMETRY)
    # where to start is on the first screen, whole, without scrolling, and nothing scrolls sideways
    assert 0 <= seen["top"] and seen["bottom"] <= seen["height"], seen
    assert 0 <= seen["left"] and seen["right"] <= seen["width"] and seen["scroll"] <= seen["width"], seen
    assert "notebooks/01_derivatives.html" in seen["links"]
    anchors = {
        "network_player.png": "a-network-learning-neuron-by-neuron",
        "player.png": "an-expression-op-by-op",
        "tape_player.png": "the-tape-line-by-line",
    }
    for anchor in anchors.values():
        assert f"docs/players.html#{anchor}" in seen["links"]
    shots = dict(seen["shots"])
    assert {name: shots.get(name) for name in anchors} == {
        name: f"docs/players.html#{anchor}" for name, anchor in anchors.items()
    }
    assert (site / "docs" / "live.html").exists()  # the site always has its live page (make live)
    assert watched.page.locator("article a[href='docs/live.html']").count() > 0
    # a click on a screenshot opens the players page at the player it shows
    watched.page.click("article a[href='docs/players.html#an-expression-op-by-op'] img")
    watched.page.wait_for_load_state("load")
    assert watched.page.url.endswith("/docs/players.html#an-expression-op-by-op")
    player = "section#an-expression-op-by-op iframe[src='players/neuron.html']"
    assert watched.page.locator(player).count() == 1
    check_clean(watched, site)
