"""Runs of descent methods on the test functions: GD on a curve, any optimizer on a surface."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.landscapes.curve import Curve
from descentlab.landscapes.surfaces import Surface
from descentlab.optim.transforms import GradientTransformation, apply_updates
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_finite_array,
    check_positive_float,
    check_positive_int,
)

__all__ = ["CurveRuns", "SurfaceRun", "descend_curve", "descend_surface"]


@dataclass(frozen=True)
class CurveRuns:
    """Gradient-descent runs on a curve, one column per (start, lrate) pair.

    ``paths[k, j]`` is iterate ``k`` of run ``j`` (``paths[0]`` the starts); after a run escaped
    the domain its later entries are NaN, and ``escaped[j]`` says so. ``final_x[j]`` is the last
    iterate inside the domain, or the escaping iterate itself for a run that left it.
    """

    starts: np.ndarray
    lrates: np.ndarray
    paths: np.ndarray
    escaped: np.ndarray
    final_x: np.ndarray

    def path(self, j: int) -> np.ndarray:
        """Run ``j``'s iterates up to where it stopped."""
        column = self.paths[:, j]
        return column[: int(np.count_nonzero(~np.isnan(column)))]


def descend_curve(curve: Curve, starts: np.ndarray, lrates: np.ndarray, *, steps: int) -> CurveRuns:
    """``x ← x − lrate·f'(x)`` for ``steps`` steps from every start at every lrate, at once.

    ``starts`` and ``lrates`` are 1-D; runs are ordered lrate-major (all starts at
    ``lrates[0]`` first). A run stops at the first iterate that is non-finite or outside
    ``curve.domain`` (see NOTE [basin labels] in :mod:`descentlab.landscapes.basins`).
    """
    starts = np.asarray(starts, dtype=np.float64).ravel()
    lrates = np.asarray(lrates, dtype=np.float64).ravel()
    check_finite_array("starts", starts)
    for lrate in lrates.tolist():
        check_positive_float("lrate", lrate)
    steps = check_positive_int("steps", steps)
    low, high = curve.domain
    start_of_run = np.tile(starts, len(lrates))
    lrate_of_run = np.repeat(lrates, len(starts))
    paths = np.full((steps + 1, start_of_run.size), np.nan)
    paths[0] = start_of_run
    x = start_of_run.copy()
    active = (x >= low) & (x <= high)
    escaped = ~active
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            if not active.any():
                break
            x = np.where(active, x - lrate_of_run * curve.derivative(x), x)
            paths[k, active] = x[active]
            left = active & ~((x >= low) & (x <= high))  # NaN compares False: counts as left
            escaped |= left
            active &= ~left
    lengths = np.count_nonzero(~np.isnan(paths), axis=0)  # NaN only after a run stopped
    final_x = paths[lengths - 1, np.arange(paths.shape[1])]
    return CurveRuns(start_of_run, lrate_of_run, paths, escaped, final_x)


@dataclass(frozen=True)
class SurfaceRun:
    """An optimizer's path on a surface: ``points`` (k, 2) and ``values`` (k,).

    ``left_box`` is True when the run stopped early because an iterate left ``box`` (or became
    non-finite); that iterate is the last one recorded.
    """

    points: np.ndarray
    values: np.ndarray
    left_box: bool


def descend_surface(
    surface: Surface,
    optimizer: GradientTransformation,
    *,
    steps: int,
    start: tuple[float, float] | None = None,
    box: tuple[float, float, float, float] | None = None,
) -> SurfaceRun:
    """Run ``optimizer`` (any :mod:`descentlab.optim` transformation) on ``surface``.

    Starts at ``start`` (default ``surface.start``) and stops after ``steps`` updates or at the
    first iterate outside ``box`` (default: the surface's box widened by half its size on each
    side, so the saddle's escape is shown and then cut off).
    """
    steps = check_positive_int("steps", steps)
    if not isinstance(optimizer, GradientTransformation):
        raise InputTypeError(f"optimizer must be a GradientTransformation, got {optimizer!r}")
    z = np.array(surface.start if start is None else start, dtype=np.float64)
    if z.shape != (2,):
        raise InputValueError(f"start must be a point (x, y), got shape {z.shape}")
    check_finite_array("start", z)
    if box is None:
        x0, x1, y0, y1 = surface.box
        w, h = (x1 - x0) / 2, (y1 - y0) / 2
        box = (x0 - w, x1 + w, y0 - h, y1 + h)
    state = optimizer.init(z)
    points = [z]
    left_box = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            updates, state = optimizer.update(surface.gradient(z), state, z)
            z = apply_updates(z, updates)
            points.append(z)
            inside = box[0] <= z[0] <= box[1] and box[2] <= z[1] <= box[3]
            if not inside:
                left_box = True
                break
    array = np.array(points)
    with np.errstate(over="ignore", invalid="ignore"):
        values = surface.value(array)
    return SurfaceRun(array, values, left_box)
