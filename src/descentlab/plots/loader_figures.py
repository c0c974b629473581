"""Figures of the loading lab (SPEC §2.9), drawn from a stored ``loaders`` run only."""

from __future__ import annotations

import numpy as np

from descentlab.plots.figure_files import new_figure
from descentlab.store.records import StoredExperiment

COLORS = {
    "manual": "tab:blue",
    "dataloader": "tab:orange",
    "dataset": "tab:green",
    "fast": "tab:red",
}


def _grid(stored: StoredExperiment) -> tuple[list[str], list[int], dict]:
    runs = stored.run.results["runs"]
    kinds = list(dict.fromkeys(run["kind"] for run in runs))
    sizes = sorted({run["batch_size"] for run in runs})
    return kinds, sizes, {(run["kind"], run["batch_size"]): run for run in runs}


def _bars(ax, kinds: list[str], sizes: list[int], values: dict, *, unit: str) -> None:
    width = 0.8 / len(kinds)
    positions = np.arange(len(sizes))
    for i, kind in enumerate(kinds):
        heights = [values[(kind, size)] for size in sizes]
        ax.bar(
            positions + (i - (len(kinds) - 1) / 2) * width,
            heights,
            width,
            label=kind,
            color=COLORS.get(kind),
        )
    ax.set_xticks(positions, [f"batch {size}" for size in sizes])
    ax.set_ylabel(unit)
    ax.legend(fontsize=8, title="loader", title_fontsize=8)


def loaders(stored: StoredExperiment) -> list:
    results = stored.run.results
    kinds, sizes, by = _grid(stored)
    n, device = results["n_samples"], results["device"]

    fig, (ax,) = new_figure(7.5, 4.6)
    for kind in kinds:
        color = COLORS.get(kind)
        load = [by[(kind, s)]["load_s"] for s in sizes]
        train = [by[(kind, s)]["train_s"] for s in sizes]
        ax.plot(sizes, load, "o-", color=color, label=f"{kind}: loading only")
        ax.plot(sizes, train, "s--", color=color, alpha=0.7, label=f"{kind}: loading + train step")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.set_xlabel("batch size (log scale)")
    ax.set_ylabel("seconds per epoch (log scale, median)")
    ax.set_title(f"Time per epoch, {n} samples on {device}")
    ax.legend(fontsize=7, ncol=2)
    fastest = min(by.values(), key=lambda run: run["load_s"])
    caption = (
        f"Median seconds per epoch over {n} samples for each loader and batch size, loading only "
        f"(solid) and with a linear-model SGD step per batch (dashed). Per-sample Python in "
        f"DataLoader and the custom Dataset dominates at small batches; the fastest loading pass "
        f"was {fastest['kind']} at batch {fastest['batch_size']}."
    )
    figures = [("loaders-epoch-time", caption, fig)]

    fig2, (left, right) = new_figure(11, 4.2, ncols=2)
    shares = {key: 100 * run["overhead_share"] for key, run in by.items()}
    _bars(left, kinds, sizes, shares, unit="loader overhead, % of the training epoch")
    left.axhline(0, color="k", lw=0.6)
    left.set_title("Loader overhead share: (train − compute) / train")
    compute = {key: run["compute_s"] for key, run in by.items()}
    overhead = {key: run["overhead_s"] for key, run in by.items()}
    width = 0.8 / len(kinds)
    positions = np.arange(len(sizes))
    for i, kind in enumerate(kinds):
        x = positions + (i - (len(kinds) - 1) / 2) * width
        base = [compute[(kind, s)] for s in sizes]
        extra = [max(0.0, overhead[(kind, s)]) for s in sizes]
        right.bar(
            x,
            base,
            width,
            color="0.75",
            edgecolor=COLORS.get(kind),
            label="compute (pre-made batches)" if i == 0 else None,
        )
        right.bar(x, extra, width, bottom=base, color=COLORS.get(kind), label=f"{kind} overhead")
    right.set_xticks(positions, [f"batch {size}" for size in sizes])
    right.set_ylabel("seconds per training epoch (median)")
    right.set_title("Training epoch = compute + loader overhead")
    right.legend(fontsize=7)
    caption2 = (
        "Loader overhead measured apart from compute: the same SGD steps timed over pre-made "
        "batches (compute) and fed by each loader (train); the difference is what the loader "
        "costs. A share near 0 means the loader is free next to the training step."
    )
    figures.append(("loaders-overhead", caption2, fig2))

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
    return figures
