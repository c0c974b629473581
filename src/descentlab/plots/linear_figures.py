"""Figures of the linear-model experiments (SPEC §2.1–2.4), drawn from stored runs only.

Diverged runs are drawn up to where they leave the picture and marked there (NOTE [clipped
curves] in :mod:`descentlab.plots.diverged`; NOTE [loss window] for the loss-vs-weight panels).
"""

from __future__ import annotations

import numpy as np

from descentlab.plots.diverged import (
    divergence_label,
    drawable,
    mark_divergence,
    on_chart,
    set_log_scale,
    stored_divergence,
)
from descentlab.plots.figure_files import new_figure
from descentlab.store.records import StoredExperiment

COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def _curve(ax, plot_data: dict) -> None:
    ax.plot(
        plot_data["curve_weights"],
        plot_data["curve_losses"],
        color="0.6",
        lw=1.5,
        label="MSE(w) on the full data",
    )
    w_star, l_star = plot_data["optimum"]
    ax.plot(
        [w_star],
        [l_star],
        marker="*",
        ms=14,
        color="gold",
        mec="k",
        ls="none",
        label=f"least squares w* = {w_star:.3g}",
        zorder=5,
    )
    ax.set_xlabel("weight w")
    ax.set_ylabel("MSE")


def _in_window(plot_data: dict, weights: np.ndarray, losses: np.ndarray):
    """The iterates inside the loss-vs-weight window (others as gaps): NOTE [loss window]."""
    grid, curve = np.asarray(plot_data["curve_weights"]), np.asarray(plot_data["curve_losses"])
    top = float(np.max(curve)) * 1.05
    w, loss = on_chart(weights), on_chart(losses)
    with np.errstate(invalid="ignore"):
        keep = (w >= grid.min()) & (w <= grid.max()) & (loss <= top)
    return np.where(keep, w, np.nan), np.where(keep, loss, np.nan)


def gd_onefeature(stored: StoredExperiment) -> list:
    data = stored.run.plot_data
    (trial,) = stored.trials
    metrics = stored.trial_metrics(trial)
    weights, losses = metrics["weight"], metrics["loss"]
    mark = divergence_label(stored_divergence(trial))
    fig, (left, right) = new_figure(11, 4.2, ncols=2)
    _curve(left, data)
    w, loss = _in_window(data, weights, losses)
    left.plot(
        w,
        loss,
        "o-",
        ms=3,
        lw=0.8,
        color="tab:blue",
        label=f"GD iterates, lrate {data['lrate']:g}",
    )
    left.plot(w[:1], loss[:1], "s", color="tab:red", label="start")
    mark_divergence(left, w, loss, mark)
    left.set_title("Loss vs weight")
    left.legend(fontsize=8)
    epochs, shown = np.arange(len(losses)), on_chart(losses, log=True)
    right.plot(epochs, shown, color="tab:blue", label="training MSE")
    mark_divergence(right, epochs, shown, mark, log=True)
    right.axhline(data["optimum"][1], color="gold", ls="--", label="least-squares MSE")
    set_log_scale(right)
    right.set_xlabel("epoch")
    right.set_ylabel("MSE (log scale)")
    right.set_title("Loss vs epoch")
    right.legend(fontsize=8)
    caption = (
        f"Gradient descent with one feature walks down the parabola MSE(w) to the least-squares "
        f"weight; the loss falls geometrically per epoch (lrate {data['lrate']:g}, status "
        f"{trial.status})."
    )
    return [("gd-onefeature", caption, fig)]


