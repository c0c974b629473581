"""Drawing diverged and non-finite curves: only what an axis can show, and a mark where it ends.

NOTE [clipped curves]: a diverged run's series holds NaN (the store keeps inf as NaN) and, before
that, values growing like 1e150, 1e300. matplotlib ignores NaN when it sets limits, but values
that large overflow its transforms and log-axis margins (RuntimeWarning: overflow in exp or
subtract), so any value of magnitude ``OFF_CHART`` (1e100) or more is treated as off the chart
like NaN: :func:`on_chart` turns such values (and, for a log axis, those <= 0) into gaps, so the
limits come from the drawable values only. :func:`mark_divergence` puts a cross on a diverged
curve's last drawable point, with a legend entry that says where the run diverged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.divergence import Divergence
from descentlab.plots.tick_labels import set_scale

__all__ = [
    "OFF_CHART",
    "divergence_label",
    "drawable",
    "mark_divergence",
    "on_chart",
    "set_log_scale",
    "stored_divergence",
]

OFF_CHART = 1e100


def drawable(values: Any, *, log: bool = False) -> np.ndarray:
    """Where ``values`` can be drawn: finite, below ``OFF_CHART`` in magnitude (and > 0 on a
    log axis)."""
    array = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(array) & (np.abs(array) < OFF_CHART)
        if log:
            keep &= array > 0
    return keep


def on_chart(values: Any, *, log: bool = False) -> np.ndarray:
    """``values`` as float64 with what cannot be drawn turned into gaps (NaN)."""
    array = np.asarray(values, dtype=np.float64)
    return np.where(drawable(array, log=log), array, np.nan)


def set_log_scale(ax: Any, axis: str = "y") -> None:
    """A log scale on ``axis`` only when something positive is drawn on it (matplotlib warns
    about a log axis without positive data), widened to a factor 2 each way when the data are
    one value (a constant loss: matplotlib's own widening leaves a singular log axis)."""
    data = ax.dataLim
    low, high = (data.y0, data.y1) if axis == "y" else (data.x0, data.x1)
    if not (np.isfinite(low) and np.isfinite(high) and high > 0):
        return
    set_scale(ax, axis, "log")
    if low > 0 and high <= low * (1 + 1e-9):
        (ax.set_ylim if axis == "y" else ax.set_xlim)(low / 2, high * 2)


def stored_divergence(trial: Any) -> Divergence | None:
    """The divergence record a trial stored with its results (None when it did not diverge)."""
    record = (trial.results or {}).get("divergence") if isinstance(trial.results, dict) else None
    return None if record is None else Divergence.from_json(record)


def divergence_label(divergence: Divergence | None) -> str | None:
    """The legend text of a divergence mark."""
    if divergence is None:
        return None
    return f"diverged at epoch {divergence.epoch}, step {divergence.step}"


def mark_divergence(
    ax: Any,
    x: Any,
    y: Any,
    text: str | None,
    *,
    color: str = "tab:red",
    log: bool = False,
) -> None:
    """Mark the last drawable point of a diverged curve ``(x, y)`` with a cross and the legend
    entry ``text`` (nothing when ``text`` is None or nothing is drawable)."""
    if text is None:
        return
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = min(len(xs), len(ys))
    shown = np.flatnonzero(drawable(xs[:n]) & drawable(ys[:n], log=log))
    if not shown.size:
        return
    last = shown[-1]
    ax.plot(
        [xs[last]],
        [ys[last]],
        marker="X",
        ms=10,
        color=color,
        mec="k",
        ls="none",
        zorder=7,
        label=text,
    )
