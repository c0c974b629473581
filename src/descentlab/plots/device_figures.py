"""Figure of SPEC §2.11 (devices), drawn from the stored run only."""

from __future__ import annotations

import numpy as np

from descentlab.plots.diverged import (
    divergence_label,
    mark_divergence,
    on_chart,
    set_log_scale,
    stored_divergence,
)
from descentlab.plots.figure_files import new_figure
from descentlab.store.records import StoredExperiment

DEVICE_COLORS = {"cpu": "tab:blue", "cuda": "tab:green"}


def devices(stored: StoredExperiment) -> list:
    results = stored.run.results
    fig, (left, right) = new_figure(10, 4, ncols=2)
    names = [t.label for t in stored.trials]
    for position, trial in enumerate(stored.trials):
        metrics = stored.trial_metrics(trial)
        color = DEVICE_COLORS.get(trial.label, "tab:gray")
        times_ms = metrics["epoch_time_s"] * 1e3
        left.bar(
            position, np.median(times_ms), color=color, alpha=0.8, label=f"{trial.label} median"
        )
        left.plot(np.full(len(times_ms), position), times_ms, "k.", ms=4)
        loss = on_chart(metrics["epoch_loss"], log=True)
        epochs = np.arange(len(loss))
        right.plot(epochs, loss, "o-", color=color, lw=1.2, ms=3, label=trial.label)
        mark = divergence_label(stored_divergence(trial))
        mark_divergence(right, epochs, loss, mark and f"{trial.label} {mark}", log=True)
    left.set_xticks(range(len(names)), names)
    left.set_xlabel("device")
    left.set_ylabel("time per epoch (ms)")
    left.set_title("Measured time per epoch (median bar, each timed epoch a dot)")
    set_log_scale(right)
    right.set_xlabel("epoch")
    right.set_ylabel("full-data MSE (log scale)")
    right.set_title("Loss per epoch on each device")
    for ax in (left, right):
        if names:
            ax.legend(fontsize=8)
    if results["note"]:
        left.text(0.5, 0.5, results["note"], transform=left.transAxes, ha="center", va="center",
                  fontsize=8, wrap=True, bbox={"facecolor": "white", "alpha": 0.85})  # fmt: skip
    agreement = results["agreement"]
    if agreement["compared"]:
        detail = agreement.get("reason") or (
            f"largest weight difference {agreement['max_abs_weight_diff']:.2g}"
        )
        verdict = (
            f"the CPU and CUDA trajectories {'agree' if agreement['agree'] else 'DO NOT agree'} "
            f"({detail})"
        )
    else:
        verdict = f"no trajectories compared ({agreement['reason']})"
    caption = (
        f"Time per epoch of the same {stored.run.plot_data['dtype']} mini-batch training per "
        f"device (warm-up, device synchronised); {verdict}."
    )
    if results["note"]:
        caption += f" {results['note']}."
    return [("devices", caption, fig)]
