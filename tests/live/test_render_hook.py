"""The renderer hook: every drawing goes through autograd.draw.render(dot) -> svg, which in a browser
(pyodide) calls the page's WebAssembly Graphviz. Here the browser is simulated (sys.platform and a
`js` module); tests/live/test_live_page.py runs the real thing in Chromium."""

from __future__ import annotations

import sys
import types

import graphviz
import pytest

from autograd import GraphvizNotFound, Value, animate, draw_dot
from autograd.draw import render


def _expression() -> Value:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    e = (a * b + 10).tanh()
    e.label = "e"
    return e


@pytest.fixture
def browser_python(monkeypatch, dot_program):
    """Pretend to be pyodide: the page's layout function is Graphviz's dot (so the SVG is real)."""
    calls: list[str] = []

    def layout(source: str) -> str:
        calls.append(source)
        return graphviz.pipe_string("dot", "svg", source, encoding="utf-8")

    js = types.ModuleType("js")
    js.gradstepRenderDot = layout  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "js", js)
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr("shutil.which", lambda name: None)  # no dot program in a browser
    return calls


def test_draw_dot_displays_through_the_page_layout(browser_python):
    e = _expression()
    e.backward()
    drawing = draw_dot(e)
    bundle = drawing._repr_mimebundle_()  # what Jupyter (and the live page) asks for
    assert "<svg" in bundle["image/svg+xml"] and "grad 1" in drawing.source
    assert browser_python == [drawing.source]


def test_render_to_a_file_writes_the_source_and_the_svg(browser_python, tmp_path):
    drawing = draw_dot(_expression())
    out = drawing.render("e", directory=tmp_path, format="svg")  # the README's ten lines do this
    assert out == str(tmp_path / "e.svg")
    assert (tmp_path / "e").read_text() == drawing.source
    assert "<svg" in (tmp_path / "e.svg").read_text()


def test_players_lay_out_through_the_page(browser_python):
    e = _expression()
    player = animate(e)
    assert len(browser_python) == 1 and "<svg" in player.html


def test_without_a_layout_the_error_says_what_is_true_in_a_browser(monkeypatch):
    monkeypatch.setitem(sys.modules, "js", types.ModuleType("js"))
    monkeypatch.setattr(sys, "platform", "emscripten")
    e = _expression()
    for attempt in (lambda: draw_dot(e).pipe(format="svg"), lambda: animate(e)):
        with pytest.raises(GraphvizNotFound, match="web browser.*WebAssembly Graphviz") as info:
            attempt()
        assert "apt-get" not in str(info.value) and "has not loaded one" in str(info.value)
    assert e.grad == 0.0  # animate refused before its backward pass


def test_a_browser_writes_svg_only_and_says_so(browser_python):
    drawing = draw_dot(_expression())
    for attempt in (
        lambda: drawing.pipe(format="png"),
        lambda: drawing.render("e", format="pdf"),
        lambda: drawing.pipe(format="svg", engine="neato"),
    ):
        with pytest.raises(GraphvizNotFound, match="format='svg'"):
            attempt()
    with pytest.raises(GraphvizNotFound, match="desktop viewer"):
        drawing.view()


def test_a_layout_error_names_graphviz(monkeypatch):
    def failing(source: str) -> str:
        raise RuntimeError("syntax error in line 1 near '{'")

    js = types.ModuleType("js")
    js.gradstepRenderDot = failing  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "js", js)
    monkeypatch.setattr(sys, "platform", "emscripten")
    with pytest.raises(ValueError, match=r"Graphviz \(WebAssembly\) could not lay out.*syntax error"):
        render("digraph {")
