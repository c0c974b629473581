"""Figures of SPEC §2.5 (batch-compare), drawn from stored runs only: each seed a thin line, the
mean over seeds bold, one colour per method."""

from __future__ import annotations

import numpy as np

from descentlab.plots.diverged import on_chart, set_log_scale
from descentlab.plots.figure_files import new_figure
from descentlab.store.records import StoredExperiment

METHOD_COLORS = {"full batch": "tab:blue", "mini-batch": "tab:orange", "single-sample": "tab:green"}
QUANTITIES = (("loss", "full-data MSE"), ("distance", "‖w − w*‖ to least squares"))


def _by_method(stored: StoredExperiment) -> dict[str, list[dict[str, np.ndarray]]]:
    groups: dict[str, list[dict[str, np.ndarray]]] = {}
    for trial in stored.trials:
        groups.setdefault(trial.config["method"], []).append(stored.trial_metrics(trial))
    return groups


def _mean_of_equal_length(curves: list[np.ndarray]) -> np.ndarray:
    length = min(len(c) for c in curves)
    return np.mean([c[:length] for c in curves], axis=0)


def _thinned(keep: np.ndarray, most: int = 400) -> np.ndarray:
    """Indices of at most ``most`` of the kept points, log-spaced (a curve on a log axis)."""
    kept = np.flatnonzero(keep)
    if len(kept) <= most:
        return kept
    picks = np.unique(np.geomspace(1, len(kept), most).astype(int) - 1)
    return kept[np.union1d(picks, [len(kept) - 1])]


def _step_mean(times: list[np.ndarray], values: list[np.ndarray], grid: np.ndarray) -> np.ndarray:
    """Mean over seeds of each seed's value at its last point at or before each grid time."""
    at = [v[np.searchsorted(t, grid, side="right") - 1] for t, v in zip(times, values, strict=True)]
    return np.mean(at, axis=0)


def _on_log_axis(values: np.ndarray) -> np.ndarray:
    """``values`` with what a log axis cannot draw (non-finite, <= 0, or so large that the
    axis limits overflow, as a diverged run's last losses are) turned into gaps (NaN)."""
    return on_chart(values, log=True)


def _label_method(method: str, batch_sizes: dict[str, int]) -> str:
    return f"{method} (b={batch_sizes[method]})"


def _panels(stored: StoredExperiment, x_key: str | None, prefix: str, xlabel: str):
    results = stored.run.results
    groups = _by_method(stored)
    fig, axes = new_figure(11, 4.2, ncols=2)
    for ax, (quantity, ylabel) in zip(axes, QUANTITIES, strict=True):
        key = f"{prefix}{quantity}"
        for method, runs in groups.items():
            color = METHOD_COLORS.get(method, "tab:gray")
            label = _label_method(method, results["batch_sizes"])
            curves = [_on_log_axis(run[key]) for run in runs]
            xs = [run[x_key] if x_key else np.arange(len(run[key])) for run in runs]
            for x, curve in zip(xs, curves, strict=True):
                shown = _thinned(x > 0 if x_key else np.ones(len(x), dtype=bool))
                ax.plot(x[shown], curve[shown], color=color, lw=0.6, alpha=0.45)
            if x_key == "time_s":
                positive = np.concatenate([x[x > 0] for x in xs])
                end = min(positive.max(), results["time_budget_s"])
                grid = np.geomspace(min(positive.min(), end), end, 300)
                mean = _step_mean(xs, curves, grid)
                ax.plot(grid, mean, color=color, lw=2.2, label=label)
            else:
                mean = _mean_of_equal_length(curves)
                x = xs[0][: len(mean)]
                shown = x > 0 if x_key else np.ones(len(x), dtype=bool)
                ax.plot(x[shown], mean[shown], color=color, lw=2.2, label=label)
        if quantity == "loss":
            ax.axhline(results["optimum_loss"], color="gold", ls=":", label="least-squares MSE")
        set_log_scale(ax)  # NOTE [clipped curves]: a run diverged at once has nothing to show
        if x_key:
            set_log_scale(ax, "x")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"{ylabel} (log scale)")
        ax.legend(fontsize=7)
    return fig, axes


