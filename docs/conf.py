"""Sphinx configuration of gradstep's documentation site: ``make docs`` builds it into ``build/site/``.

The source folder is the repository itself (``sphinx-build -c docs . build/site``), so the README is
the home page with its links (``notebooks/01_derivatives.ipynb``, ``docs/player.png``,
``autograd/ops.py``) resolving on the site exactly as they do on GitHub. MyST-NB executes every
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
include_patterns = ["README.md", "CONTRIBUTING.md", "notebooks/*.ipynb", "docs/*.md"]
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
CONTRIBUTING
```
"""


def _navigation(app, docname: str, source: list[str]) -> None:
    if docname == root_doc:
        source[0] += NAVIGATION


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
