"""Sphinx configuration of gradstep's documentation site: ``make docs`` builds it into ``build/site/``.

The source folder is the repository itself (``sphinx-build -c docs . build/site``), so the README is
the home page with its links (``notebooks/01_derivatives.ipynb``, ``docs/player.png``,
``autograd/ops.py``) resolving on the site exactly as they do on GitHub; on the site it opens with
where to start and its screenshots lead to their players (``front_door``). MyST-NB executes every
notebook while reading it; ``docs/*.md`` are the site's own pages. The site loads nothing from the
network (tests/test_docs.py checks every page).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the packages, and docs.players, import from the checkout

project = "gradstep"
author = "gradstep's authors"
release = "0.1.0"
root_doc = "README"  # copied to index.html after the build (see _home_page)

extensions = ["myst_nb", "sphinx.ext.autodoc"]
# Only these files are pages; everything else in the repository is not part of the site.
include_patterns = ["README.md", "CONTRIBUTING.md", "notebooks/*.ipynb", "docs/*.md", "benchmarks/RESULTS.md"]
# Folders Sphinx must not even walk (the virtualenv alone has tens of thousands of files).
exclude_patterns = [".venv", ".git", "site", "build", "out", "**/.ipynb_checkpoints"]

# The README links sections (#speed) and code (autograd/ops.py, which becomes a download).
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # notebooks start at "# 01 · …" then use "##"; that is fine

# Notebooks: executed on every read, in a temporary folder (a build never writes into notebooks/),
# and a failing cell fails the build. Sphinx re-reads only what changed, so an unchanged notebook
# is not executed again; `gradstep_sources` below makes a change to the packages re-read them all.
nb_execution_mode = "force"
nb_execution_in_temp = True
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True  # a failing cell's traceback in the build's output
nb_merge_streams = True  # one block for a cell's printed lines, as Jupyter shows them


def joined_streams(outputs: list) -> list:
    """A cell's printed pieces joined as they were printed, then merged by MyST-NB. The kernel sends
    printed text in pieces cut wherever a flush fell; MyST-NB's merge strips each piece and ends it
    with a newline, so a line cut in two showed as two lines, or a blank line appeared.

    >>> piece = lambda text: {"output_type": "stream", "name": "stdout", "text": text}
    >>> joined_streams([piece("header"), piece("\\nrow 1   2"), piece("4\\n")])[0]["text"]
    'header\\nrow 1   24\\n'
    """
    first: dict = {}
    joined = []
    for output in outputs:
        if output["output_type"] == "stream" and output["name"] in first:
            first[output["name"]]["text"] += output["text"]
            continue
        if output["output_type"] == "stream":
            output = first[output["name"]] = type(output)(output)
        joined.append(output)
    return _merged_by_myst_nb(joined)


import myst_nb.core.render  # noqa: E402  (MyST-NB's renderer calls its merge by this name)

_merged_by_myst_nb = myst_nb.core.render.coalesce_streams
myst_nb.core.render.coalesce_streams = joined_streams
# MyST-NB loads require.js and the widget manager from a CDN on pages with ipywidgets; the site
# must work offline, and the notebooks use none (tqdm bars are off in them).
nb_ipywidgets_js: dict = {}
# Members in the order the modules define them (related functions stay together).
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

# furo: a common theme for Python libraries that uses the system's fonts (no web fonts, no CDN).
# Sphinx adds MathJax (from a CDN) only to a page with math, and no page has any: the test checks.
html_theme = "furo"
html_title = "gradstep"
html_static_path = ["static"]
html_css_files = ["site.css"]
html_copy_source = False  # the .ipynb/.md sources need not be in the site: the repository has them
html_show_sourcelink = False
# Search runs in the page (searchindex.js). Its summaries would fetch() each result page, which a
# browser refuses for a site opened from file:// (an error in the console and no summary).
html_show_search_summary = False


def _sources_digest() -> str:
    """A digest of the packages' code: when it changes, every page (every notebook) is rebuilt,
    because a drawing or a number in an executed notebook may have changed with it."""
    digest = hashlib.sha256()
    for package in ("autograd", "nn"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in (".py", ".js", ".css"):
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


PLAYER_HEIGHTS: dict[str, int] = {}

# The site's navigation. Sphinx builds it from a toctree in the root page, but the README is also
# GitHub's front page, where a toctree would show as a code block: so it is added while reading.
NAVIGATION = """

```{toctree}
:hidden:
:caption: Try it

docs/live
```

```{toctree}
:hidden:
:caption: Notebooks
:glob:

notebooks/*
```

```{toctree}
:hidden:
:caption: Reference

docs/players
docs/api
benchmarks/RESULTS
CONTRIBUTING
```
"""


# The home page opens with where to start (the README opens with make commands, for a checkout).
# "Try it live" slot: the first line of the home page, a link to the site's live page. It is
# shown when the site has that page (docs/live.md, built with the live assets of `make live`).
LIVE_PAGE = "docs/live.md"
TRY_IT_LIVE = f"**▶ [Try it live]({LIVE_PAGE})**: gradstep running in this browser, nothing to install.\n\n"
FRONT_DOOR = """
```{admonition} Where to start
:class: tip gs-start

1. **Read [notebook 01](notebooks/01_derivatives.ipynb)**: a derivative measured by nudging, the
   chain rule, and the lecture's neuron built by hand and backpropagated. The
   [other notebooks](#notebooks-a-curriculum) follow on from it (they are in the menu).
2. **Play a player**, here in the site: [an expression, op by
   op](docs/players.md#an-expression-op-by-op), [a network learning, neuron by
   neuron](docs/players.md#a-network-learning-neuron-by-neuron), [the tape, line by
   line](docs/players.md#the-tape-line-by-line). Press ▶ or step with ← →.
3. **Run it yourself**: [two commands](#two-commands), then [ten lines](#ten-lines).
```

