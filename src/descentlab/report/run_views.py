"""What the interactive report shows of one stored experiment run: its trials, their curves and
the paths its optimizers took, as plain data the page's script draws (NOTE [report data]).

NOTE [report data]: every view is data, not a figure: ``curves`` (metric series per trial; the
page offers a metric select, one select per parameter that differs between trials, and a
checkbox per trial) and ``paths`` (for each choice — a learning rate, a batch size, an optimizer
or a surface — the paths taken, which the page steps through epoch by epoch, over a background
curve or contour with marked points: the view's own, or the choice's where each differs).
The page builds plotly traces from it, so one small script serves every experiment and the JSON
holds each number once. Built from the store only, like the static figures (``plots``);
non-finite values become ``null`` (NOTE [non-finite in JSON]), which plotly draws as a gap, so
a diverged run shows up to where it left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from descentlab.store.records import StoredExperiment, StoredRun

__all__ = ["CURVE_METRICS", "experiment_views", "train_group_views", "trial_params"]

#: The metrics a curves view offers first, per experiment (others follow in name order).
CURVE_METRICS: dict[str, tuple[str, ...]] = {
    "gd-onefeature": ("loss",),
    "lr-sweep": ("loss",),
    "minibatch-sgd": ("epoch_loss", "batch_loss"),
    "optimizers": ("epoch_loss", "batch_loss", "distance_to_optimum", "lrate"),
    "schedulers": ("epoch_loss", "lrate", "batch_loss", "distance_to_optimum"),
    "train": ("train_loss", "val_loss", "lrate"),
    "minima": ("f",),
}

#: Series left out of curves views: the weights and positions (drawn as paths) and the epoch
#: counter of ``train`` (the x axis).
_NOT_CURVES = ("x", "y", "epoch")
_NOT_CURVE_PREFIXES = ("weight[", "x[")


def _series(values: Any) -> list[float | None]:
    """Values as the page gets them: rounded to 7 significant digits (the page shows 5; the
    JSON is a third of full precision), ``None`` for non-finite ones (NOTE [non-finite in
    JSON]). Vectorised: a report of a thousand runs rounds millions of values."""
    array = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(array)
    with np.errstate(all="ignore"):
        digits = 6 - np.floor(np.log10(np.abs(np.where(finite & (array != 0), array, 1.0))))
        scale = 10.0**digits
        rounded = np.round(array * scale) / scale
    rounded = np.where(np.isfinite(rounded), rounded, array)
    return [v if ok else None for v, ok in zip(rounded.tolist(), finite.tolist(), strict=True)]


def _scalar(value: Any) -> str | float | int | bool | None:
    if isinstance(value, list | tuple):
        items = [_scalar(v) for v in value]
        if len(items) > 6 or any(isinstance(v, dict) for v in value):
            return None
        return "/".join(str(v) for v in items)
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else str(value)
    return None


def trial_params(config: dict[str, Any], *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """The settings of a trial or run shown in tables and offered as filters: scalars, and short
    lists as ``a/b`` text; nested records (the data set's description) left out."""
    left_out = set(skip)
    params = {}
    for key, value in config.items():
        shown = _scalar(value)
        if key not in left_out and shown is not None and shown != "":
            params[key] = shown
    return params


def _trial_entry(run: StoredRun, params: dict[str, Any]) -> dict[str, Any]:
    return {"id": run.id, "label": run.label, "status": run.status, "params": params}


def _curves(
    experiment: str,
    trials: Sequence[StoredRun],
    metrics: Callable[[StoredRun], dict],
    x: str,
    x_start: int = 0,
) -> dict[str, Any] | None:
    series: list[dict[str, list]] = []
    names: set[str] = set()
    for trial in trials:
        chosen = {
            name: _series(values)
            for name, values in metrics(trial).items()
            if name not in _NOT_CURVES
            and not name.startswith(_NOT_CURVE_PREFIXES)
            and len(values) > 1
        }
        names |= set(chosen)
        series.append(chosen)
    if not names:
        return None
    first = [name for name in CURVE_METRICS.get(experiment, ()) if name in names]
    order = first + sorted(names - set(first))
    return {
        "kind": "curves",
        "title": "Curves",
        "x_label": x,
        "x_start": x_start,
        "metrics": order,
        "series": series,
    }


def _line_background(xs: Sequence[float], ys: Sequence[float], name: str) -> dict[str, Any]:
    return {"type": "line", "x": _series(xs), "y": _series(ys), "name": name}


def _paths_view(
    title: str, choice: str, axes: tuple[str, str], choices: list[dict], **shared: Any
) -> dict[str, Any] | None:
    """A paths view (NOTE [report data]); ``shared`` holds a background and marks common to
    every choice. None without a choice to show."""
    if not choices:
        return None
    return {"kind": "paths", "title": title, "choice_label": choice, "x_label": axes[0],
            "y_label": axes[1], "choices": choices, **shared}  # fmt: skip


def _trial_path_choices(stored: StoredExperiment, x: str, y: str) -> list[dict[str, Any]]:
    """One choice per trial that stored both series ``x`` and ``y``: its one path."""
    choices = []
    for trial in stored.trials:
        metrics = stored.trial_metrics(trial)
        if x in metrics and y in metrics:
            path = {"name": trial.label, "x": _series(metrics[x]), "y": _series(metrics[y])}
            choices.append({"label": trial.label, "paths": [path]})
    return choices


def _linear_paths(stored: StoredExperiment, choice: str) -> dict[str, Any] | None:
    """Loss vs weight on the one-feature problem: the MSE parabola, w*, each trial's iterates."""
    data = stored.run.plot_data
    if "curve_weights" not in data:
        return None
    w_star, l_star = data["optimum"]
    return _paths_view(
        "Loss vs weight, step by step",
        choice,
        ("weight w", "MSE"),
        _trial_path_choices(stored, "weight", "loss"),
        background=_line_background(data["curve_weights"], data["curve_losses"], "MSE(w)"),
        marks=[{"x": w_star, "y": l_star, "name": "least squares w*"}],
    )


def _weight_plane_paths(stored: StoredExperiment, choice: str) -> dict[str, Any] | None:
    """Optimizers and schedules on the 5-feature problem: the path in (w₀, w₁) to the optimum."""
    optimum = np.asarray(stored.run.results.get("optimum_weights", []), dtype=np.float64).ravel()
    marks = (
        [{"x": float(optimum[0]), "y": float(optimum[1]), "name": "least squares optimum"}]
        if optimum.size >= 2 and np.all(np.isfinite(optimum[:2]))
        else []
    )
    return _paths_view(
        "Weights w₀, w₁ step by step",
        choice,
        ("weight w₀", "weight w₁"),
        _trial_path_choices(stored, "weight[0]", "weight[1]"),
        marks=marks,
    )


def _minima_paths(stored: StoredExperiment) -> list[dict[str, Any] | None]:
    """x·cos(πx): every start at the chosen rate; the 2-D surfaces: every optimizer's path."""
    from descentlab.landscapes.curve import X_COS_PI_X

    data = stored.run.plot_data
    views = []
    curve_choices = []
    background = _line_background(data.get("curve_x", []), data.get("curve_f", []), "f(x)")
    minima = stored.run.results.get("minima", {})
    marks = [
        {"x": spot["x"], "y": spot["f"], "name": f"{kind} minimum"}
        for kind, spot in minima.items()
        if isinstance(spot, dict) and "x" in spot and "f" in spot
    ]
    for trial in stored.trials:
        if "starts" not in trial.config:
            continue
        metrics = stored.trial_metrics(trial)
        paths = []
        for index in range(len(trial.config["starts"])):
            xs = metrics.get(f"x[{index}]")
            if xs is None:
                continue
            with np.errstate(all="ignore"):
                fs = X_COS_PI_X.value(xs)
            paths.append({"name": f"start {xs[0]:.2g}", "x": _series(xs), "y": _series(fs)})
        curve_choices.append({"label": trial.label, "paths": paths})
    views.append(
        _paths_view(
            "GD on x·cos(πx) from every start",
            "learning rate",
            ("x", "f(x)"),
            curve_choices,
            background=background,
            marks=marks,
        )
    )
    surface_choices = []
    for name, surface in data.get("surfaces", {}).items():
        z = np.asarray(surface["z"], dtype=np.float64)
        if surface.get("log_levels"):
            with np.errstate(all="ignore"):
                z = np.log10(z - np.nanmin(z) + 1e-3)
        paths = []
        for trial in stored.trials:
            if trial.config.get("surface") != name:
                continue
            metrics = stored.trial_metrics(trial)
            if "x" in metrics and "y" in metrics:
                paths.append(
                    {"name": str(trial.config.get("optimizer", trial.label)),
                     "x": _series(metrics["x"]), "y": _series(metrics["y"])}
                )  # fmt: skip
        marks = [{"x": surface["start"][0], "y": surface["start"][1], "name": "start"}]
        if surface.get("minimum"):
            marks.append(
                {"x": surface["minimum"][0], "y": surface["minimum"][1], "name": "minimum"}
            )
        surface_choices.append(
            {
                "label": name,
                "background": {
                    "type": "contour",
                    "x": _series(surface["x"]),
                    "y": _series(surface["y"]),
                    "z": [_series(row) for row in z],
                    "name": ("log₁₀ " if surface.get("log_levels") else "") + surface["formula"],
                },
                "marks": marks,
                "paths": paths,
            }
        )
    views.append(_paths_view("Optimizers on 2-D surfaces", "surface", ("x", "y"), surface_choices))
    return views


_CHOICE = {
    "gd-onefeature": "run",
    "lr-sweep": "learning rate",
    "minibatch-sgd": "batch size",
    "optimizers": "optimizer",
    "schedulers": "schedule",
}


def experiment_views(stored: StoredExperiment) -> dict[str, Any]:
    """The trials and views of one stored experiment run (NOTE [report data])."""
    experiment = stored.run.experiment
    trials = stored.trials or [stored.run]
    skip = ("starts",)
    entries = [_trial_entry(t, trial_params(t.config, skip=skip)) for t in trials]
    views: list[dict[str, Any]] = []
    x = "epoch" if experiment in ("gd-onefeature", "lr-sweep", "train") else "step"
    curves = _curves(experiment, trials, stored.trial_metrics, x)
    if curves is not None:
        views.append(curves)
    if experiment in ("gd-onefeature", "lr-sweep", "minibatch-sgd"):
        views.append(_linear_paths(stored, _CHOICE[experiment]))
    elif experiment in ("optimizers", "schedulers"):
        views.append(_weight_plane_paths(stored, _CHOICE[experiment]))
    elif experiment == "minima":
        views.extend(_minima_paths(stored))
    return {"trials": entries, "views": [view for view in views if view]}


_TRAIN_SKIP = (
    "dataset_description", "scaling", "classes", "resolved_device", "n_train", "n_val",
    "checkpoint_every", "n_outputs", "target",
)  # fmt: skip


def train_group_views(runs: Sequence[StoredRun], metrics: Callable[[StoredRun], dict]) -> dict:
    """``train`` runs side by side: each run is one trial of the group, its settings (optimizer,
    learning rate, batch size, schedule…) the parameters the page filters by."""
    params = [trial_params(run.config, skip=_TRAIN_SKIP) for run in runs]
    varying = [k for k in params[0] if len({repr(p.get(k)) for p in params}) > 1] if runs else []
    entries = [
        _trial_entry(run, p)
        | {"label": " ".join([f"run {run.id}", *(f"{k}={p.get(k)}" for k in varying)])}
        for run, p in zip(runs, params, strict=True)
    ]
    curves = _curves("train", runs, metrics, "epoch", x_start=1)  # train counts epochs from 1
    return {"trials": entries, "views": [curves] if curves else []}
