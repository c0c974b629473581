"""The figure of the learning-rate range test (SPEC §2.12), drawn from the stored run only."""

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
from descentlab.plots.tick_labels import set_scale
from descentlab.store.records import StoredExperiment


def lr_find(stored: StoredExperiment) -> list:
    results = stored.run.results
    factor = stored.run.plot_data["divergence_factor"]
    ramp = next(t for t in stored.trials if t.label == "range test")
    metrics = stored.trial_metrics(ramp)
    lrates, losses, smoothed = metrics["lrate"], metrics["loss"], metrics["smoothed"]
    suggested, bound = results["suggested_lrate"], results["stability_bound"]
    training = next((t for t in stored.trials if t.label != "range test"), None)
    fig, axes = new_figure(12 if training else 7, 4.6, ncols=2 if training else 1)
    ax = axes[0]
    shown = drawable(losses, log=True) & drawable(smoothed, log=True)
    ax.plot(lrates[shown], losses[shown], ".", ms=3, color="0.6", label="batch loss")
    ax.plot(lrates[shown], smoothed[shown], color="tab:blue", lw=1.8, label="smoothed (stop rule)")
    two_way = metrics["smoothed_two_way"]
    ax.plot(lrates, on_chart(two_way, log=True), color="tab:purple", ls="--", lw=1.2,
            label="two-way smoothed")  # fmt: skip
    finite = smoothed[drawable(smoothed, log=True)]
    if finite.size:
        ax.axhline(
            factor * finite.min(), color="tab:red", ls=":", lw=1, label=f"stop: {factor:g} × best"
        )
        low = min(finite.min(), losses[shown].min())
        ax.set_ylim(low * 0.7, max(factor * finite.min(), finite[0]) * 2)
    if suggested is not None:
        ax.axvline(suggested, color="tab:green", lw=1.5, label=f"suggested lrate {suggested:.3g}")
    if bound is not None:
        ax.axvline(bound, color="k", ls="--", lw=1, label=f"GD stability bound {bound:.3g}")
    set_scale(ax, "x", "log")
    set_scale(ax, "y", "log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss, MSE (log scale)")
    ax.set_title(
        f"Range test, {results['optimizer']} on the {results['model']} model: "
        f"{len(lrates)} steps, {results['stop_reason']}",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    if training is not None:
        history = on_chart(stored.trial_metrics(training)["loss"], log=True)
        right = axes[1]
        epochs = np.arange(len(history))
        right.plot(epochs, history, color="tab:green", label="full-data MSE")
        mark = divergence_label(stored_divergence(training))
        mark_divergence(right, epochs, history, mark, log=True)
        reference = "least-squares MSE" + (
            " of a linear model" if results["model"] == "mlp" else ""
        )
        right.axhline(results["optimum_loss"], color="gold", ls="--", label=reference)
        set_log_scale(right)
        right.set_xlabel("epoch")
        right.set_ylabel("MSE (log scale)")
        right.set_title(f"Training at the suggested rate {suggested:.3g}", fontsize=10)
        right.legend(fontsize=8)
    suggestion = "no rate is suggested" if suggested is None else f"{suggested:.3g} is suggested"
    caption = (
        "Learning-rate range test: the rate grows exponentially each step; where the two-way "
        f"smoothed loss falls fastest (relative to its size), {suggestion}; the ramp stops once "
        f"the moving average exceeds {factor:g} × its best (stop: {results['stop_reason']}). The "
        "model was restored after the test and then trained at the suggested rate."
    )
    return [("lr-find", caption, fig)]