def lr_sweep(stored: StoredExperiment) -> list:
    data = stored.run.plot_data
    results = stored.run.results
    bound = data["stability_bound"]
    fig, (ax,) = new_figure(7.5, 5)
    _curve(ax, data)
    low, high = min(data["curve_weights"]), max(data["curve_weights"])
    top = max(data["curve_losses"]) * 1.05
    for color, trial, run in zip(COLORS, stored.trials, results["runs"], strict=False):
        metrics = stored.trial_metrics(trial)
        w, loss = on_chart(metrics["weight"]), on_chart(metrics["loss"])
        with np.errstate(invalid="ignore"):
            keep = (w >= low) & (w <= high) & (loss <= top)
        ax.plot(
            w[keep],
            loss[keep],
            "o-",
            ms=3,
            lw=0.7,
            color=color,
            label=f"lrate {run['lrate']:g}: {run['behaviour']}",
        )
        mark = divergence_label(stored_divergence(trial))
        mark_divergence(ax, w[keep], loss[keep], mark, color=color)
    ax.set_ylim(0, top)
    bound_text = "none (flat loss)" if bound is None else f"{bound:.3g}"
    ax.set_title(f"Loss vs weight per learning rate (stability bound 2/λmax = {bound_text})")
    ax.legend(fontsize=8)
    caption = (
        "Small rates creep along the parabola, rates between 1/λmax and 2/λmax jump across the "
        f"minimum, rates above 2/λmax = {bound_text} diverge; each label is the behaviour measured."
    )
    figures = [("lr-sweep-loss-vs-weight", caption, fig)]

    fig2, axes = new_figure(3.6 * len(stored.trials), 3.6, ncols=len(stored.trials))
    x, y = np.asarray(data["x"]), np.asarray(data["y"])
    line_x = np.linspace(x.min(), x.max(), 2)
    for ax2, trial, run in zip(axes, stored.trials, results["runs"], strict=True):
        w = stored.trial_metrics(trial)["weight"]
        ax2.scatter(x, y, s=8, color="0.6")
        for shade, epoch in enumerate(data["snapshot_epochs"]):
            if epoch < len(w) and drawable(w[epoch] * line_x).all():
                tone = 0.25 + 0.75 * shade / max(len(data["snapshot_epochs"]) - 1, 1)
                ax2.plot(
                    line_x,
                    w[epoch] * line_x,
                    color=(0.1, 0.2, tone),
                    lw=1.2,
                    label=f"epoch {epoch}",
                )
        if y.min() < y.max():  # a single target value would make the limits singular
            ax2.set_ylim(y.min() * 1.3, y.max() * 1.3)
        ax2.set_title(f"lrate {run['lrate']:g} ({run['behaviour']})", fontsize=10)
        ax2.set_xlabel("feature x (standardised)")
        ax2.set_ylabel("target y")
        if ax2.get_legend_handles_labels()[0]:
            ax2.legend(fontsize=7)
    caption2 = "The fitted line ŷ = w·x at chosen epochs for each learning rate, over the data."
    figures.append(("lr-sweep-predictor", caption2, fig2))

    fig3, (ax3,) = new_figure(7, 4.2)
    for color, trial, run in zip(COLORS, stored.trials, results["runs"], strict=False):
        loss = on_chart(stored.trial_metrics(trial)["loss"], log=True)
        epochs = np.arange(len(loss))
        ax3.plot(epochs, loss, color=color, label=f"lrate {run['lrate']:g}")
        mark = divergence_label(stored_divergence(trial))
        mark_divergence(ax3, epochs, loss, mark, color=color, log=True)
    set_log_scale(ax3)
    ax3.set_xlabel("epoch")
    ax3.set_ylabel("MSE (log scale)")
    ax3.set_title("Loss vs epoch per learning rate")
    ax3.legend(fontsize=8)
    figures.append(("lr-sweep-loss-vs-epoch", "Loss per epoch for each learning rate.", fig3))
    return figures


