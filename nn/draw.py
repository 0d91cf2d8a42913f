"""The network view: an MLP drawn as inputs, neurons and weights, laid out here (no Graphviz needed).

Columns run left to right (the inputs, each layer, then the loss when there is one), and inside a
column inputs and neurons go in index order, top to bottom. Each neuron is a card: its name and
activation, then one row per number it holds, with the number and, once backward has reached it,
its gradient d(loss)/d(that number)::

    h[1,0] · relu      grad
    w0    0.368    -0.1763      ← the edge from input 0 of this neuron ends on its weight's row
    b     0        -0.4531
    z     0.1893   -0.4531      z = w·x + b
    out   0.1893   -0.4531      out = relu(z)

An edge is drawn per weight, blue for a positive weight and red for a negative one, wider for a
larger ``|weight|`` (TensorFlow Playground's picture). When the cards would be too tall to hold one row
per weight, the layout is *compact*: a card holds b, z and out, and each weight's number is written
on its edge when the edge is highlighted or hovered (the page says so). Every cell is sized for the
widest text it will ever show, so no number leaves its box.

SVG ids (used by the player and by tests): ``in<i>`` input i, ``n<l>_<j>`` neuron j of layer l,
its cells ``n<l>_<j>-<row>-v`` (value) and ``-g`` (gradient) for rows ``w<i>``, ``b``, ``z``,
``out``; ``w<l>_<j>_<i>`` the edge of weight i of that neuron (its line ``…-line``, in compact
layouts its labels ``…-into`` and ``…-outof``), ``loss`` the loss card, ``map`` the decision
map's card (class ``gs-pin``: a player shows it beside its step box, in view at every frame).

>>> import nn
>>> picture = draw_network(nn.MLP(2, [3, 1], seed=0), inputs=[1.0, -2.0])
>>> 'id="n0_2-w1-v"' in picture.svg and 'id="w1_0_2-line"' in picture.svg
True
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from autograd import Value, topological_order
from autograd.extend import NO_GRAD, format_number, shorten, sign_colour, write_atomically

from .checks import check_mlp, is_real

if TYPE_CHECKING:
    from .module import MLP

__all__ = ["NetworkDrawing", "by_layer", "by_neuron", "draw_network", "neuron_name"]

SHOWS = ("weights", "grads")

# Text metrics. Numbers are set in a monospace font, so a text's width is its length times one
# advance; 0.64 em is a little wider than the common monospace fonts (DejaVu Sans Mono and Menlo
# 0.60, Consolas 0.55), so a cell sized here holds its text in any of them.
FONT_SIZE = 11.0
ADVANCE = 0.64 * FONT_SIZE
FONT = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"
PAD = 5.0  # between a cell's text and its border
ROW = 17.0  # height of a row of a card
HEAD = 19.0  # height of a card's title row
GAP_Y = 14.0  # between two cards of a column
MARGIN = 12.0
LABEL_LINE = 13.0  # one line of an edge label
CHART_MARGIN = 8.0  # around a card's plot
MAP_SIZE = (150.0, 150.0)  # the decision map's plot area
CURVE = (150.0, 70.0)  # the plot area of the network player's loss curve
ROWS_FIT = 1000.0  # a column taller than this (px) with one row per weight: use the compact layout
BLUE, RED = sign_colour(1.0, 1.0), sign_colour(-1.0, 1.0)  # a class's dots on the map: out > 0 and < 0


def neuron_name(layer: int, index: int, layers: int) -> str:
    """``h[l,j]`` for hidden neuron j of layer l, ``out[j]`` in the last of ``layers`` layers.

    >>> neuron_name(0, 3, 2), neuron_name(1, 0, 2)
    ('h[0,3]', 'out[0]')
    """
    return f"out[{index}]" if layer == layers - 1 else f"h[{layer},{index}]"


def _width(text: str) -> float:
    return len(text) * ADVANCE


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class DecisionMap:
    """What the decision-map card shows: the network's output over ``region`` (x0 low, x0 high,
    x1 low, x1 high) as squares coloured ``fills[row][column]`` (row 0 at the top: the largest
    x1), the sample ``point``, and a ``caption`` above."""

    region: tuple[float, float, float, float]
    point: tuple[float, float]
    fills: list[list[str]]
    caption: str = ""
    data: list[tuple[float, float, bool]] = field(default_factory=list)  # (x0, x1, high class?)
    classes: tuple[str, str] = ("", "")  # the targets of the high and the low class, as written


@dataclass
class Card:
    """One box of the drawing: a title row (optional) and rows of cells [key, value, grad]."""

    id: str
    title: str = ""
    hint: str = ""  # right-aligned in the title row, over the gradient column
    rows: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (key, value id, grad id)
    chart: tuple[float, float] | None = None  # a plot area (width, height) under the rows
    map: DecisionMap | None = None  # the plot is this map, not a curve
    x: float = 0.0
    y: float = 0.0


@dataclass
class Edge:
    """A line from one card's row to another's, with optional labels (compact layouts)."""

    id: str
    source: tuple[str, str]  # (card id, row key) it leaves from, on the right
    target: tuple[str, str]  # (card id, row key) it ends at, on the left
    colour: str = "#8c959f"
    width: float = 1.0
    title: str = ""
    labels: tuple[str, ...] = ()  # ids of its label groups: "…-into" (near the source), "…-outof"
    dashed: bool = False


class Layout:
    """Cards in columns and edges between their rows, sized for the texts they will ever show.

    ``texts`` gives each cell's first text; ``widest`` every text a cell will show (frames of a
    player included): each column of cells is as wide as its widest text.
    """

    def __init__(self, columns: list[list[Card]], edges: list[Edge], texts: Mapping[str, str],
                 widest: Mapping[str, Iterable[str]], compact_gaps: set[int],
                 narrow_gaps: set[int]) -> None:  # fmt: skip
        self.columns, self.edges, self.texts = columns, edges, dict(texts)
        self.compact_gaps, self.narrow_gaps = compact_gaps, narrow_gaps
        longest: dict[str, float] = {}
        for cell in {*self.texts, *widest}:
            kind = _kind(cell)
            for text in (*widest.get(cell, ()), self.texts.get(cell, "")):
                longest[kind] = max(longest.get(kind, 0.0), _width(text))
        # whole pixels, rounded up: the coordinates are written with one decimal
        self.value_w = math.ceil(max(longest.get("v", 0.0), _width(NO_GRAD)) + 2 * PAD)
        self.grad_w = math.ceil(max(longest.get("g", 0.0), _width(NO_GRAD)) + 2 * PAD)
        self.label_w = math.ceil(max(longest.get("l", 0.0), _width("0.0000")) + 2 * PAD)
        self.label_h = 2 * LABEL_LINE + 4
        self._place()

    # -- geometry ----------------------------------------------------------------------------

    def key_w(self, card: Card) -> float:
        return math.ceil(max((_width(key) for key, _, _ in card.rows), default=0.0) + 2 * PAD)

    def card_size(self, card: Card) -> tuple[float, float]:
        has_grad = any(g is not None for _, _, g in card.rows)
        width = self.key_w(card) + self.value_w + (self.grad_w if has_grad else 0.0)
        title = _width(card.title) + (_width(card.hint) + 3 * PAD if card.hint else 0.0) + 2 * PAD
        height = (HEAD if card.title else 0.0) + ROW * len(card.rows)
        if card.chart:  # the plot, and a line of labels above and under it
            width = max(width, card.chart[0] + 2 * CHART_MARGIN)
            height += card.chart[1] + 2 * CHART_MARGIN + 20
            if card.map is not None and card.map.data:  # and the key to the dots' colours
                height += 12
        return max(width, title), height

    def row_y(self, card: Card, key: str) -> float:
        """The vertical middle of the row ``key`` of ``card``."""
        for k, (row_key, _, _) in enumerate(card.rows):
            if row_key == key:
                return card.y + (HEAD if card.title else 0.0) + ROW * (k + 0.5)
        raise KeyError(f"card {card.id} has no row {key!r}")

    def _place(self) -> None:
        self.cards = {card.id: card for column in self.columns for card in column}
        sizes = {card.id: self.card_size(card) for card in self.cards.values()}
        widths = [max((sizes[c.id][0] for c in column), default=0.0) for column in self.columns]
        # the gap after column k: room for the edge labels of a compact gap, else for the lines
        # (a narrow gap holds only the lines from the outputs into the loss)
        gaps = [
            56.0 if k in self.narrow_gaps else 2.6 * self.label_w + 40 if k in self.compact_gaps else 96.0
            for k in range(len(self.columns) - 1)
        ]
        # In a compact gap, labels sit at a fraction t of the way along their edge; the labels of
        # the edges into one neuron (or out of one) are then (1 - t) (or t) card pitches apart.
        self.t_into = (self.label_w / 2 + 8) / max(gaps + [1.0])
        pitch_floor = (self.label_h + 6) / (1 - self.t_into)
        heights, pitches = [], []
        for k, column in enumerate(self.columns):
            tallest = max((sizes[c.id][1] for c in column), default=0.0)
            compact = k in self.compact_gaps or k - 1 in self.compact_gaps
            pitch = max(tallest + GAP_Y, pitch_floor if compact else 0.0)
            pitches.append(pitch)
            stacked = column and column[0].id == "loss"  # the loss, its curve, the map: each its own height
            heights.append(
                sum(sizes[c.id][1] + GAP_Y for c in column) - GAP_Y
                if stacked
                else len(column) * pitch - GAP_Y
            )
        total = max(heights, default=0.0)
        x = MARGIN
        for k, column in enumerate(self.columns):
            top = MARGIN + (total - heights[k]) / 2
            for j, card in enumerate(column):
                w, h = sizes[card.id]
                card.x = x + (widths[k] - w) / 2
                if column[0].id == "loss":
                    card.y, top = top, top + h + GAP_Y
                else:
                    card.y = top + j * pitches[k] + (pitches[k] - GAP_Y - h) / 2
            x += widths[k] + (gaps[k] if k < len(gaps) else 0.0)
        self.width = x + MARGIN
        self.height = total + 2 * MARGIN
        self.sizes = sizes

    def ends(self, edge: Edge) -> tuple[float, float, float, float]:
        source, target = self.cards[edge.source[0]], self.cards[edge.target[0]]
        x1 = source.x + self.sizes[source.id][0]
        return x1, self.row_y(source, edge.source[1]), target.x, self.row_y(target, edge.target[1])

    # -- SVG ----------------------------------------------------------------------------------

    def svg(self) -> str:
        """The drawing as an ``<svg>`` element with the ids described in the module docstring."""
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="gs-network" width="{self.width:.0f}px" '
            f'height="{self.height:.0f}px" viewBox="0 0 {self.width:.1f} {self.height:.1f}" '
            f'font-family="{_esc(FONT)}" font-size="{FONT_SIZE:g}">',
            "<style>"
            ".gs-network .gs-key{fill:#57606a}.gs-network .gs-g{fill:#6d28d9}"
            ".gs-network .gs-title{font-weight:bold}.gs-network .gs-hint{fill:#8c959f;font-style:italic}"
            ".gs-network .gs-label{visibility:hidden}.gs-network .gs-label.gs-show,"
            ".gs-network .gs-label.gs-hover{visibility:visible}"
            ".gs-network .gs-hit{stroke:transparent;stroke-width:9px}"
            "</style>",
        ]
        out.append('<g class="gs-edges">')
        for edge in self.edges:
            x1, y1, x2, y2 = self.ends(edge)
            dash = ' stroke-dasharray="4 3"' if edge.dashed else ""
            title = f"<title>{_esc(shorten(edge.title))}</title>" if edge.title else ""
            hover = f' data-hover="{" ".join(edge.labels)}"' if edge.labels else ""
            out.append(
                f'<g id="{edge.id}" class="gs-wedge">'
                f'<line id="{edge.id}-line" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{edge.colour}" stroke-width="{edge.width:.2f}"{dash}/>'
                f'<line class="gs-hit" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"{hover}>'
                f"{title}</line></g>"
            )
        out.append("</g>")
        for card in self.cards.values():
            out.append(self._card_svg(card))
        out.append('<g class="gs-labels">')
        for edge in self.edges:
            for label in edge.labels:
                out.append(self._label_svg(edge, label))
        out.append("</g></svg>")
        return "".join(out)

    def _cell(self, cell_id: str | None, x: float, y: float, w: float, h: float, text: str,
              css: str, anchor: str = "start") -> str:  # fmt: skip
        tx = x + PAD if anchor == "start" else x + w - PAD
        ident = f' id="{cell_id}"' if cell_id else ""
        return (
            f'<g{ident} class="gs-cell"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="white" stroke="#d0d7de"/><text class="{css}" x="{tx:.1f}" y="{y + h / 2:.1f}" '
            f'dominant-baseline="central" text-anchor="{anchor}">{_esc(text)}</text></g>'
        )

    def _card_svg(self, card: Card) -> str:
        w, h = self.sizes[card.id]
        pinned = " gs-pin" if card.map is not None else ""
        parts = [
            f'<g id="{card.id}" class="gs-card{pinned}">'
            f'<rect x="{card.x:.1f}" y="{card.y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" '
            f'fill="white" stroke="#57606a" stroke-width="1.2"/>'
        ]
        y = card.y
        if card.title:
            parts.append(
                f'<text class="gs-title" x="{card.x + PAD:.1f}" y="{y + HEAD / 2:.1f}" '
                f'dominant-baseline="central">{_esc(card.title)}</text>'
            )
            if card.hint:
                parts.append(
                    f'<text class="gs-hint" x="{card.x + w - PAD:.1f}" y="{y + HEAD / 2:.1f}" '
                    f'dominant-baseline="central" text-anchor="end">{_esc(card.hint)}</text>'
                )
            y += HEAD
        if card.chart:
            parts.append(self._chart_svg(card, card.x + (w - card.chart[0]) / 2, y + CHART_MARGIN + 10))
        key_w = self.key_w(card)
        has_grad = any(g is not None for _, _, g in card.rows)
        value_w = w - key_w - (self.grad_w if has_grad else 0.0)
        for key, value_id, grad_id in card.rows:
            x = card.x
            parts.append(self._cell(None, x, y, key_w, ROW, key, "gs-key"))
            x += key_w
            text = self.texts.get(value_id, "") if value_id else ""
            parts.append(self._cell(value_id, x, y, value_w, ROW, text, "gs-v", "end"))
            if has_grad:
                x += value_w
                text = self.texts.get(grad_id, "") if grad_id else ""
                parts.append(self._cell(grad_id, x, y, self.grad_w, ROW, text, "gs-g", "end"))
            y += ROW
        parts.append("</g>")
        return "".join(parts)

    def _chart_svg(self, card: Card, x: float, y: float) -> str:
        """An empty plot: axes and a line ``<card id>-line`` whose ``points`` (in the plot's own
        coordinates, 0,0 at the top left) a player sets; or, for a card with a ``grid``, the map."""
        if card.map is not None:
            return self._map_svg(card, x, y)
        w, h = card.chart or (0.0, 0.0)
        top, steps = (self.texts.get(f"{card.id}-{end}", "") for end in ("top", "steps"))
        small = 'font-size="9" fill="#57606a"'
        return (
            f'<g transform="translate({x:.1f},{y:.1f})"><path d="M0,0 V{h:.1f} H{w:.1f}" fill="none" '
            f'stroke="#8c959f"/><polyline id="{card.id}-line" points="" fill="none" stroke="#6d28d9" '
            f'stroke-width="2"/><text x="0" y="-4" {small}>{_esc(top)}</text>'
            f'<text x="0" y="{h + 10:.1f}" {small}>0</text>'
            f'<text x="{w:.1f}" y="{h + 10:.1f}" {small} text-anchor="end">{_esc(steps)}</text></g>'
        )

    def _map_svg(self, card: Card, x: float, y: float) -> str:
        """The decision map: squares ``<card id>-<row>-<column>`` whose ``fill`` a player sets
        after each update, the sample as a ring, a caption ``<card id>-when`` above and the
        region's bounds below."""
        plot = card.map
        assert plot is not None
        w, h = card.chart or MAP_SIZE
        n = len(plot.fills)
        side_w, side_h = w / n, h / n
        small = 'font-size="9" fill="#57606a"'
        parts = [f'<g transform="translate({x:.1f},{y:.1f})" shape-rendering="crispEdges">']
        for r, row in enumerate(plot.fills):
            for c, fill in enumerate(row):  # a hair larger than the step: no seams between squares
                parts.append(
                    f'<rect id="{card.id}-{r}-{c}" x="{c * side_w:.1f}" y="{r * side_h:.1f}" '
                    f'width="{side_w + 0.2:.1f}" height="{side_h + 0.2:.1f}" fill="{fill}"/>'
                )
        x0_low, x0_high, x1_low, x1_high = plot.region
        px, py = plot.point
        cx, cy = w * (px - x0_low) / (x0_high - x0_low), h * (x1_high - py) / (x1_high - x1_low)
        bounds = ", ".join(
            f"{name} {format_number(low, 2)}…{format_number(high, 2)}"
            for name, low, high in (("x0", x0_low, x0_high), ("x1", x1_low, x1_high))
        )
        parts.append(f'<g id="{card.id}-data">')
        for p0, p1, high in plot.data:
            if x0_low <= p0 <= x0_high and x1_low <= p1 <= x1_high:
                dx, dy = w * (p0 - x0_low) / (x0_high - x0_low), h * (x1_high - p1) / (x1_high - x1_low)
                fill = BLUE if high else RED
                parts.append(f'<circle cx="{dx:.1f}" cy="{dy:.1f}" r="2.5" fill="{fill}" stroke="white" '
                             'stroke-width="1"/>')  # fmt: skip
        parts.append("</g>")
        parts.append(
            f'<circle id="{card.id}-x" cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="none" stroke="#1f2328" '
            f'stroke-width="2"/><rect width="{w:.1f}" height="{h:.1f}" fill="none" stroke="#8c959f"/>'
            f'<g id="{card.id}-when"><text x="0" y="-4" {small}>{_esc(plot.caption)}</text></g>'
            f'<text x="0" y="{h + 10:.1f}" {small}>{_esc(bounds)}</text>'
        )
        if plot.data:
            upper, lower = plot.classes
            parts.append(
                f'<g id="{card.id}-key"><circle cx="3" cy="{h + 19:.1f}" r="3" fill="{BLUE}"/>'
                f'<text x="9" y="{h + 22:.1f}" {small}>y = {_esc(upper)}</text>'
                f'<circle cx="{w / 2 + 3:.1f}" cy="{h + 19:.1f}" r="3" fill="{RED}"/>'
                f'<text x="{w / 2 + 9:.1f}" y="{h + 22:.1f}" {small}>y = {_esc(lower)}</text></g>'
            )
        parts.append("</g>")
        return "".join(parts)

    def _label_svg(self, edge: Edge, label: str) -> str:
        x1, y1, x2, y2 = self.ends(edge)
        t = self.t_into if label.endswith("-into") else 1 - self.t_into
        cx, cy = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        w, h = self.label_w, self.label_h
        x, y = cx - w / 2, cy - h / 2
        value, grad = self.texts.get(label + ".0", ""), self.texts.get(label + ".1", "")
        return (
            f'<g id="{label}" class="gs-label"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
            f'height="{h:.1f}" rx="3" fill="white" fill-opacity="0.95" stroke="{edge.colour}"/>'
            f'<text class="gs-v" x="{x + w - PAD:.1f}" y="{y + 2 + LABEL_LINE / 2:.1f}" '
            f'dominant-baseline="central" text-anchor="end">{_esc(value)}</text>'
            f'<text class="gs-g" x="{x + w - PAD:.1f}" y="{y + 2 + 1.5 * LABEL_LINE:.1f}" '
            f'dominant-baseline="central" text-anchor="end">{_esc(grad)}</text></g>'
        )


