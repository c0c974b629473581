"""SPEC §2.8: local and global minima of x·cos(πx), and optimizers on 2-D test functions.

Part 1 runs gradient descent on ``f(x) = x·cos(πx)`` from evenly spaced starts over ``[−1, 2]``
at several learning rates and labels each run by the basin it ends in (NOTE [basin labels] in
:mod:`descentlab.landscapes.basins`). Part 2 runs optimizers of :mod:`descentlab.optim` on
Rosenbrock, a saddle and a narrow valley; their trajectories are stored as metrics.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from descentlab.data import Dataset
from descentlab.divergence import Divergence
from descentlab.experiments.base import Experiment, Outcome, trial_record
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.common_config import CommonConfig
from descentlab.landscapes import (
    BASINS,
    SURFACES,
    X_COS_PI_X,
    Surface,
    basin_labels,
    descend_curve,
    descend_surface,
    find_minima,
    get_surface,
)
from descentlab.linear.inputs import check_lrate
from descentlab.optim import OPTIMIZERS, make_optimizer
from descentlab.store.records import TrialRecord
from descentlab.validation import (
    InputValueError,
    check_choice,
    check_int,
    check_positive_float,
    check_positive_int,
)

# Optimizers whose step is the learning rate times the gradient (with or without momentum) use a
# surface's ``lrate``; every other one normalises the gradient per coordinate and uses
# ``adaptive_lrate`` (see :class:`descentlab.landscapes.Surface`).
GRADIENT_SCALED = ("sgd", "momentum", "nesterov")
CURVE_POINTS = 601
CONTOUR_POINTS = 81


@dataclass(frozen=True)
class MinimaConfig(CommonConfig):
    n_starts: int = 31
    lrates: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
    steps: int = 200
    tolerance: float = 1e-3
    show_lrate: float = 0.1
    surfaces: tuple[str, ...] = ("rosenbrock", "saddle", "narrow_valley")
    optimizers: tuple[str, ...] = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
    surface_steps: int = 500

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("backend", self.backend, ("numpy",))
        if self.data or self.features:
            raise InputValueError(
                "data must be empty for minima (it runs on built-in test functions), "
                f"got data={self.data!r}, features={self.features!r}"
            )
        check_int("n_starts", self.n_starts, minimum=2)
        if not self.lrates:
            raise InputValueError("lrates must list at least one learning rate, got ()")
        for lrate in self.lrates:
            check_lrate(lrate)
        check_positive_int("steps", self.steps)
        check_positive_float("tolerance", self.tolerance)
        check_positive_float("show_lrate", self.show_lrate)
        if self.show_lrate not in self.lrates:
            raise InputValueError(
                f"show_lrate must be one of lrates {self.lrates}, got {self.show_lrate}"
            )
        for name in self.surfaces:
            check_choice("surface", name, list(SURFACES))
        for name in self.optimizers:
            check_choice("optimizer", name, list(OPTIMIZERS))
        check_positive_int("surface_steps", self.surface_steps)


def default_data(config: MinimaConfig) -> Dataset:
    """The starts of the 1-D runs and f at them (there is no data set: the function is built in)."""
    low, high = X_COS_PI_X.domain
    starts = np.linspace(low, high, config.n_starts)
    return Dataset(
        X=starts.reshape(-1, 1),
        y=X_COS_PI_X.value(starts).reshape(-1, 1),
        feature_names=("start",),
        target_name="f(start)",
        source=(
            f"test function {X_COS_PI_X.formula} on [{low:g}, {high:g}]: {config.n_starts} evenly "
            "spaced starts (no data set)"
        ),
    )


def _curve_part(config: MinimaConfig, data: Dataset) -> tuple[dict, list[TrialRecord], dict]:
    local, global_ = _two_minima()
    starts = data.X[:, 0]
    lrates = np.asarray(config.lrates, dtype=np.float64)
    runs = descend_curve(X_COS_PI_X, starts, lrates, steps=config.steps)
    labels = basin_labels(runs.final_x, runs.escaped, local, global_, tolerance=config.tolerance)
    summaries = [
        {"start": float(s), "lrate": float(lr), "final_x": float(x), "basin": basin}
        for s, lr, x, basin in zip(runs.starts, runs.lrates, runs.final_x, labels, strict=True)
    ]
    trials, counts = [], []
    for i, lrate in enumerate(config.lrates):
        columns = range(i * len(starts), (i + 1) * len(starts))
        tally = Counter(labels[j] for j in columns)
        counts.append({"lrate": lrate, **{basin: tally.get(basin, 0) for basin in BASINS}})
        paths = {f"x[{k}]": runs.path(j) for k, j in enumerate(columns)}
        divergence = None
        if tally["diverged"] == len(starts):
            # GD on a function: one step per epoch; the trial diverged when its last start left
            last = max(len(path) - 1 for path in paths.values())
            low, high = X_COS_PI_X.domain
            reason = f"every run left [{low:g}, {high:g}]"
            divergence = Divergence(last, last, float(lrate), None, reason=reason)
        trials.append(
            trial_record(
                f"lrate={lrate:g}",
                {"lrate": lrate, "steps": config.steps, "starts": starts.tolist()},
                paths,
                {"lrate": lrate, "basins": [labels[j] for j in columns]},
                divergence,
            )
        )
    results = {
        "function": X_COS_PI_X.formula,
        "domain": list(X_COS_PI_X.domain),
        "minima": {"local": local.as_json(), "global": global_.as_json()},
        "basin_counts": counts,
        "runs": summaries,
    }
    grid = np.linspace(*X_COS_PI_X.domain, CURVE_POINTS)
    plot_data = {
        "curve_x": grid,
        "curve_f": X_COS_PI_X.value(grid),
        "show_lrate": config.show_lrate,
        "tolerance": config.tolerance,
    }
    return results, trials, plot_data


def _two_minima():
    minima = find_minima(X_COS_PI_X)
    if len(minima) != 2:  # a guard on the function table, not on user input
        raise RuntimeError(f"x·cos(πx) must have two minima on its domain, found {minima}")
    global_ = min(minima, key=lambda m: m.f)
    local = next(m for m in minima if m is not global_)
    return local, global_


def _surface_lrate(surface: Surface, optimizer: str) -> float:
    return surface.lrate if optimizer in GRADIENT_SCALED else surface.adaptive_lrate


def _contour_grid(surface: Surface) -> dict:
    x0, x1, y0, y1 = surface.box
    xs, ys = np.linspace(x0, x1, CONTOUR_POINTS), np.linspace(y0, y1, CONTOUR_POINTS)
    values = surface.value(np.stack(np.meshgrid(xs, ys), axis=-1))
    return {
        "formula": surface.formula,
        "x": xs,
        "y": ys,
        "z": [[float(f"{v:.6g}") for v in row] for row in values.tolist()],
        "box": list(surface.box),
        "start": list(surface.start),
        "minimum": None if surface.minimum is None else list(surface.minimum),
        "log_levels": surface.log_levels,
    }


def _surface_part(config: MinimaConfig) -> tuple[list, list[TrialRecord], dict]:
    summaries, trials, grids = [], [], {}
    for name in config.surfaces:
        surface = get_surface(name)
        grids[name] = _contour_grid(surface)
        for optimizer in config.optimizers:
            lrate = _surface_lrate(surface, optimizer)
            run = descend_surface(
                surface, make_optimizer(optimizer, lr=lrate), steps=config.surface_steps
            )
            final = run.points[-1]
            finite = bool(np.all(np.isfinite(run.points)) and np.all(np.isfinite(run.values)))
            distance = (
                None
                if surface.minimum is None or not finite
                else float(np.linalg.norm(final - np.asarray(surface.minimum)))
            )
            # Leaving the box is divergence where a minimum exists; on the saddle it is the
            # expected escape.
            diverged = not finite or (run.left_box and surface.minimum is not None)
            divergence = None
            if diverged:
                where = len(run.points) - 1
                divergence = Divergence(
                    where,
                    where,
                    lrate,
                    None,
                    name=f"{optimizer} on {name}",
                    reason=f"{optimizer} left the region around {name}",
                )
            summary = {
                "surface": name,
                "optimizer": optimizer,
                "lrate": lrate,
                "steps": len(run.points) - 1,
                "final_point": final.tolist(),
                "final_value": float(run.values[-1]),
                "left_box": run.left_box,
                "distance_to_minimum": distance,
            }
            summaries.append(summary)
            trials.append(
                trial_record(
                    f"{name}/{optimizer}",
                    {"surface": name, "optimizer": optimizer, "lr": lrate},
                    {"x": run.points[:, 0], "y": run.points[:, 1], "f": run.values},
                    summary,
                    divergence,
                )
            )
    return summaries, trials, grids


def run(config: MinimaConfig, data: Dataset) -> Outcome:
    results, trials, plot_data = _curve_part(config, data)
    surface_runs, surface_trials, grids = _surface_part(config)
    results["surface_runs"] = surface_runs
    plot_data["surfaces"] = grids
    return Outcome(results, trials + surface_trials, plot_data)


def headline(results: dict) -> str:
    """The one-line summary the CLI prints for a run."""
    minima = results["minima"]
    tally = Counter(run["basin"] for run in results["runs"])
    found = ", ".join(f"{basin} {tally[basin]}" for basin in BASINS)
    return (
        f"local minimum ({minima['local']['x']:.4f}, {minima['local']['f']:.4f}), global "
        f"({minima['global']['x']:.4f}, {minima['global']['f']:.4f}); runs by basin: {found}"
    )


EXPERIMENT = Experiment(
    **catalog_fields("minima"),
    config_type=MinimaConfig,
    default_data=default_data,
    run=run,
    headline=headline,
)
