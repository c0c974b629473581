"""Figures of the minima experiment (SPEC §2.8), drawn from the stored run only."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.patches import Patch

from descentlab.plots.diverged import on_chart
from descentlab.plots.figure_files import new_figure
from descentlab.plots.tick_labels import set_scale
from descentlab.store.records import StoredExperiment

BASIN_COLORS = {
    "local": "tab:orange",
    "global": "tab:blue",
    "diverged": "tab:red",
    "none": "0.55",
}
OPTIMIZER_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def _mark_minima(ax, minima: dict) -> None:
    for kind, marker in (("local", "v"), ("global", "*")):
        point = minima[kind]
        ax.plot(
            [point["x"]],
            [point["f"]],
            marker=marker,
            ms=14,
            mec="k",
            color=BASIN_COLORS[kind],
            ls="none",
            zorder=6,
            label=f"{kind} minimum ({point['x']:.3f}, {point['f']:.3f})",
        )


def _curve_figure(stored: StoredExperiment) -> tuple:
    data, results = stored.run.plot_data, stored.run.results
    shown = float(data["show_lrate"])
    trial = next(t for t in stored.trials if t.config.get("lrate") == shown and "steps" in t.config)
    basins = trial.results["basins"]
    metrics = stored.trial_metrics(trial)
    xs, fs = np.asarray(data["curve_x"]), np.asarray(data["curve_f"])
    fig, (left, right) = new_figure(12, 4.6, ncols=2)
    left.plot(xs, fs, color="0.3", lw=1.5, label=results["function"])
    low, high = results["domain"]
    for k, basin in enumerate(basins):
        path = on_chart(metrics[f"x[{k}]"])
        with np.errstate(invalid="ignore"):
            inside = path[(path >= low) & (path <= high)]
        values = np.interp(inside, xs, fs)  # f at the iterates, read off the stored curve
        left.plot(inside, values, ".-", ms=3, lw=0.6, color=BASIN_COLORS[basin])
        right.plot(np.arange(len(path)), path, lw=0.9, color=BASIN_COLORS[basin])
    _mark_minima(left, results["minima"])
    left.set_xlabel("x")
    left.set_ylabel("f(x)")
    left.set_title(f"GD paths on f at lrate {shown:g}, coloured by basin")
    handles, _ = left.get_legend_handles_labels()
    present = [b for b in BASIN_COLORS if b in basins]
    handles += [Patch(color=BASIN_COLORS[b], label=f"ends: {b}") for b in present]
    left.legend(handles=handles, fontsize=7)
    for kind in ("local", "global"):
        right.axhline(
            results["minima"][kind]["x"], color=BASIN_COLORS[kind], ls="--", lw=0.8, label=kind
        )
    set_scale(right, "x", "symlog", linthresh=10)
    right.set_ylim(low - 0.1, high + 0.1)
    right.set_xlabel("step (symlog scale)")
    right.set_ylabel("iterate x")
    right.set_title("The same runs: x per step")
    right.legend(fontsize=7, title="minimum", title_fontsize=7)
    caption = (
        f"f(x) = x·cos(πx) on [{low:g}, {high:g}] with its local and global minimum; gradient "
        f"descent at lrate {shown:g} from {len(basins)} starts, each path coloured by the basin it "
        "ends in: the maximum between the minima splits the starts."
    )
    return "minima-curve", caption, fig


def _basin_map(stored: StoredExperiment) -> tuple:
    results = stored.run.results
    runs = results["runs"]
    lrates = sorted({run["lrate"] for run in runs})
    starts = sorted({run["start"] for run in runs})
    kinds = list(BASIN_COLORS)
    grid = np.zeros((len(lrates), len(starts)))
    for run in runs:
        grid[lrates.index(run["lrate"]), starts.index(run["start"])] = kinds.index(run["basin"])
    fig, (ax,) = new_figure(8.5, 0.5 * len(lrates) + 2.2)
    first, last = (
        starts[0] - (starts[1] - starts[0]) / 2,
        starts[-1] + (starts[-1] - starts[-2]) / 2,
    )
    edges = np.concatenate([[first], np.convolve(starts, [0.5, 0.5], "valid"), [last]])
    ax.pcolormesh(
        edges,
        np.arange(len(lrates) + 1),
        grid,
        cmap=ListedColormap([BASIN_COLORS[k] for k in kinds]),
        vmin=-0.5,
        vmax=len(kinds) - 0.5,
        edgecolors="white",
        linewidth=0.3,
    )
    for kind, style in (("local", ":"), ("global", "--")):
        ax.axvline(results["minima"][kind]["x"], color="k", ls=style, lw=1, label=f"{kind} min x")
    ax.set_yticks(np.arange(len(lrates)) + 0.5, [f"{lr:g}" for lr in lrates])
    ax.set_xlabel("start x₀")
    ax.set_ylabel("learning rate")
    ax.set_title("Basin reached by gradient descent, per start and learning rate")
    legend = [Patch(color=BASIN_COLORS[k], label=k) for k in kinds]
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=legend + handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    caption = (
        "Basin map: small rates send every start to the minimum on its side of the maximum; "
        "once a rate exceeds 2/f'' at the sharper global minimum, runs bounce out of it (to the "
        "flatter local one, or settle nowhere: 'none'); the largest rates leave the interval "
        "('diverged')."
    )
    return "minima-basins", caption, fig


def _levels(z: np.ndarray, log: bool) -> tuple[np.ndarray, np.ndarray, object]:
    """Contour levels, the values to contour (clipped to the lowest log level) and the norm."""
    if log:
        low = max(float(z.min()), 1e-3)
        levels = np.logspace(np.log10(low), np.log10(float(z.max())), 20)
        return levels, np.maximum(z, low), LogNorm()
    return np.linspace(float(z.min()), float(z.max()), 25), z, None


def _surface_figure(stored: StoredExperiment, name: str, grid: dict) -> tuple:
    runs = [run for run in stored.run.results["surface_runs"] if run["surface"] == name]
    z = np.asarray(grid["z"], dtype=np.float64)
    levels, z, norm = _levels(z, grid["log_levels"])
    fig, (ax,) = new_figure(7.5, 6)
    contour = ax.contourf(grid["x"], grid["y"], z, levels=levels, norm=norm, cmap="viridis")
    ax.contour(grid["x"], grid["y"], z, levels=levels, norm=norm, colors="white", linewidths=0.3)
    fig.colorbar(
        contour,
        ax=ax,
        label="f (log-spaced levels)" if grid["log_levels"] else "f",
        format="%.2g",
    )
    for color, run in zip(OPTIMIZER_COLORS * 3, runs, strict=False):
        trial = next(t for t in stored.trials if t.label == f"{name}/{run['optimizer']}")
        metrics = stored.trial_metrics(trial)
        ended = "left the region" if run["left_box"] else f"f = {run['final_value']:.2g}"
        ax.plot(
            on_chart(metrics["x"]),
            on_chart(metrics["y"]),
            ".-",
            ms=2,
            lw=1,
            color=color,
            label=f"{run['optimizer']} lr {run['lrate']:g}: {run['steps']} steps, {ended}",
        )
    ax.plot(*grid["start"], "s", color="white", mec="k", ms=8, label="start", zorder=6)
    if grid["minimum"] is not None:
        ax.plot(*grid["minimum"], "*", color="gold", mec="k", ms=15, label="minimum", zorder=6)
    x0, x1, y0, y1 = grid["box"]
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(grid["formula"], fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    captions = {
        "rosenbrock": "Rosenbrock's curved valley over log-spaced contours: plain GD crawls along "
        "the flat floor, momentum and Adam reach the minimum at (1, 1).",
        "saddle": "A saddle x² − y²: started just off the ridge y = 0, each optimizer first slides "
        "towards the saddle point, then escapes along y; adaptive ones escape fastest.",
        "narrow_valley": "A rotated, ill-conditioned quadratic over log-spaced contours: GD "
        "zig-zags across the narrow valley, then creeps along it; momentum at the same rate "
        "overshoots across it but travels along it faster.",
    }
    caption = captions.get(name, f"Optimizer trajectories on {grid['formula']}.")
    return f"minima-{name.replace('_', '-')}", caption, fig


def minima(stored: StoredExperiment) -> list:
    figures = [_curve_figure(stored), _basin_map(stored)]
    for name, grid in stored.run.plot_data["surfaces"].items():
        figures.append(_surface_figure(stored, name, grid))
    return figures