def gd_multifeature(stored: StoredExperiment) -> list:
    results = stored.run.results
    fig, (left, right) = new_figure(11, 4.2, ncols=2)
    styles = {"numpy": ("-", 2.5), "torch": ("--", 1.4), "tf": (":", 2.0)}
    for trial in stored.trials:
        loss = on_chart(stored.trial_metrics(trial)["loss"], log=True)
        ls, lw = styles.get(trial.label, (":", 1))
        epochs = np.arange(len(loss))
        left.plot(epochs, loss, ls=ls, lw=lw, label=f"{trial.label}")
        mark = divergence_label(stored_divergence(trial))
        mark_divergence(left, epochs, loss, mark and f"{trial.label} {mark}", log=True)
    left.axhline(results["optimum_loss"], color="gold", ls=":", label="least-squares MSE")
    set_log_scale(left)
    left.set_xlabel("epoch")
    left.set_ylabel("MSE (log scale)")
    left.set_title(
        f"Loss per epoch, backends overlaid (max |diff| {results['backend_max_abs_diff']:.1e})"
    )
    left.legend(fontsize=8)
    count = len(results["optimum_weights"])
    shown = min(count, len(COLORS))  # a legend of thousands of weights collapses the layout
    for trial in stored.trials:
        metrics = stored.trial_metrics(trial)
        ls, lw = styles.get(trial.label, (":", 1))
        for j, color in zip(range(shown), COLORS, strict=False):
            w = on_chart(metrics[f"weight[{j}]"])
            left_label = f"{results['feature_names'][j]} ({trial.label})"
            right.plot(np.arange(len(w)), w, ls=ls, lw=lw, color=color, label=left_label)
    for j, (value, color) in enumerate(
        zip(results["optimum_weights"][:shown], COLORS, strict=False)
    ):
        right.axhline(value, color=color, ls=":", lw=0.8, label="least squares" if j == 0 else None)
    right.set_xlabel("epoch")
    right.set_ylabel("weight")
    which = "" if shown == count else f" (the first {shown} of {count})"
    right.set_title(f"Weights per epoch vs the least-squares optimum{which}")
    right.legend(fontsize=7, ncol=2)
    # runs stored before the tf backend carry the one torch-vs-NumPy gap only
    gaps = results.get("backend_max_abs_diffs") or {"torch": results["backend_max_abs_diff"]}
    names = {"torch": "PyTorch (autograd)", "tf": "TensorFlow (GradientTape)"}
    others = " and ".join(names.get(name, name) for name in gaps)
    largest = ", ".join(f"{name} {gap:.1e}" for name, gap in gaps.items())
    caption = (
        f"Multi-feature gradient descent: the NumPy (hand gradient), {others} histories "
        f"coincide (largest difference from NumPy: {largest}) and reach the least-squares weights."
    )
    return [("gd-multifeature", caption, fig)]


def minibatch_sgd(stored: StoredExperiment) -> list:
    data = stored.run.plot_data
    runs = stored.run.results["runs"]
    count = len(stored.trials)
    fig, axes = new_figure(4 * count, 4, ncols=count)
    for ax, color, trial, run in zip(axes, COLORS, stored.trials, runs, strict=False):
        metrics = stored.trial_metrics(trial)
        _curve(ax, data)
        w, loss = _in_window(data, metrics["weight"], metrics["loss"])
        ax.plot(w, loss, ".-", ms=2, lw=0.5, color=color, label=f"{run['steps']} updates")
        mark_divergence(ax, w, loss, divergence_label(stored_divergence(trial)))
        ax.set_title(f"batch size {run['batch_size']} (lrate {data['lrate']:g})")
        ax.legend(fontsize=7)
    caption = (
        "Loss vs weight per batch size: single-sample SGD takes many noisy steps, full batch few "
        "smooth ones; all head to the least-squares weight."
    )
    figures = [("minibatch-sgd-loss-vs-weight", caption, fig)]
    first = int(data["first_batches"])
    fig2, axes2 = new_figure(4 * count, 3.6, ncols=count)
    for ax, color, trial, run in zip(axes2, COLORS, stored.trials, runs, strict=False):
        batch_loss = on_chart(stored.trial_metrics(trial)["batch_loss"][:first], log=True)
        updates = np.arange(1, len(batch_loss) + 1)
        ax.plot(updates, batch_loss, color=color, lw=1)
        divergence = stored_divergence(trial)
        if divergence is not None and divergence.step <= first:
            mark_divergence(ax, updates, batch_loss, divergence_label(divergence), log=True)
            ax.legend(fontsize=7)
        set_log_scale(ax)
        ax.set_xlabel("batch (update) number")
        ax.set_ylabel("batch MSE (log scale)")
        ax.set_title(f"first {len(batch_loss)} batch losses, batch size {run['batch_size']}")
    caption2 = (
        f"The first {first} batch losses: small batches give noisy loss estimates; the full batch "
        "gives the smooth, true training loss."
    )
    figures.append(("minibatch-sgd-batch-losses", caption2, fig2))
    return figures
