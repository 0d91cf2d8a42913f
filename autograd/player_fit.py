"""How tall a player's iframe must be for the whole player to show in it, estimated from its page.

A player shows inline (Jupyter, the documentation site) in an iframe whose height is fixed when the
page is made, before any browser has laid it out, and a page cannot resize the iframe it is in (a
sandboxed notebook output has no script outside it). So the height is worked out here from what
the page holds, laid out as ``player.css`` lays it out: the title; the controls and the step box
(as tall as the longest step's text, wrapped, up to 40% of the window: ``fitText`` in
``player.js``) beside the pinned decision map; the log of earlier steps and the keys, shown when the
window is taller than 700 px; the legend; the drawing, each SVG shrunk to the width (never below
70%), the tape's two tables side by side or, when narrow, one under the other. The width is not
known, so the height is the tallest needed at any width from ``WIDTHS`` (a narrow notebook column
to a wide screen), up to ``MAX_HEIGHT``: a taller drawing scrolls in its own box. Narrower than
that (a phone), player.css puts the map beside the controls and the step box under both; the
height is not worked out for it, and the drawing gets what is left.

``tests/autograd/test_player_fit.py`` checks, in Chromium, that each player fits the height
estimated here; a change to ``player.css`` must keep it passing.

>>> page = '<svg width="300px" height="200px"></svg>'
>>> iframe_height(page, [{"text": "x = 1", "grid": 0, "questions": []}], [("current", "now")])
374
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

WIDTHS = range(600, 1601, 50)  # px: the iframe widths the height must fit
MAX_HEIGHT = 900  # px
TALL = 700  # px: player.css shows the log and the keys in a window taller than this

# The controls (width, height) in px, as Chromium lays them out: the six buttons, speed and its
# value, the phase, the counter; the score's widest text in practice.
BUTTONS = [(78.0, 28.0), (71.0, 28.0), (91.0, 28.0), (68.0, 28.0), (69.0, 28.0), (61.0, 28.0)]
CONTROLS = BUTTONS + [(141.0, 20.0), (84.0, 20.0), (168.0, 20.0), (84.0, 20.0)]
SCORE = (520.0, 20.0)
KEYS = 380  # the legend's list of keys
LEGEND_CHAR = 7.0  # px: the widest average advance of the legend's 12 px sans-serif text
SWATCH = 19
CHAR = 7.9  # px: the step box's 13 px monospace advance (DejaVu Sans Mono 7.83)
LINE = 13 * 1.4
LONGEST_SLIP = 80  # characters: player.js's longest hint for a wrong answer
VERDICT = "✗ not -0.000000 (read as -0.000000): "


def iframe_height(
    svg: str,
    frames: Sequence[dict[str, Any]],
    legend: Iterable[tuple[str, str]],
    start: str = "",
    practice: bool = False,
) -> int:
    """The height in px of an iframe that shows the player of ``svg`` (its drawing), ``frames``
    (``Frame.as_json()``), ``legend``, the text ``start`` shows before the first frame and
    ``practice`` whole at every width of ``WIDTHS``, at
    most ``MAX_HEIGHT``.

    >>> tape = '<div><svg width="430" height="250"></svg><svg width="440" height="250"></svg></div>'
    >>> frames = [{"text": "v1 = v0 * v0", "grid": 0, "questions": []}]
    >>> iframe_height(tape, frames, []) - iframe_height(tape.replace("440", "40"), frames, [])
    260
    """
    texts = [(start, 0), *_step_texts(frames, practice)]
    drawings = _drawings(svg)
    pin = re.search(r'class="[^"]*\bgs-pin\b[^"]*"><rect [^>]*?width="([\d.]+)" height="([\d.]+)"', svg)
    pinned = (float(pin[1]) + 4, float(pin[2]) + 4) if pin else None
    legend = list(legend)
    needed = 0.0
    for width in WIDTHS:
        height = _needed(width, False, texts, drawings, pinned, legend, practice)
        if height > TALL:
            height = _needed(width, True, texts, drawings, pinned, legend, practice)
        needed = max(needed, height)
    return math.ceil(min(needed, MAX_HEIGHT))


def _needed(
    width: int,
    tall: bool,
    texts: list[tuple[str, int]],
    drawings: list[tuple[float, float]],
    pinned: tuple[float, float] | None,
    legend: list[tuple[str, str]],
    practice: bool,
) -> float:
    """The height the page needs in a window ``width`` px wide (``tall``: taller than ``TALL``)."""
    column = width - 24 - (pinned[0] + 12 if pinned else 0)  # the controls' and the step box's
    controls = _rows(CONTROLS + ([SCORE] if practice else []), column, 6, 6) + 6
    below = 14 + (39 if tall else 0) + (32 if practice else 0)  # the box's padding, the log, the quiz
    longest = max(_text_lines(text, grid, column - 22) for text, grid in texts) * LINE + 2
    entries = [(len(t) * LEGEND_CHAR + (SWATCH if kind else 0), 19.0) for kind, t in legend]
    legend_height = 9 + 19 * len(_pack(entries + ([(KEYS, 19.0)] if tall else []), width - 24, 14))
    # each SVG shrunk to the drawing box's width; the first never below 70% (then it scrolls sideways)
    box = width - 12
    widths = [max(min(w, box), 0.7 * w if k == 0 else 0.0) for k, (w, _) in enumerate(drawings)]
    shrunk = [(shown, h * shown / w) for shown, (w, h) in zip(widths, drawings)]
    sideways = bool(drawings) and widths[0] > box
    drawing = _rows(shrunk, box, 28, 10) + 12 + (15 if sideways else 0)

    def total(text: float) -> float:
        top = max(controls + text + below, pinned[1] if pinned else 0.0)
        return 15 + (28 if tall else 24) + top + legend_height + drawing

    # the step box is as tall as the longest text, up to 40% of the window (at least 60 px)
    height = total(longest)
    for _ in range(60):  # a fixed point: the window is the page itself
        height = total(min(longest, max(60.0, 0.4 * height)))
    return height


def _pack(items: list[tuple[float, float]], width: float, gap: float) -> list[float]:
    """The heights of the lines a wrapping flex box of ``width`` lays ``items`` (width, height) on."""
    lines: list[float] = []
    used = math.inf
    for w, h in items:
        if used + gap + w <= width:
            used += gap + w
            lines[-1] = max(lines[-1], h)
        else:
            lines.append(h)
            used = w
    return lines


def _rows(items: list[tuple[float, float]], width: float, gap: float, row_gap: float) -> float:
    lines = _pack(items, width, gap)
    return sum(lines) + row_gap * max(len(lines) - 1, 0)


def _text_lines(text: str, grid: int, width: float) -> int:
    """How many lines ``text`` takes in the step box, ``width`` px wide (its last ``grid`` lines
    set side by side in columns, as ``showText`` in ``player.js`` sets them)."""
    columns = max(int(width // CHAR), 1)
    lines = text.split("\n")
    items = [line.strip() for line in lines[len(lines) - grid :]] if grid else []
    wrapped = sum(len(textwrap.wrap(line, columns, break_on_hyphens=False, drop_whitespace=False)) or 1
                  for line in lines[: len(lines) - grid])  # fmt: skip
    if items:
        across = max((columns - 3) // (max(map(len, items)) + 3), 1)
        wrapped += math.ceil(len(items) / across)
    return wrapped


def _step_texts(frames: Sequence[dict[str, Any]], practice: bool) -> list[tuple[str, int]]:
    """Every text the step box shows, as ``fitText`` in ``player.js`` measures them: (text, grid)."""
    texts = []
    for frame in frames:
        texts.append((frame["text"], frame["grid"]))
        if not practice:
            continue
        asked = frame["questions"]
        for k, question in enumerate(asked):
            earlier = [q["done"] + "  (revealed)" for q in asked[:k]]
            hint = "hint: " + VERDICT + "x" * max(len(question["hint"]), LONGEST_SLIP)
            texts.append(("\n".join([*earlier, question["ask"], hint]), 0))
    return texts


def _drawings(svg: str) -> list[tuple[float, float]]:
    """The (width, height) in px of each outermost ``<svg>`` of the drawing."""
    found, depth = [], 0
    for tag in re.finditer(r"<(/?)svg\b([^>]*)>", svg):
        if tag[1]:
            depth -= 1
            continue
        if depth == 0:
            found.append((_length(tag[2], "width"), _length(tag[2], "height")))
        depth += 0 if tag[2].rstrip().endswith("/") else 1
    return [(w, h) for w, h in found if w > 0 and h > 0]


def _length(attributes: str, name: str) -> float:
    match = re.search(rf'\b{name}="([\d.]+)(pt|px)?"', attributes)
    return float(match[1]) * (4 / 3 if match[2] == "pt" else 1.0) if match else 0.0
