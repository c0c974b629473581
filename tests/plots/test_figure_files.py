"""Saving a figure: one layout for both formats, the PNG matplotlib itself would write, the same
bytes for equal runs, and no mathtext on log axes (NOTE [one layout], NOTE [plain log labels])."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine

from descentlab.cli import main
from descentlab.plots import draw_experiment
from descentlab.plots.diverged import set_log_scale
from descentlab.plots.figure_files import PNG_DPI, new_figure, save_figure
from descentlab.store.sqlite import ResultsStore


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory: pytest.TempPathFactory):
    """A small gd-onefeature run stored by the real command."""
    out = tmp_path_factory.mktemp("run")
    assert main(["run", "gd-onefeature", "--set", "epochs=12", "--out", str(out)]) == 0
    store = ResultsStore(out / "runs.sqlite")
    yield store.load_experiment(1)
    store.close()


def _log_figure():
    figure, (left, right) = new_figure(6, 3, ncols=2)
    left.plot([0, 1, 2], [3.0, 1.0, 2.0], label="a line")
    left.set_title("linear")
    left.legend()
    right.plot(np.arange(5), [2e3, 800, 500, 340, 320])
    set_log_scale(right)
    right.set_xlabel("epoch")
    right.set_ylabel("MSE (log scale)")
    return figure


def test_the_layout_is_worked_out_once_for_png_and_svg(monkeypatch, tmp_path: Path) -> None:
    calls = []
    execute = ConstrainedLayoutEngine.execute

    def counted(self, figure):
        calls.append(figure)
        return execute(self, figure)

    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", counted)
    save_figure(_log_figure(), tmp_path, "fig", "a caption")
    assert len(calls) == 1


def test_the_png_is_the_one_savefig_writes(tmp_path: Path) -> None:
    saved = save_figure(_log_figure(), tmp_path, "fig", "a caption")
    reference = io.BytesIO()
    _log_figure().savefig(reference, format="png", dpi=PNG_DPI, metadata={"Software": None})
    assert saved.png.read_bytes() == reference.getvalue()


def test_the_svg_keeps_the_png_layout(tmp_path: Path) -> None:
    figure = _log_figure()
    before = [ax.get_position().bounds for ax in figure.axes]
    save_figure(figure, tmp_path, "fig", "")
    laid_out = [ax.get_position().bounds for ax in figure.axes]
    reference = _log_figure()
    reference.savefig(io.BytesIO(), format="png", dpi=PNG_DPI)
    expected = [ax.get_position().bounds for ax in reference.axes]
    assert not np.allclose(before, expected)  # the constrained layout moved the panels
    np.testing.assert_allclose(laid_out, expected)


def test_equal_figures_give_equal_bytes(tmp_path: Path) -> None:
    one = save_figure(_log_figure(), tmp_path / "one", "fig", "")
    two = save_figure(_log_figure(), tmp_path / "two", "fig", "")
    assert one.png.read_bytes() == two.png.read_bytes()
    assert one.svg.read_bytes() == two.svg.read_bytes()
    assert b"<svg" in one.svg.read_bytes()


def test_a_stored_run_redraws_to_the_same_bytes(stored_run, tmp_path: Path) -> None:
    (first,) = draw_experiment(stored_run, tmp_path / "a")
    (second,) = draw_experiment(stored_run, tmp_path / "b")
    assert first.png.read_bytes() == second.png.read_bytes()
    assert first.svg.read_bytes() == second.svg.read_bytes()


def test_gd_onefeature_draws_without_mathtext(stored_run, monkeypatch, tmp_path: Path) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("mathtext was parsed")

    monkeypatch.setattr(matplotlib.mathtext.MathTextParser, "parse", refuse)
    (figure,) = draw_experiment(stored_run, tmp_path)
    labels = figure.svg.read_text(encoding="utf-8")
    assert "10³" in labels or "10²" in labels  # the log axis is labelled in plain text