"""
# Each of the README's screenshots leads to the live player it shows (docs/players.md).
SCREENSHOTS = {
    "docs/network_player.png": "docs/players.md#a-network-learning-neuron-by-neuron",
    "docs/player.png": "docs/players.md#an-expression-op-by-op",
    "docs/tape_player.png": "docs/players.md#the-tape-line-by-line",
}


def front_door(readme: str, live: bool) -> str:
    """The README as the site's home page: after its title, the "Try it live" slot (when the site
    has the live page) and where to start; each screenshot linked to its player, with a caption
    that says so. A screenshot the README no longer has is an error, so a link is never lost.

    >>> readme = (ROOT / "README.md").read_text(encoding="utf-8")
    >>> page = front_door(readme, live=True)
    >>> page.splitlines()[2]
    '**▶ [Try it live](docs/live.md)**: gradstep running in this browser, nothing to install.'
    >>> page.count("*▶ [Play it](docs/players.md#"), TRY_IT_LIVE in front_door(readme, live=False)
    (3, False)
    """
    title, _, rest = readme.partition("\n")
    if not title.startswith("# "):
        raise ValueError(f"the README must open with its title, not {title[:40]!r}")
    for picture, player in SCREENSHOTS.items():
        found = re.search(rf"^!\[.*\]\({re.escape(picture)}\)$", rest, re.M)
        if found is None:
            raise ValueError(f"the README has no screenshot {picture} on a line of its own (for {player})")
        caption = f"*▶ [Play it]({player}): this picture is that player, stopped at one step.*"
        linked = f"[{found[0]}]({player})\n\n{caption}"
        rest = rest[: found.start()] + linked + rest[found.end() :]
    return f"{title}\n\n" + (TRY_IT_LIVE if live else "") + FRONT_DOOR + rest


def _navigation(app, docname: str, source: list[str]) -> None:
    if docname == root_doc:
        live = LIVE_PAGE.removesuffix(".md") in app.env.found_docs
        source[0] = front_door(source[0], live) + NAVIGATION


def _write_players(app) -> None:
    """Write the players that docs/players.md embeds, as standalone pages, into the site."""
    from docs.players import site_players

    folder = Path(app.outdir) / "docs" / "players"
    folder.mkdir(parents=True, exist_ok=True)
    for name, player in site_players().items():
        player.save(folder / f"{name}.html")
        PLAYER_HEIGHTS[name] = player._height  # what its iframe needs, as _repr_html_ uses it


ANCHOR = re.compile(r'<a id="([^"]+)">')


def _anchors(app, doctree) -> None:
    """A notebook marks a place to link to with ``<a id="x"></a>`` in a markdown cell (what Jupyter
    understands). Record each as a label of its page, so that a link ``notebook.ipynb#x`` resolves
    on the site too (MyST knows only headings and its own targets)."""
    from docutils import nodes

    labels = app.env.domaindata["std"]["anonlabels"]
    for raw in list(doctree.findall(nodes.raw)):
        for anchor in ANCHOR.findall(raw.astext()):
            labels[f"{app.env.docname}#{anchor}"] = (app.env.docname, anchor)
            labels.setdefault(anchor, (app.env.docname, anchor))  # for a link within the page


def _home_page(app, exception) -> None:
    """Sphinx names the root page after its source (README.html); a copy as index.html opens the
    site from its folder. It sits beside README.html, so its relative links stay right."""
    home = Path(app.outdir) / "README.html"
    if exception is None and app.builder.format == "html" and home.exists():
        shutil.copyfile(home, Path(app.outdir) / "index.html")


# The live page's script, style and assets, laid out by `make live` (docs/live/pack.py); the site
# carries them in _static/live/. Every page loads live.js (23 kB): it builds the live page's editor
# on docs/live.html and offers "Run this notebook live" on a notebook's page; the 15 MB of Python
# and Graphviz load only when Python is started.
LIVE = ROOT / "build" / "live" / "live"


def _live_assets(app) -> None:
    if not (LIVE / "manifest.js").exists():
        raise RuntimeError(f"{LIVE} is missing: run `make live` first (`make docs` does)")
    app.add_js_file("live/live.js")
    app.add_css_file("live/live.css")


def _copy_live(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        shutil.copytree(LIVE, Path(app.outdir) / "_static" / "live", dirs_exist_ok=True)


def setup(app):
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    class PlayerDirective(SphinxDirective):
        """``{player} NAME``: an iframe showing docs/players/NAME.html, and a link to open it alone."""

        required_arguments = 1

        def run(self):
            name = self.arguments[0]
            height = PLAYER_HEIGHTS[name]
            return [
                nodes.raw(
                    "",
                    f'<iframe class="gs-player" src="players/{name}.html" title="{name} player" '
                    f'style="height: {height}px"></iframe>\n'
                    f'<p><a href="players/{name}.html">Open the {name} player on its own page</a></p>',
                    format="html",
                )
            ]

    app.add_config_value("gradstep_sources", _sources_digest(), "env")
    app.add_directive("player", PlayerDirective)
    app.connect("source-read", _navigation)
    app.connect("builder-inited", _write_players)
    app.connect("builder-inited", _live_assets)
    app.connect("build-finished", _copy_live)
    app.connect("build-finished", _home_page)
    app.connect("doctree-read", _anchors)