def _kind(key: str) -> str:
    """Which column a text sits in: "v" value, "g" gradient, "l" an edge label (see cell_key)."""
    if key.endswith((".0", ".1")):
        return "l"
    return key.rsplit("-", 1)[-1]


@dataclass
class NetworkDrawing:
    """A drawn network: ``svg`` (the markup), shown inline by Jupyter, written by ``save``."""

    svg: str
    compact: bool

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:  # in a terminal nothing displays: say what to do, not 10 KB of markup
        return (
            "<network drawing: it shows itself in Jupyter and on the live page; in a terminal, "
            ".save('network.svg') writes it for a browser>"
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the SVG to ``path`` (through a temporary file, so a reader never sees half of it)."""
        return write_atomically(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + self.svg)


def weight_style(value: float, largest: float) -> tuple[str, float]:
    """An edge's colour (the sign) and width (magnitude against the largest), TensorFlow Playground's way.

    >>> weight_style(-1.0, 2.0)
    ('#cd6975', 2.75)
    """
    share = min(abs(value) / largest, 1.0) if largest and math.isfinite(value) else 1.0
    return sign_colour(value, largest, floor=0.3), round(0.5 + 4.5 * share, 2)


class NetworkPicture:
    """The cards and edges of one MLP, with every cell's first text: what draw_network and the
    network player both draw. ``compact`` puts the weights on the edges instead of in the cards."""

    def __init__(
        self,
        model: MLP,
        compact: bool | None,
        loss: str | None = None,
        outputs: int = 0,
        curve: bool = False,
        decision_map: DecisionMap | None = None,
    ) -> None:
        self.model = model
        layers = model.layers
        self.names = [
            [neuron_name(li, j, len(layers)) for j in range(layer.nout)] for li, layer in enumerate(layers)
        ]
        if compact is None:
            compact = self._rows_too_tall()
        self.compact = compact
        self.texts: dict[str, str] = {"loss-y-v": NO_GRAD, "loss-v": NO_GRAD, "loss-g": NO_GRAD,
                                      "loss-after-v": NO_GRAD}  # fmt: skip
        columns: list[list[Card]] = [
            [Card(f"in{i}", rows=[(f"x{i}", f"in{i}-v", None)]) for i in range(model.nin)]
        ]
        for li, layer in enumerate(layers):
            column = []
            for j, neuron in enumerate(layer.neurons):
                card = Card(f"n{li}_{j}", title=f"{self.names[li][j]} · {neuron.activation}", hint="grad")
                if not compact:
                    card.rows += [
                        (f"w{i}", f"n{li}_{j}-w{i}-v", f"n{li}_{j}-w{i}-g") for i in range(len(neuron.w))
                    ]
                if neuron.b is not None:
                    card.rows.append(("b", f"n{li}_{j}-b-v", f"n{li}_{j}-b-g"))
                card.rows += [
                    ("z", f"n{li}_{j}-z-v", f"n{li}_{j}-z-g"),
                    ("out", f"n{li}_{j}-out-v", f"n{li}_{j}-out-g"),
                ]
                column.append(card)
            columns.append(column)
        self.edges: list[Edge] = []
        for li, layer in enumerate(layers):
            sources = (
                [f"in{i}" for i in range(layer.nin)]
                if li == 0
                else [f"n{li - 1}_{i}" for i in range(layer.nin)]
            )
            source_rows = [f"x{i}" for i in range(layer.nin)] if li == 0 else ["out"] * layer.nin
            source_names = [f"x{i}" for i in range(layer.nin)] if li == 0 else self.names[li - 1]
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    ident = f"w{li}_{j}_{i}"
                    self.edges.append(
                        Edge(
                            ident,
                            (sources[i], source_rows[i]),
                            (f"n{li}_{j}", "z" if compact else f"w{i}"),
                            title=f"{w.label or ident}: from {source_names[i]} into {self.names[li][j]}",
                            labels=(f"{ident}-into", f"{ident}-outof") if compact else (),
                        )
                    )
        if loss is not None:
            rows: list[tuple[str, str | None, str | None]] = [
                ("y", "loss-y-v", None), ("loss", "loss-v", "loss-g"), ("after", "loss-after-v", None)
            ]  # fmt: skip
            column = [Card("loss", title=f"loss · {loss}", hint="grad", rows=rows)]
            if curve:
                column.append(Card("curve", title="loss after each step", chart=CURVE))
            if decision_map is not None:
                column.append(
                    Card("map", title="out over the plane (x0, x1)", chart=MAP_SIZE, map=decision_map)
                )
            columns.append(column)
            for k in range(outputs):
                self.edges.append(
                    Edge(
                        f"c{k}",
                        (f"n{len(layers) - 1}_{k}", "out"),
                        ("loss", "loss"),
                        dashed=True,
                        title=f"{self.names[-1][k]} into the loss",
                    )  # fmt: skip
                )
        self.columns = columns
        self.compact_gaps = set(range(len(layers))) if compact else set()

    def _rows_too_tall(self) -> bool:
        tallest = max(layer.nout * (HEAD + ROW * (layer.nin + 3) + GAP_Y) for layer in self.model.layers)
        return tallest > ROWS_FIT

    def weight_cells(self, li: int, j: int, i: int, which: int, text: str) -> list[tuple[str, int, str]]:
        """The player cells (element id, index of its text, text) that write ``text`` as weight
        (li, j, i)'s value (``which`` 0) or gradient (1): its row of the card, or in a compact
        layout the two labels on its edge."""
        if self.compact:
            return [(f"w{li}_{j}_{i}-into", which, text), (f"w{li}_{j}_{i}-outof", which, text)]
        return [(f"n{li}_{j}-w{i}-{'vg'[which]}", 0, text)]

    def fill(self, show: str = "weights", inputs: Sequence[float] | None = None) -> None:
        """First texts and edge styles from the model: weights, biases, their gradients when some
        are non-zero, and z and out when ``inputs`` are given."""
        params = self.model.parameters()
        grads = {p: float(p.grad) for p in params}  # float(): after create_graph a gradient is a Value
        grads_known = any(g != 0.0 for g in grads.values())
        numbers = [p.data if show == "weights" else grads[p] for p in params]
        largest = max((abs(v) for v in numbers if math.isfinite(v)), default=0.0)
        outs = _forward_values(self.model, inputs) if inputs is not None else None
        unknown = "" if self.compact else NO_GRAD  # an edge label stays one line until it has a gradient
        for i in range(self.model.nin):
            self.texts[f"in{i}-v"] = NO_GRAD if inputs is None else format_number(inputs[i], 4)
        edges = {edge.id: edge for edge in self.edges}
        for li, layer in enumerate(self.model.layers):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    grad = format_number(grads[w], 4) if grads_known else unknown
                    for cells in (self.weight_cells(li, j, i, 0, format_number(w.data, 4)),
                                  self.weight_cells(li, j, i, 1, grad)):  # fmt: skip
                        self.texts.update((cell_key(e, k), text) for e, k, text in cells)
                    edge = edges[f"w{li}_{j}_{i}"]
                    edge.colour, edge.width = weight_style(w.data if show == "weights" else grads[w], largest)
                if neuron.b is not None:
                    self.texts[f"n{li}_{j}-b-v"] = format_number(neuron.b.data, 4)
                    self.texts[f"n{li}_{j}-b-g"] = (
                        format_number(grads[neuron.b], 4) if grads_known else NO_GRAD
                    )
                z, out = outs[li][j] if outs else (None, None)
                self.texts[f"n{li}_{j}-z-v"] = NO_GRAD if z is None else format_number(z, 4)
                self.texts[f"n{li}_{j}-out-v"] = NO_GRAD if out is None else format_number(out, 4)
                self.texts[f"n{li}_{j}-z-g"] = NO_GRAD
                self.texts[f"n{li}_{j}-out-g"] = NO_GRAD

    def layout(self, widest: Mapping[str, Iterable[str]] = {}) -> Layout:  # noqa: B006 - read only
        """Place everything, with cells wide enough for ``widest`` (cell id → texts it will show)."""
        narrow = {len(self.columns) - 2} if self.columns[-1][0].id == "loss" else set()
        return Layout(self.columns, self.edges, self.texts, widest, self.compact_gaps, narrow)


def _forward_values(model: MLP, inputs: Sequence[float]) -> list[list[tuple[float, float]]]:
    """(z, out) of every neuron on ``inputs``. The graph this builds is dropped at once; no
    gradient is touched."""
    values: list[list[tuple[float, float]]] = []
    signals: Sequence[Value | float] = [Value(float(v)) for v in inputs]
    for layer in model.layers:
        outs = layer.forward_list(signals)
        values.append([(pre_activation(n, out).data, out.data) for n, out in zip(layer.neurons, outs)])
        signals = outs
    return values


def pre_activation(neuron: object, out: Value) -> Value:
    """z, the weighted sum that a neuron's output ``out`` is the activation of (``out`` itself for
    a linear neuron): the activation is one op, so z is its input."""
    return out if getattr(neuron, "activation", "linear") == "linear" else out.parents[0]


def cell_key(element: str, index: int) -> str:
    """The key of one text of the drawing: a cell's id, or ``<label id>.<line>`` for an edge label."""
    return f"{element}.{index}" if element.endswith(("-into", "-outof")) else element


