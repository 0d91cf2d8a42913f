"""Helpers for driving a player page in headless Chromium and checking what a learner would see."""

from __future__ import annotations

import re
from typing import Any

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 800, "height": 600}]


class Watched:
    """A page with its console errors, page errors, dialogs and requests recorded."""

    def __init__(self, browser: Any, viewport: dict[str, int] | None = None) -> None:
        self.page = browser.new_page(viewport=viewport or {"width": 1280, "height": 800})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.url = "about:blank"
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def open(self, player: Any, tmp_path: Any, name: str = "player.html") -> Watched:
        self.url = player.save(tmp_path / name).resolve().as_uri()
        self.page.goto(self.url)
        return self

    def clean(self) -> None:
        """Assert that nothing went wrong and nothing was fetched, then close the page."""
        assert self.errors == [] and self.dialogs == []
        assert all(url == self.url or url.startswith("data:") for url in self.requests), self.requests
        self.page.close()


# Every text of the drawing that leaves the box it belongs to: for a cell of nn's picture (or an
# edge label) its own rect; for a Graphviz node, the smallest polygon around the text's middle
# (its table cell). Returns [element id, text, text box, cell box] for each.
TEXTS_OUTSIDE_THEIR_BOXES = """() => {
  const bad = [], slack = 0.5;
  const inside = (b, r) => b.x >= r.x - slack && b.y >= r.y - slack &&
    b.x + b.width <= r.x + r.width + slack && b.y + b.height <= r.y + r.height + slack;
  const box = (b) => [b.x, b.y, b.width, b.height].map((v) => Math.round(v * 10) / 10);
  for (const g of document.querySelectorAll("#gs-graph svg .gs-cell, #gs-graph svg .gs-label")) {
    const r = g.querySelector("rect").getBBox();
    for (const t of g.querySelectorAll("text")) {
      if (!t.textContent) continue;
      const b = t.getBBox();
      if (!inside(b, r)) bad.push([g.id, t.textContent, box(b), box(r)]);
    }
  }
  for (const g of document.querySelectorAll("#gs-graph svg g.node")) {
    const cells = [...g.querySelectorAll("polygon")].map((p) => p.getBBox());
    for (const t of g.querySelectorAll("text")) {
      const b = t.getBBox(), cx = b.x + b.width / 2, cy = b.y + b.height / 2;
      const around = cells
        .filter((c) => cx >= c.x && cx <= c.x + c.width && cy >= c.y && cy <= c.y + c.height)
        .sort((p, q) => p.width * p.height - q.width * q.height)[0];
      if (around && !inside(b, around)) bad.push([g.id, t.textContent, box(b), box(around)]);
    }
  }
  return bad;
}"""

# Pairs of visible edge labels of nn's picture whose boxes overlap.
OVERLAPPING_LABELS = """() => {
  const shown = [...document.querySelectorAll("#gs-graph svg .gs-label")]
    .filter((g) => getComputedStyle(g).visibility === "visible")
    .map((g) => [g.id, g.querySelector("rect").getBoundingClientRect()]);
  const pairs = [];
  for (let i = 0; i < shown.length; i++)
    for (let j = i + 1; j < shown.length; j++) {
      const a = shown[i][1], b = shown[j][1];
      const apart = a.right - 0.5 <= b.left || b.right - 0.5 <= a.left ||
        a.bottom - 0.5 <= b.top || b.bottom - 0.5 <= a.top;
      if (!apart) pairs.push([shown[i][0], shown[j][0]]);
    }
  return pairs;
}"""

# Where the drawing's box is on the page and how big the drawing is: constant across frames.
LAYOUT = """() => {
  const box = document.getElementById("gs-graph").getBoundingClientRect();
  const svg = document.querySelector("#gs-graph svg").getBoundingClientRect();
  return [box.left, box.top, box.width, box.height, svg.width, svg.height].map(Math.round);
}"""


def svg_text(page: Any, element_id: str, index: int = -1) -> str:
    """The text number ``index`` (negative: from the end) inside the element ``element_id``."""
    return page.eval_on_selector(
        f"#{element_id}", f"g => [...g.querySelectorAll('text')].at({index}).textContent"
    )


def ids(page: Any, css_class: str) -> set[str]:
    return set(page.eval_on_selector_all(f".{css_class}", "els => els.map(e => e.id)"))


