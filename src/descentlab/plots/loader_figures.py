"""Figures of the loading lab (SPEC §2.9), drawn from a stored ``loaders`` run only."""

from __future__ import annotations

import numpy as np

from descentlab.plots.figure_files import new_figure
from descentlab.plots.tick_labels import set_scale
from descentlab.store.records import StoredExperiment

COLORS = {
    "manual": "tab:blue",
    "dataloader": "tab:orange",
    "dataset": "tab:green",
    "fast": "tab:red",
    "tfdata": "tab:purple",
}


def _grid(stored: StoredExperiment) -> tuple[list[str], list[int], dict]:
    runs = stored.run.results["runs"]
    kinds = list(dict.fromkeys(run["kind"] for run in runs))
    sizes = sorted({run["batch_size"] for run in runs})
    return kinds, sizes, {(run["kind"], run["batch_size"]): run for run in runs}


def _spread(run: dict, key: str, scale: float = 1.0) -> tuple[float, float, float]:
    """Median, min and max of ``key`` (runs stored before the spread was kept: the median)."""
    median = run[key]
    low, high = run.get(f"{key}_min", median), run.get(f"{key}_max", median)
    return scale * median, scale * low, scale * high


def _error(spreads: list[tuple[float, float, float]]) -> np.ndarray:
    """Asymmetric error bars (below, above the median) from (median, min, max) triples."""
    return np.array([[m - lo for m, lo, _ in spreads], [hi - m for m, _, hi in spreads]])


def _offsets(kinds: list[str]) -> tuple[np.ndarray, float]:
    width = 0.8 / len(kinds)
    return (np.arange(len(kinds)) - (len(kinds) - 1) / 2) * width, width


def _bars(ax, kinds: list[str], sizes: list[int], values: dict, *, unit: str, errors=None) -> None:
    offsets, width = _offsets(kinds)
    positions = np.arange(len(sizes))
    for i, kind in enumerate(kinds):
        heights = [values[(kind, size)] for size in sizes]
        yerr = None if errors is None else _error([errors[(kind, size)] for size in sizes])
        ax.bar(
            positions + offsets[i],
            heights,
            width,
            yerr=yerr,
            capsize=2,
            label=kind,
            color=COLORS.get(kind),
        )
    ax.set_xticks(positions, [f"batch {size}" for size in sizes])
    ax.set_ylabel(unit)
    ax.legend(fontsize=8, title="loader", title_fontsize=8)


def _epoch_time(results: dict, kinds: list[str], sizes: list[int], by: dict):
    n, device = results["n_samples"], results["device"]
    fig, (ax,) = new_figure(7.5, 4.6)
    for kind in kinds:
        color = COLORS.get(kind)
        for key, style, alpha, what in (
            ("load_s", "o-", 1.0, "loading only"),
            ("train_s", "s--", 0.7, "loading + train step"),
        ):
            spreads = [_spread(by[(kind, s)], key) for s in sizes]
            ax.errorbar(
                sizes,
                [m for m, _, _ in spreads],
                yerr=_error(spreads),
                fmt=style,
                capsize=2,
                color=color,
                alpha=alpha,
                label=f"{kind}: {what}",
            )
    set_scale(ax, "x", "log", base=2)
    set_scale(ax, "y", "log")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.set_xlabel("batch size (log scale)")
    ax.set_ylabel("seconds per epoch (log scale; median, bars min–max)")
    ax.set_title(f"Time per epoch, {n} samples on {device}")
    ax.legend(fontsize=7, ncol=2)
    fastest = min(by.values(), key=lambda run: run["load_s"])
    caption = (
        f"Median seconds per epoch over {n} samples for each loader and batch size, loading only "
        f"(solid) and with a linear-model SGD step per batch (dashed); error bars span the "
        f"fastest and slowest of the timed rounds. Per-sample Python in DataLoader and the custom "
        f"Dataset dominates at small batches; the fastest loading pass was {fastest['kind']} at "
        f"batch {fastest['batch_size']}."
    )
    return "loaders-epoch-time", caption, fig