def draw_network(
    model: MLP,
    show: str = "weights",
    *,
    inputs: Sequence[float] | None = None,
    compact: bool | None = None,
) -> NetworkDrawing:
    """The MLP as inputs and neuron cards joined by one edge per weight (colour = sign, width = size).

    ``show="weights"`` colours the edges by the weights, ``show="grads"`` by their gradients
    (after ``backward``); gradients appear in the cards once some are non-zero. ``inputs`` runs
    the model on them (building no graph) and writes every neuron's z and out. ``compact`` puts
    the weights on the edges (shown when hovered) instead of one row per weight in the cards;
    by default it is used when the cards would be too tall. Needs no Graphviz.

    >>> import nn
    >>> model = nn.MLP(2, [2, 1], seed=0)
    >>> svg = draw_network(model, inputs=[1.0, 0.5]).svg
    >>> svg.index('id="n0_0"') < svg.index('id="n0_1"'), 'id="n1_0-out-v"' in svg
    (True, True)
    """
    check_mlp(model, "draw_network")
    if show not in SHOWS:
        raise ValueError(f"show must be 'weights' or 'grads', got {show!r}")
    if inputs is not None:
        inputs = _check_inputs(model, inputs, "draw_network")
    picture = NetworkPicture(model, compact)
    picture.fill(show, inputs)
    return NetworkDrawing(picture.layout().svg(), picture.compact)


