"""The main job end to end (small), its flags, and the plots it is built from."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nn import MLP, data, demo, io
from nn.plot import plot_decision_boundary, plot_history, plot_regression
from nn.train import History
from tests.browser import FRAME_ON_SCREEN, VIEWPORTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_outputs(out) -> None:
    for name in ("loss.png", "decision_boundary.png"):
        assert (out / name).read_bytes()[:8] == PNG_SIGNATURE, name
    root = ET.fromstring((out / "neuron.svg").read_bytes())
    assert root.tag.endswith("svg")
    texts = " ".join(t for t in (e.text for e in root.iter()) if t)
    for label in ("x0", "x1", "w0", "w1", "w0·x0", "b", "z", "out"):  # the network player's card names
        assert label in texts
    assert not re.search(r"\bn\d+ \(", texts)  # no engine names such as "n5 (*)"
    assert io.load(out / "model.json").num_parameters() == 2 * 4 + 4 + 4 * 4 + 4 + 4 + 1
    step = (out / "training_step.html").read_text(encoding="utf-8")
    assert 'id="n1_3-z-g"' in step and "d(loss)/d(z[1,3])" in step  # the network player, every neuron
    neuron = (out / "neuron.html").read_text(encoding="utf-8")
    assert "out−y" in neuron and "ReLU" in neuron  # the demo's hidden neurons are ReLU
    assert "w0 ← w0 − lr × grad" in neuron and "loss: " in neuron  # a target, an update, the loss after
    assert not re.search(r"\bn\d+ \(", neuron)
    tape = (out / "neuron_tape.html").read_text(encoding="utf-8")
    assert "v5 = v2 * v0 + v3 * v1 + v4" in tape and "g4 += g5" in tape  # the weighted sum; its bias
    # one naming in the three players: the tape's slots with the learner's names beside them
    for line in ("v0 = x0", "v2 = w0", "v3 = w1", "v4 = b", "dot, z", "relu, out", "[d(z)/d(w0)]"):
        assert line in tape, line
    assert "w[0,0" not in tape and "w[0,0" not in neuron


def test_demo_end_to_end_small(tmp_path, capsys, dot_program):
    out = tmp_path / "out"
    status = demo.main(
        ["--epochs", "3", "--samples", "60", "--layers", "4,4", "--out", str(out), "--no-progress"]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "train accuracy" in printed and "validation accuracy" in printed
    assert f"open {out / 'training_step.html'} in a browser" in printed
    _check_outputs(out)


def test_the_demo_step_matters_and_its_neuron_fits_the_window(tmp_path, browser, dot_program):
    out = tmp_path / "out"
    assert demo.main(["--epochs", "4", "--out", str(out), "--no-progress"]) == 0
    step = (out / "training_step.html").read_text(encoding="utf-8")
    before, after = map(float, re.search(r"loss ([\d.]+) → ([\d.]+)", step).groups())
    assert after < before / 2  # the step visibly lowers the loss on a point the network got wrong
    assert "after epoch 1" in step and 'id="map-data"' in step and "dots: the data" in step
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto((out / "neuron.html").resolve().as_uri())
    widths = page.evaluate(
        "() => [document.querySelector('#gs-graph svg').getBoundingClientRect().width,"
        " document.getElementById('gs-graph').clientWidth]"
    )
    assert widths[0] <= widths[1]  # no sideways scrolling at 1280 px
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_the_demos_three_players_are_on_screen_every_frame(tmp_path, browser, dot_program, viewport):
    # the neuron, its tape, and the training step of a network of the demo's size with the data on
    # its map: at every frame the map is wholly in the window and no line of the step box is cut
    model = MLP(2, [16, 16, 1], seed=0)
    X, labels = data.make("moons", 60, seed=0, noise=0.1)
    x, y = X[0], labels[0]
    pages = [demo.play_neuron(model, x, y, str(tmp_path / "neuron.html")),
             demo.play_neuron_tape(model, x, str(tmp_path / "neuron_tape.html")),
             demo.play_training_step(model, x, y, "bce", str(tmp_path / "training_step.html"),
                                     region=demo.data_region(X), points=(X, labels))]  # fmt: skip
    for path in pages:
        page = browser.new_page(viewport=viewport)
        page.goto(Path(path).resolve().as_uri())
        count = int(page.text_content("#gs-counter").split("/")[1])
        for k in range(count):
            page.keyboard.press("ArrowRight")
            assert page.evaluate(FRAME_ON_SCREEN, "#map") == [], f"{path} frame {k}"
        page.close()
    assert 'id="map-data"' in Path(pages[2]).read_text(encoding="utf-8")


def test_demo_as_a_module_with_progress_bar(tmp_path, dot_program):
    out = tmp_path / "o"
    result = subprocess.run(
        [sys.executable, "-m", "nn.demo", "--dataset", "spiral", "--epochs", "2", "--samples", "30",
         "--layers", "4,4", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2/2" in result.stderr and "loss=" in result.stderr  # tqdm's bar
    assert "validation accuracy" in result.stdout
    for name in ("loss.png", "decision_boundary.png", "neuron.svg", "model.json", "neuron.html",
                 "neuron_tape.html", "training_step.html"):  # fmt: skip
        assert (out / name).exists()
    assert io.load(out / "model.json").nouts == [4, 4, 3]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--layers", "16,x"], "argument --layers: in '16,x': expected a whole number"),
        (["--layers", "16,,4"], "argument --layers: expected hidden layer sizes"),
        (["--layers", "0"], "must be at least 1"),
        (["--epochs", "-3"], "argument --epochs: must be at least 1"),
        (["--batch-size", "1.5"], "argument --batch-size: expected a whole number"),
        (["--lr", "nan"], "argument --lr: must be a positive finite number"),
        (["--lr", "0"], "argument --lr: must be a positive finite number"),
        (["--samples", "5"], "argument --samples: at least 10"),
        (["--activation", "linear"], "invalid choice: 'linear'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_flags_give_clear_argparse_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        demo.main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_help_lists_the_flags(capsys):
    with pytest.raises(SystemExit):
        demo.main(["--help"])
    text = capsys.readouterr().out
    for flag in ("--dataset", "--layers", "--epochs", "--batch-size", "--lr", "--seed", "--out"):
        assert flag in text


def test_plots_return_figures_and_save(tmp_path):
    history = History(train_loss=[1.0, 0.5, 0.2], train_acc=[0.5, 0.7, 0.9], val_loss=[1.1, 0.6, 0.3],
                      val_acc=[0.4, 0.6, 0.8], lr=[0.1] * 3)  # fmt: skip
    fig = plot_history(history, tmp_path / "sub" / "h.png")
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert (tmp_path / "sub" / "h.png").read_bytes()[:8] == PNG_SIGNATURE
    regression = History(train_loss=[1.0, 0.5], train_acc=[None, None])
    assert len(plot_history(regression).axes) == 1

    X, y = data.spiral(30, k=3, seed=0)
    fig = plot_decision_boundary(MLP(2, [4, 3], seed=0), X, y, tmp_path / "b.png", resolution=10)
    assert (tmp_path / "b.png").read_bytes()[:8] == PNG_SIGNATURE
    X, y = data.sine(20, seed=0)
    fig = plot_regression(MLP(1, [4, 1], seed=0), X, y, tmp_path / "r.svg", points=20)
    assert ET.parse(tmp_path / "r.svg").getroot().tag.endswith("svg")
    with pytest.raises(ValueError, match="2-D inputs"):
        plot_decision_boundary(MLP(1, [1], seed=0), X, [0] * len(X))
    with pytest.raises(TypeError, match="History"):
        plot_history({"train_loss": [1.0]})  # type: ignore[arg-type]