def batch_compare(stored: StoredExperiment) -> list:
    results = stored.run.results
    data = stored.run.plot_data
    seeds = len(results["seeds"])
    common = f"lrate {data['lrate']:g}, {seeds} seeds (thin lines), their mean bold"
    fig1, axes1 = _panels(stored, None, "epoch_", "epoch")
    axes1[0].set_title("Matched epochs: loss per epoch")
    axes1[1].set_title("Matched epochs: distance to the optimum")
    figures = [
        (
            "batch-compare-vs-epoch",
            f"Per epoch every method sees each sample once; small batches make many more updates "
            f"per epoch and get closer to the optimum, until their gradient noise sets a floor "
            f"({common}).",
            fig1,
        )
    ]
    fig2, axes2 = _panels(stored, "evals", "", "gradient evaluations (sample-gradients, log)")
    axes2[0].set_title("Matched gradient evaluations: loss")
    axes2[1].set_title("Matched gradient evaluations: distance")
    figures.append(
        (
            "batch-compare-vs-gradient-evals",
            "Against gradient evaluations (a batch of b rows costs b): full batch pays a whole "
            f"epoch for each update, single-sample SGD updates after every sample ({common}).",
            fig2,
        )
    )
    fig3, axes3 = _panels(stored, "time_s", "time_", "measured training time (s, log)")
    budget = results["time_budget_s"]
    for ax in axes3:
        ax.axvline(budget, color="0.3", ls="--", lw=1, label=f"budget {budget:.3g} s")
        ax.legend(fontsize=7)
    axes3[0].set_title("Matched wall time: loss")
    axes3[1].set_title("Matched wall time: distance")
    figures.append(
        (
            "batch-compare-vs-wall-time",
            f"Against measured training time (evaluation excluded), each method trained until "
            f"the budget of {budget:.3g} s ({results['time_budget_rule']}); {common}.",
            fig3,
        )
    )
    figures.append(_cost_figure(stored))
    return figures


def _cost_figure(stored: StoredExperiment) -> tuple:
    summary = stored.run.results["summary"]
    methods = [m for m in summary if m in _by_method(stored)]
    colors = [METHOD_COLORS.get(m, "tab:gray") for m in methods]
    fig, (left, right) = new_figure(10, 3.8, ncols=2)
    positions = np.arange(len(methods))
    times = [summary[m]["time_per_epoch_s"] for m in methods]
    left.bar(
        positions,
        [t["mean"] * 1e3 for t in times],
        yerr=[t["std"] * 1e3 for t in times],
        color=colors,
    )
    left.set_ylabel("median time per epoch (ms)")
    left.set_title("Measured time per epoch (mean ± std over seeds)")
    width = 0.38
    for offset, key, hatch in (
        (-width / 2, "peak_rss_increase_bytes", ""),
        (width / 2, "peak_traced_peak_bytes", "//"),
    ):
        values = [summary[m][key]["mean"] / 1024 for m in methods]
        label = "RSS increase" if "rss" in key else "tracemalloc peak"
        right.bar(positions + offset, values, width, color=colors, hatch=hatch, label=label,
                  edgecolor="k")  # fmt: skip
    right.set_ylabel("peak memory while training (KiB)")
    right.set_title("Measured peak memory (epochs budget, every update recorded)")
    right.legend(fontsize=7)
    for ax in (left, right):
        ax.set_xticks(positions, methods)
        ax.set_xlabel("method")
    caption = (
        "Measured cost per method: median time per epoch (warm-up, then the median of repeats) "
        "and peak memory read from the process (sampled RSS and tracemalloc) while training the "
        "epochs budget with every update's weight recorded."
    )
    return ("batch-compare-cost", caption, fig)