def _overhead(kinds: list[str], sizes: list[int], by: dict):
    fig, (left, right) = new_figure(11, 4.2, ncols=2)
    shares = {key: _spread(run, "overhead_share", 100.0) for key, run in by.items()}
    _bars(
        left,
        kinds,
        sizes,
        {key: spread[0] for key, spread in shares.items()},
        unit="loader time, % of the training epoch",
        errors=shares,
    )
    left.set_ylim(bottom=0)
    left.set_title("Loader share: loading-only epoch / loading + step epoch")
    offsets, width = _offsets(kinds)
    positions = np.arange(len(sizes))
    for i, kind in enumerate(kinds):
        x = positions + offsets[i]
        runs = [by[(kind, s)] for s in sizes]
        compute = [run["compute_s"] for run in runs]
        load = [_spread(run, "load_s") for run in runs]
        right.bar(
            x,
            compute,
            width,
            yerr=_error([_spread(run, "compute_s") for run in runs]),
            capsize=2,
            color="0.8",
            edgecolor=COLORS.get(kind),
            label="step over pre-made batches" if i == 0 else None,
        )
        right.bar(
            x,
            [m for m, _, _ in load],
            width,
            bottom=compute,
            color=COLORS.get(kind),
            label=f"{kind}: loading only",
        )
        train = [_spread(run, "train_s") for run in runs]
        right.errorbar(
            x,
            [m for m, _, _ in train],
            yerr=_error(train),
            fmt="_",
            markersize=14,
            capsize=3,
            color="k",
            label="measured: loading + step" if i == 0 else None,
        )
    right.set_xticks(positions, [f"batch {size}" for size in sizes])
    right.set_ylabel("seconds per epoch (median, bars min–max)")
    right.set_title("Step alone + loading alone, against the two together")
    right.legend(fontsize=7)
    caption = (
        "Loader overhead measured, not subtracted: in each round the same loader was timed over "
        "one epoch alone (every batch delivered and touched, nothing computed), feeding the "
        "training step, and the step was timed over one epoch of its batches made beforehand. "
        "Left: the loading-only epoch as a share of the loading + step epoch of the same round "
        "(median; bars span the rounds); it cannot be negative. Right: the step alone (grey) with "
        "the loading alone stacked on it, and the measured loading + step epoch (black): a black "
        "mark at the top of the stack means the costs add up; below it, loading overlapped the "
        "step (DataLoader workers)."
    )
    return "loaders-overhead", caption, fig


def _losses(stored: StoredExperiment, results: dict):
    fig, (ax,) = new_figure(7.5, 4.2)
    top = 0.0
    curves = []
    for trial in stored.trials:
        losses = np.asarray(stored.trial_metrics(trial).get("train_loss", []), dtype=float)
        shown = np.isfinite(losses) & (losses > 0) & (losses < 1e100)  # log-axis margins overflow
        top = max(top, float(losses[shown].max()) if shown.any() else 0.0)
        curves.append((trial, losses, shown))
    top = top * 10 if top > 0 else 1.0
    sizes = sorted({trial.config.get("batch_size", 0) for trial, _, _ in curves})
    styles = dict(zip(sizes, ("-", "--", ":", "-."), strict=False))
    for trial, losses, shown in curves:
        steps = np.arange(1, len(losses) + 1)
        line = ax.plot(
            steps,
            np.where(shown, losses, np.nan),
            styles.get(trial.config.get("batch_size"), "-"),
            lw=1,
            color=COLORS.get(trial.config.get("kind")),
            label=trial.label,
        )[0]
        if trial.status == "diverged" and (~shown).any():
            first = int(np.flatnonzero(~shown)[0])
            ax.plot(steps[first], top, "x", color=line.get_color(), markersize=8)
    set_scale(ax, "y", "log")
    ax.set_xlabel("training step (every round, the untimed first one included)")
    ax.set_ylabel("training loss (MSE, log scale)")
    ax.set_title(
        f"Training loss of the loader-fed model, lrate {results.get('lrate', float('nan')):g}"
    )
    if curves:
        ax.legend(fontsize=7, ncol=2)
    diverged = [t.label for t in stored.trials if t.status == "diverged"]
    caption = (
        "The loss of the model each loader fed, step by step through every timed round; the "
        "timings hold whatever it does, since the arithmetic is the same. "
        + (
            f"Diverged ({', '.join(diverged)}): the loss became non-finite; the curve stops there "
            "and an × marks the step at the top of the axis."
            if diverged
            else "No run diverged."
        )
    )
    return "loaders-loss", caption, fig


def loaders(stored: StoredExperiment) -> list:
    results = stored.run.results
    kinds, sizes, by = _grid(stored)
    figures = [_epoch_time(results, kinds, sizes, by), _overhead(kinds, sizes, by)]

    fig3, (rss, traced) = new_figure(11, 4.2, ncols=2)
    kib = 1 << 10
    _bars(rss, kinds, sizes, {k: r["rss_increase_bytes"] / kib for k, r in by.items()}, unit="KiB")
    rss.set_title("Peak RSS increase during one loading epoch")
    _bars(
        traced,
        kinds,
        sizes,
        {k: (r["traced_peak_bytes"] or 0) / kib for k, r in by.items()},
        unit="KiB",
    )
    traced.set_title("Peak Python-traced allocations (tracemalloc)")
    caption3 = (
        "Peak memory of one loading-only epoch, measured (sampled resident set size above the "
        "start, and tracemalloc's peak), not computed from array sizes; tracemalloc does not see "
        "torch's own allocator, the RSS does."
    )
    figures.append(("loaders-memory", caption3, fig3))
    figures.append(_losses(stored, results))
    return figures
