"""A sweep's figures, from its stored trials: the objective against each parameter, the
learning-rate × batch-size heatmap when both vary, and the best trials' learning curves."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

from descentlab.plots.figure_files import FigureFile, new_figure, save_figure
from descentlab.plots.tick_labels import set_scale
from descentlab.store.records import StoredSweep

__all__ = ["sweep_figures"]

_COLOURS = {"complete": "tab:blue", "pruned": "tab:orange", "diverged": "tab:red"}


def _numeric(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _objective_vs(sweep: StoredSweep, table: list[dict], name: str, folder: Path) -> FigureFile:
    objective = sweep.spec.get("objective", "objective")
    fig, (ax,) = new_figure(5.5, 3.8)
    values = [row["params"].get(name) for row in table]
    numeric = _numeric(values)
    labels = sorted({str(v) for v in values})
    for state, colour in _COLOURS.items():
        rows = [r for r in table if r["state"] == state and r["value"] is not None]
        if not rows:
            continue
        x = [r["params"].get(name) for r in rows]
        if not numeric:
            x = [labels.index(str(v)) for v in x]
        ax.plot(x, [r["value"] for r in rows], "o", color=colour, label=state, ms=5)
    if not numeric:
        ax.set_xticks(range(len(labels)), labels)
    elif all(v > 0 for v in values if v is not None) and name in ("lrate", "weight_decay"):
        set_scale(ax, "x", "log")
    shown = [r["value"] for r in table if r["value"] is not None]
    if shown and min(shown) > 0 and max(shown) > 100 * min(shown):
        set_scale(ax, "y", "log")
    ax.set_xlabel(name)
    ax.set_ylabel(objective)
    ax.set_title(f"{objective} against {name}")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    return save_figure(fig, folder, f"objective-vs-{name}", f"{objective} of each trial by {name}")


_MAX_COLUMNS = 8


def _rate_columns(rates: list[float]) -> tuple[list[str], Any]:
    """The heatmap's columns: each rate, or (sampled rates, more than ``_MAX_COLUMNS``) equal
    bins on a log scale; returns the labels and a rate → column function."""
    if len(rates) <= _MAX_COLUMNS:
        return [f"{r:.3g}" for r in rates], rates.index
    edges = np.geomspace(rates[0], rates[-1], _MAX_COLUMNS + 1)
    labels = [f"{a:.2g}–{b:.2g}" for a, b in itertools.pairwise(edges)]
    return labels, lambda rate: min(
        int(np.searchsorted(edges, rate, "right")) - 1, _MAX_COLUMNS - 1
    )


def _heatmap(sweep: StoredSweep, table: list[dict], folder: Path) -> FigureFile:
    objective = sweep.spec.get("objective", "objective")
    rates = sorted({r["params"]["lrate"] for r in table})
    sizes = sorted({r["params"]["batch_size"] for r in table})
    labels, column = _rate_columns(rates)
    grid = np.full((len(sizes), len(labels)), np.nan)
    best = -1.0 if sweep.spec.get("direction") == "maximize" else 1.0
    for row in table:
        if row["value"] is None:
            continue
        i, j = sizes.index(row["params"]["batch_size"]), column(row["params"]["lrate"])
        old = grid[i, j]
        if np.isnan(old) or best * row["value"] < best * old:  # the best over other dimensions
            grid[i, j] = row["value"]
    fig, (ax,) = new_figure(max(6, 0.9 * len(labels)), 4)
    image = ax.imshow(grid, aspect="auto", origin="lower", cmap="viridis")
    ax.set_xticks(range(len(labels)), labels, rotation=30 if len(rates) > _MAX_COLUMNS else 0)
    ax.set_yticks(range(len(sizes)), [str(s) for s in sizes])
    ax.set_xlabel("lrate")
    ax.set_ylabel("batch_size")
    ax.set_title(f"best {objective} (blank: no finished trial)")
    fig.colorbar(image, ax=ax)
    return save_figure(fig, folder, "heatmap-lrate-batch_size",
                       f"best {objective} per learning rate and batch size")  # fmt: skip


def _curves(table: list[dict], curves: dict[int, dict], folder: Path) -> FigureFile:
    fig, (ax,) = new_figure(6, 4)
    name = "val_loss" if any("val_loss" in m for m in curves.values()) else "train_loss"
    for row in table:
        metrics = curves.get(row["trial"])
        if not metrics or name not in metrics:
            continue
        values = metrics[name]
        label = f"trial {row['trial']}: " + " ".join(f"{k}={v}" for k, v in row["params"].items())
        ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=3, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.set_title(f"{name} of the best trials")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    return save_figure(fig, folder, "best-curves", f"{name} per epoch of the best trials")


def sweep_figures(
    sweep: StoredSweep, table: list[dict], curves: dict[int, dict], folder: Path
) -> list[FigureFile]:
    """Every figure of a sweep; ``table`` is its trials (``sweeps.results.sweep_table``) and
    ``curves`` the stored metrics of the best ones, by trial number."""
    names = sorted({k for row in table for k in row["params"]})
    figures = [_objective_vs(sweep, table, name, folder) for name in names]
    varied = {n for n in names if len({str(r["params"].get(n)) for r in table}) > 1}
    if {"lrate", "batch_size"} <= varied:
        figures.append(_heatmap(sweep, table, folder))
    if any(curves.values()):
        figures.append(_curves(table, curves, folder))
    return figures
