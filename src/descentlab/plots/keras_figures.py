"""Figures of SPEC §2.10 (keras-dense), drawn from stored runs only: one colour per batch size,
each seed a thin line and the mean over seeds bold; one row of panels per task."""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.plots.diverged import on_chart, set_log_scale
from descentlab.plots.figure_files import new_figure
from descentlab.plots.tick_labels import set_scale
from descentlab.store.records import StoredExperiment

__all__ = ["keras_dense"]

COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")
BUDGET_STYLE = {"epochs": ("o-", "equal epochs"), "updates": ("s--", "equal updates")}


def _runs(stored: StoredExperiment, task: str, budget: str) -> dict[int, list[dict[str, Any]]]:
    """Batch size → the stored metrics of each seed's run, in stored order."""
    groups: dict[int, list[dict[str, Any]]] = {}
    for trial in stored.trials:
        config = trial.config
        if config["task"] == task and config["budget"] == budget:
            groups.setdefault(int(config["batch_size"]), []).append(stored.trial_metrics(trial))
    return dict(sorted(groups.items()))


def _number(value: Any) -> float:
    """A stored number; a diverged run's statistics are stored as None (strict JSON)."""
    return np.nan if value is None else float(value)


def _legend(ax: Any) -> None:
    """A legend when something labelled was drawn (a run that diverged at once draws nothing)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)


def _batch_axis(ax: Any, sizes: list[int], label: str) -> None:
    """A log x axis ticked at the batch sizes run, labelled in plain numbers."""
    set_scale(ax, "x", "log")
    ax.set_xticks(sizes, [str(size) for size in sizes])
    ax.set_xticks([], minor=True)
    ax.set_xlabel(label)


def _size_label(size: int, n_train: int) -> str:
    return f"b={size} (full)" if size == n_train else f"b={size}"


def _curves(stored: StoredExperiment) -> tuple:
    results = stored.run.results
    tasks = list(results["tasks"])
    fig, axes = new_figure(11, 3.6 * len(tasks), ncols=2, nrows=len(tasks))
    for row, task in enumerate(tasks):
        info = results["tasks"][task]
        n_train = info["data"]["n_train"]
        panels = (
            ("loss", f"training {info['loss']} (epoch mean, log)", True),
            ("val_metric", f"validation {info['metric']}", False),
        )
        for ax, (key, ylabel, log) in zip(axes[2 * row : 2 * row + 2], panels, strict=True):
            for index, (size, runs) in enumerate(_runs(stored, task, "epochs").items()):
                color = COLORS[index % len(COLORS)]
                curves = [on_chart(run[key], log=log) for run in runs]
                for curve in curves:
                    ax.plot(np.arange(1, len(curve) + 1), curve, color=color, lw=0.6, alpha=0.45)
                length = min(len(c) for c in curves)
                if length:
                    mean = np.mean([c[:length] for c in curves], axis=0)
                    ax.plot(np.arange(1, length + 1), mean, "o-", color=color, lw=2, ms=3,
                            label=_size_label(size, n_train))  # fmt: skip
            if log:
                set_log_scale(ax)
            ax.set_xlabel("epoch")
            ax.set_ylabel(ylabel)
            ax.set_title(f"{task}: {ylabel.split(' (')[0]} per epoch")
            _legend(ax)
    caption = (
        f"Equal epochs ({results['epochs']}): the training loss (Keras's mean over each epoch's "
        "batches) and the validation metric after each epoch, per batch size; "
        f"{len(results['seeds'])} seeds (thin lines), their mean bold."
    )
    return ("keras-dense-curves", caption, fig)


def _times(stored: StoredExperiment) -> tuple:
    results = stored.run.results
    tasks = list(results["tasks"])
    fig, (left, right) = new_figure(11, 3.8, ncols=2)
    ticks: set[int] = set()
    for index, task in enumerate(tasks):
        sizes, epoch_s, spread, update_s = [], [], [], []
        for run_size, entry in results["summary"][task]["epochs"].items():
            if "time_per_epoch_s" not in entry or entry["time_per_epoch_s"]["mean"] is None:
                continue
            mine = [
                r
                for r in results["runs"]
                if r["task"] == task and r["budget"] == "epochs" and r["time_per_epoch"]
                and str(r["batch_size"]) == run_size
            ]  # fmt: skip
            sizes.append(int(run_size))
            epoch_s.append(entry["time_per_epoch_s"]["mean"])
            low, high = entry["time_per_epoch_s"]["min"], entry["time_per_epoch_s"]["max"]
            spread.append((epoch_s[-1] - low, high - epoch_s[-1]))
            update_s.append(np.mean([r["time_per_epoch"]["per_update_s"] for r in mine]))
        if not sizes:
            continue
        ticks.update(sizes)
        color = COLORS[index % len(COLORS)]
        left.errorbar(sizes, epoch_s, yerr=np.asarray(spread).T, fmt="o-", color=color,
                      capsize=3, label=task)  # fmt: skip
        right.plot(sizes, np.asarray(update_s) * 1e3, "o-", color=color, label=task)
    for ax, ylabel in (
        (left, "median training time per epoch (s, log)"),
        (right, "time per update (ms, log)"),
    ):
        if ticks:
            _batch_axis(ax, sorted(ticks), "batch size (log)")
        set_log_scale(ax)
        ax.set_ylabel(ylabel)
        _legend(ax)
    left.set_title("Measured time per epoch (mean of the seeds' medians, min–max)")
    right.set_title("Time per update (epoch time / updates per epoch)")
    caption = (
        "Measured training time per epoch, validation excluded; the first epoch of every fit is "
        "the warm-up (tracing, iterator start-up) and is not timed. Wall-clock numbers depend on "
        "the machine and its load."
    )
    return ("keras-dense-time", caption, fig)


def _finals(stored: StoredExperiment) -> tuple:
    results = stored.run.results
    tasks = list(results["tasks"])
    fig, axes = new_figure(5.5 * len(tasks), 3.8, ncols=len(tasks))
    for ax, task in zip(axes, tasks, strict=True):
        info = results["tasks"][task]
        for budget, by_size in results["summary"][task].items():
            style, label = BUDGET_STYLE.get(budget, ("o-", budget))
            sizes = np.asarray([int(s) for s in by_size])
            stats = [by_size[s]["val_metric"] for s in by_size]
            mean, low, high = (
                on_chart([_number(s[key]) for s in stats]) for key in ("mean", "min", "max")
            )
            shown = np.isfinite(mean) & np.isfinite(low) & np.isfinite(high)
            count = results[budget]
            spread = np.vstack([mean - low, high - mean])[:, shown]
            ax.errorbar(sizes[shown], mean[shown], yerr=spread, fmt=style, capsize=3,
                        label=f"{label} ({count})")  # fmt: skip
        _batch_axis(ax, info["batch_sizes"], "batch size (log; the largest is the full batch)")
        ax.set_ylabel(f"final validation {info['metric']}")
        ax.set_title(f"{task}: final validation {info['metric']} vs batch size")
        _legend(ax)
    caption = (
        "Final validation metric per batch size on the two budgets: mean over "
        f"{len(results['seeds'])} seeds, bars from the smallest to the largest seed. Per epoch "
        "small batches make more updates; per update large batches see more samples."
    )
    return ("keras-dense-final", caption, fig)


def keras_dense(stored: StoredExperiment) -> list:
    return [_curves(stored), _times(stored), _finals(stored)]
