"""Figures, drawn only from stored results (a figure can be redrawn without re-running)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from descentlab.plots import (
    batch_figures,
    device_figures,
    keras_figures,
    linear_figures,
    loader_figures,
    lr_find_figures,
    minima_figures,
    optim_figures,
    train_figures,
)
from descentlab.plots.figure_files import FigureFile, save_figure
from descentlab.store.records import StoredExperiment
from descentlab.validation import InputValueError

__all__ = ["DRAWERS", "FigureFile", "draw_experiment"]

DRAWERS: dict[str, Callable[[StoredExperiment], list]] = {
    "gd-onefeature": linear_figures.gd_onefeature,
    "lr-sweep": linear_figures.lr_sweep,
    "gd-multifeature": linear_figures.gd_multifeature,
    "minibatch-sgd": linear_figures.minibatch_sgd,
    "optimizers": optim_figures.optimizers,
    "schedulers": optim_figures.schedulers,
    "minima": minima_figures.minima,
    "lr-find": lr_find_figures.lr_find,
    "loaders": loader_figures.loaders,
    "batch-compare": batch_figures.batch_compare,
    "devices": device_figures.devices,
    "keras-dense": keras_figures.keras_dense,
    "train": train_figures.learning_curves,
}


def draw_experiment(stored: StoredExperiment, folder: str | Path) -> list[FigureFile]:
    """Draw every figure of a stored experiment run into ``folder`` (PNG and SVG)."""
    drawer = DRAWERS.get(stored.run.experiment)
    if drawer is None:
        raise InputValueError(f"experiment must have figures, got {stored.run.experiment!r}")
    if stored.run.status in ("running", "failed"):
        raise InputValueError(
            f"run must be finished or diverged to draw it, got run {stored.run.id} with status "
            f"{stored.run.status!r}"
        )
    return [save_figure(fig, Path(folder), name, caption) for name, caption, fig in drawer(stored)]