# What a learner could miss on the current frame: the step text cut off (its box scrolls, down or
# sideways), a line of the earlier steps cut by the log's edges (a sliver of one at the top or
# bottom, or one running past the right edge with no "…"), the verdict cut short, the legend out of
# the window, what must always be in view (the argument, a CSS selector; by default what the
# drawing pins beside the step box, .gs-pin: the decision map) not wholly in view, what the frame
# is about (the first element receiving the result, else the first current one) outside the
# drawing's visible box, the title of a card that receives something scrolled away, or anything of
# the page (a control, a legend entry, the page itself) running past the window's right edge.
# Returns the problems.
FRAME_ON_SCREEN = """(always = ".gs-pin") => {
  const bad = [];
  const text = document.getElementById("gs-text");
  if (text.scrollHeight > text.clientHeight + 1)
    bad.push(`step text cut: ${text.scrollHeight} > ${text.clientHeight}`);
  if (text.scrollWidth > text.clientWidth + 1)
    bad.push(`step text wider than its box: ${text.scrollWidth} > ${text.clientWidth}`);
  const log = document.getElementById("gs-log");
  const logTop = log.getBoundingClientRect().top + log.clientTop, logBottom = logTop + log.clientHeight;
  for (const line of log.children) {
    const r = line.getBoundingClientRect();
    if (r.height === 0) continue;
    const across = (edge) => r.top < edge - 0.5 && r.bottom > edge + 0.5;
    if (across(logTop) || across(logBottom))
      bad.push(`earlier step cut by the log's edge: ${line.textContent.slice(0, 40)}`);
    const style = getComputedStyle(line);
    const elided = style.textOverflow === "ellipsis" && style.overflowX === "hidden";
    if (line.scrollWidth > line.clientWidth + 1 && !elided)
      bad.push(`earlier step cut at the right with no …: ${line.textContent.slice(0, 40)}`);
  }
  const verdict = document.getElementById("gs-verdict");
  if (verdict && verdict.scrollWidth > verdict.clientWidth + 1)
    bad.push(`verdict cut: ${verdict.textContent}`);
  const legend = document.getElementById("gs-legend").getBoundingClientRect();
  if (legend.height === 0 || legend.top < 0 || legend.bottom > innerHeight) bad.push("legend out of view");
  const graph = document.getElementById("gs-graph"), box = graph.getBoundingClientRect();
  const right = box.left + graph.clientWidth, bottom = box.top + graph.clientHeight;
  const seen = (r) =>
    r.left >= box.left - 1 && r.right <= right + 1 && r.top >= box.top - 1 && r.bottom <= bottom + 1;
  for (const e of document.querySelectorAll(always)) {
    const r = e.getBoundingClientRect();
    const whole =
      r.width > 0 && r.left >= -1 && r.top >= -1 && r.right <= innerWidth + 1 && r.bottom <= innerHeight + 1;
    if (!whole || (graph.contains(e) && !seen(r))) bad.push(`${e.id} not wholly in view`);
  }
  const targets = [...document.querySelectorAll("#gs-graph .gs-target")];
  const active = targets.length ? targets : [...document.querySelectorAll("#gs-graph .gs-current")];
  const shown = active.filter((e) => e.getBoundingClientRect().width > 0);
  if (shown.length && !seen(shown[0].getBoundingClientRect())) bad.push(`${shown[0].id} out of view`);
  for (const e of targets) {
    const card = e.closest(".gs-card"), title = card && card.querySelector(".gs-title");
    if (title && !seen(title.getBoundingClientRect())) bad.push(`the title of ${card.id} out of view`);
  }
  if (document.documentElement.scrollWidth > innerWidth + 1) bad.push("the page is wider than the window");
  const parts = "#gs-top button, #gs-top span, #gs-top label, #gs-legend > span";
  for (const e of document.querySelectorAll(parts)) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > innerWidth + 1)
      bad.push(`${e.id || e.textContent.slice(0, 30)} cut at the right edge`);
  }
  return bad;
}"""


def answer_in(question: str, answer: float) -> bool:
    """Whether ``question`` gives away its ``answer``: the number after an "=" (as the players
    write it, to 4 significant digits, or to 3)."""
    from autograd.text import format_number

    forms = {format_number(answer, 4), format_number(answer), f"{answer:.3g}"}
    return any(re.search(rf"= {re.escape(form)}(?![\d.])", question) for form in forms)


def step_and_try(page: Any, wrong: str = "12345") -> list[str]:
    """One step forward; on a question, a wrong answer first (so the hint shows), then the
    answers revealed (→). Returns the FRAME_ON_SCREEN problems seen on the way."""
    page.keyboard.press("ArrowRight")
    seen = []
    if page.is_enabled("#gs-answer"):
        page.fill("#gs-answer", wrong)
        page.press("#gs-answer", "Enter")
        seen += page.evaluate(FRAME_ON_SCREEN)
        page.keyboard.press("Escape")
        page.keyboard.press("ArrowRight")
    return seen + page.evaluate(FRAME_ON_SCREEN)
