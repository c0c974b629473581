"""Figures of the optimizer and schedule experiments (SPEC §2.6–2.7), drawn from stored runs."""

from __future__ import annotations

import numpy as np

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
    """Indices and values that a log axis can show (finite and > 0)."""
    keep = np.isfinite(values) & (values > 0)
    return np.flatnonzero(keep), values[keep]


def _per_epoch_figure(stored: StoredExperiment):
    """Loss above the optimum and distance to the optimum per epoch, one line per trial."""
    fig, (loss_ax, distance_ax) = new_figure(12, 4.6, ncols=2)
    optimum = stored.run.plot_data["optimum_loss"]
    for i, trial in enumerate(stored.trials):
        metrics = stored.trial_metrics(trial)
        loss_ax.plot(
            *_positive(metrics["epoch_loss"] - optimum), lw=1.4, label=trial.label, **_style(i)
        )
        distance_ax.plot(
            *_positive(metrics["distance_to_optimum"]), lw=1.4, label=trial.label, **_style(i)
        )
    loss_ax.set_yscale("log")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("MSE − least-squares MSE (log scale)")
    loss_ax.set_title(f"Training loss above the optimum (MSE* = {optimum:.4g})")
    distance_ax.set_yscale("log")
    distance_ax.set_xlabel("epoch")
    distance_ax.set_ylabel("‖w − w*‖ (log scale)")
    distance_ax.set_title("Distance to the least-squares weights")
    for ax in (loss_ax, distance_ax):
        ax.legend(fontsize=7)
    return fig


def optimizers(stored: StoredExperiment) -> list:
    results = stored.run.results
    fig, (ax,) = new_figure(7.5, 5)
    optimum = results["optimum_loss"]
    for i, trial in enumerate(stored.trials):
        loss = stored.trial_metrics(trial)["epoch_loss"]
        ax.plot(*_positive(loss), lw=1.4, label=trial.label, **_style(i))
    ax.axhline(optimum, color="gold", ls="--", lw=1.2, label="least-squares MSE")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training MSE (log scale)")
    ax.set_title(f"Loss per epoch, {results['updates']} updates each")
    ax.legend(fontsize=7)
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


def schedulers(stored: StoredExperiment) -> list:
    data = stored.run.plot_data
    fig, (ax,) = new_figure(8, 4.6)
    for i, (trial, run) in enumerate(zip(stored.trials, stored.run.results["runs"], strict=True)):
        lrates = np.asarray(run["lrates"], dtype=np.float64)
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
