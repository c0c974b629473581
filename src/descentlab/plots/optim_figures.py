"""Figures of the optimizer and schedule experiments (SPEC §2.6–2.7), drawn from stored runs."""

from __future__ import annotations

import numpy as np

from descentlab.plots.diverged import (
    divergence_label,
    drawable,
    mark_divergence,
    set_log_scale,
    stored_divergence,
)
from descentlab.plots.figure_files import new_figure
from descentlab.store.records import StoredExperiment

PALETTE = tuple(
    f"tab:{c}"
    for c in ("blue", "orange", "green", "red", "purple", "brown", "pink", "gray", "olive", "cyan")
)
LINESTYLES = ("-", "--", ":", "-.")


def _style(i: int) -> dict:
    return {"color": PALETTE[i % len(PALETTE)], "ls": LINESTYLES[(i // len(PALETTE)) % 4]}


def _positive(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values that a log axis can show (NOTE [clipped curves])."""
    keep = drawable(values, log=True)
    return np.flatnonzero(keep), values[keep]


def _draw(ax, trial, values: np.ndarray, i: int) -> None:
    """One trial's per-epoch series on a log axis, marked where it diverged."""
    x, y = _positive(values)
    ax.plot(x, y, lw=1.4, label=trial.label, **_style(i))
    mark = divergence_label(stored_divergence(trial))
    mark_divergence(ax, x, y, mark and f"{trial.label} {mark}", color=_style(i)["color"], log=True)


def _per_epoch_figure(stored: StoredExperiment):
    """Loss above the optimum and distance to the optimum per epoch, one line per trial."""
    fig, (loss_ax, distance_ax) = new_figure(12, 4.6, ncols=2)
    optimum = stored.run.plot_data["optimum_loss"]
    for i, trial in enumerate(stored.trials):
        metrics = stored.trial_metrics(trial)
        _draw(loss_ax, trial, metrics["epoch_loss"] - optimum, i)
        _draw(distance_ax, trial, metrics["distance_to_optimum"], i)
    set_log_scale(loss_ax)
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("MSE − least-squares MSE (log scale)")
    loss_ax.set_title(f"Training loss above the optimum (MSE* = {optimum:.4g})")
    set_log_scale(distance_ax)
    distance_ax.set_xlabel("epoch")
    distance_ax.set_ylabel("‖w − w*‖ (log scale)")
    distance_ax.set_title("Distance to the least-squares weights")
    for ax in (loss_ax, distance_ax):
        ax.legend(fontsize=7)
    return fig


def _loss_figure(
    stored: StoredExperiment,
    metric: str,
    ylabel: str,
    title: str,
    reference: tuple[float, str] | None = None,
):
    """One stored per-epoch series of every trial on a log axis, with an optional dashed
    horizontal ``reference`` (value, legend label)."""
    fig, (ax,) = new_figure(7.5, 5)
    for i, trial in enumerate(stored.trials):
        _draw(ax, trial, stored.trial_metrics(trial)[metric], i)
    if reference is not None:
        ax.axhline(reference[0], color="gold", ls="--", lw=1.2, label=reference[1])
    set_log_scale(ax)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    return fig


def optimizers(stored: StoredExperiment) -> list:
    results = stored.run.results
    if results.get("model") == "mlp":
        return _mlp_optimizers(stored)
    title = f"Loss per epoch, {results['updates']} updates each"
    fig = _loss_figure(
        stored,
        "epoch_loss",
        "training MSE (log scale)",
        title,
        (results["optimum_loss"], "least-squares MSE"),
    )
    caption = (
        f"Training MSE per epoch for every optimizer on the standardised linear problem: the same "
        f"initial weight, batches (size {stored.run.plot_data['batch_size']}) and "
        f"{results['updates']} updates each; the dashed line is the least-squares MSE."
    )
    figures = [("optimizers-loss", caption, fig)]
    caption2 = (
        "How close each optimizer gets: the loss above the least-squares minimum and the distance "
        "to the least-squares weights per epoch. Larger rates arrive sooner but stall in a wider "
        "noise ball set by the mini-batch gradients."
    )
    figures.append(("optimizers-distance", caption2, _per_epoch_figure(stored)))
    return figures


def _mlp_optimizers(stored: StoredExperiment) -> list:
    """The MLP runs: training and validation MSE per epoch (an MLP has no optimum to measure a
    distance to); the least-squares MSE of a linear model is the line to get under."""
    results = stored.run.results
    network = results["network"]
    shape = "-".join(str(w) for w in network["layers"])
    baseline = (results["linear_baseline_loss"], "least-squares MSE of a linear model")
    fig = _loss_figure(
        stored,
        "epoch_loss",
        "training MSE (log scale)",
        f"MLP {shape} ({network['activation']}): training loss, {results['updates']} updates each",
        baseline,
    )
    caption = (
        f"Training MSE per epoch of an MLP with hidden widths {shape} ({network['activation']}) "
        f"trained by each optimizer on the standardised training part: the same initial "
        f"parameters, batches (size {stored.run.plot_data['batch_size']}) and "
        f"{results['updates']} updates each. An MLP has no least-squares optimum, so there is no "
        "distance to it; the dashed line is the best a linear model does on the same training "
        "part."
    )
    figures = [("optimizers-loss", caption, fig)]
    if results["split"]["validation"]:
        fig2 = _loss_figure(
            stored,
            "val_loss",
            "validation MSE (log scale)",
            f"MLP {shape}: loss on the {results['split']['validation']} held-out samples",
        )
        caption2 = (
            "Validation MSE per epoch on the held-out part (scaled with the training part's "
            "statistics): a training loss that keeps falling while this one rises is overfitting."
        )
        figures.append(("optimizers-validation", caption2, fig2))
    return figures


def schedulers(stored: StoredExperiment) -> list:
    data = stored.run.plot_data
    fig, (ax,) = new_figure(8, 4.6)
    for i, (trial, run) in enumerate(zip(stored.trials, stored.run.results["runs"], strict=True)):
        lrates = np.asarray(run["lrates"], dtype=np.float64)
        lrates = np.where(drawable(lrates), lrates, np.nan)
        ax.plot(np.arange(len(lrates)), lrates, lw=1.4, label=trial.label, **_style(i))
    per_epoch = data["steps_per_epoch"]
    ax.set_xlabel(f"update (step); {per_epoch} per epoch")
    ax.set_ylabel("learning rate used")
    ax.set_title(f"Learning rate per update, optimizer {data['optimizer']}")
    ax.legend(fontsize=7)
    caption = (
        "The learning rate each update used, per schedule. Step schedules move once per update; "
        "ReduceLROnPlateau lowers it by its factor once the epoch loss stops improving."
    )
    figures = [("schedulers-lrates", caption, fig)]
    caption2 = (
        "The loss above the least-squares minimum and the distance to the least-squares weights "
        "per epoch under each schedule: decaying the rate shrinks the mini-batch noise that a "
        "constant rate keeps."
    )
    figures.append(("schedulers-loss", caption2, _per_epoch_figure(stored)))
    return figures