def _check_inputs(model: MLP, inputs: object, who: str) -> list[float]:
    if isinstance(inputs, str | bytes) or not isinstance(inputs, Sequence):
        raise TypeError(f"{who}: inputs must be a list of {model.nin} numbers, got {type(inputs).__name__}")
    if len(inputs) != model.nin:
        raise ValueError(f"{who}: the model takes {model.nin} inputs, got {len(inputs)}")
    numbers = []
    for i, v in enumerate(inputs):
        if isinstance(v, Value):
            v = v.data
        if not is_real(v) or not math.isfinite(v):
            raise TypeError(f"{who}: inputs[{i}] must be a finite number, got {type(v).__name__}: {v!r}")
        numbers.append(float(v))
    return numbers


# -- groups of a computation graph by neuron, for autograd.draw_dot(cluster=...) ----------------


def by_neuron(model: MLP) -> Callable[[Value], str | None]:
    """A ``cluster=`` function for ``autograd.draw_dot``/``animate``: each node of the model's
    graph to its neuron ("layer 1 · neuron 0"), None for nodes outside every neuron.

    A parameter belongs to its neuron. An op joins a neuron when a parameter of it is a direct
    input (``w*x``, a weighted sum), when it adds up parts of it (``+``: micrograd's op-by-op
    sum), or when it is the neuron's activation, which closes it. Nothing else joins: not the next
    layer's products (their own weight decides) and not the loss.

    >>> import nn
    >>> from autograd import draw_dot
    >>> model = nn.MLP(2, [2, 1], seed=0)
    >>> "layer 1 · neuron 0" in draw_dot(model([1.0, 2.0]), cluster=by_neuron(model)).source
    True
    """
    return _grouping(model, lambda li, j: f"layer {li} · neuron {j}")


def by_layer(model: MLP) -> Callable[[Value], str | None]:
    """Like ``by_neuron``, one group per layer ("layer 1")."""
    return _grouping(model, lambda li, j: f"layer {li}")


def _grouping(model: MLP, name: Callable[[int, int], str]) -> Callable[[Value], str | None]:
    check_mlp(model, "by_neuron")
    keys: dict[Value, tuple[int, int] | None] = {}
    params: set[Value] = set()
    for li, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for p in neuron.parameters():
                keys[p] = (li, j)
                params.add(p)
    closed: set[Value] = set()  # activations: a neuron's last node, which nothing else joins

    def decide(node: Value) -> None:
        if node.op is None:
            keys[node] = keys.get(node)
            return
        activation = node.op.name in _ACTIVATION_OPS
        joins_through_parts = activation or node.op.name == "add"
        candidates = {
            keys[p]
            for p in node.parents
            if p in params or (joins_through_parts and keys.get(p) is not None and p not in closed)
        }
        key = candidates.pop() if len(candidates) == 1 else None
        keys[node] = key
        if activation and key is not None:
            closed.add(node)

    def group(node: Value) -> str | None:
        if node not in keys:  # decide every undecided ancestor first, parents before children
            for n in reversed(topological_order(node)):
                if n not in keys:
                    decide(n)
        key = keys[node]
        return None if key is None else name(*key)

    return group


_ACTIVATION_OPS = frozenset({"tanh", "relu", "sigmoid", "leaky_relu", "softplus"})
