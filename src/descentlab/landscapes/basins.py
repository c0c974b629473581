"""Which minimum a one-dimensional gradient-descent run ended in.

NOTE [basin labels]: a run is labelled by where it *ended*, after a fixed number of steps:

- ``diverged``: an iterate became non-finite or left the domain (the run is stopped there);
  outside ``[−1, 2]``, ``x·cos(πx)`` has other, deeper minima, so such a run no longer descends
  into either of the minima under study;
- ``local`` / ``global``: the final iterate is within ``tolerance`` of that minimum;
- ``none``: it stayed in the domain but is within ``tolerance`` of neither minimum — a rate too
  small to arrive in the steps given, a start on the maximum between the basins, or a rate that
  makes it bounce around a minimum without settling (a 2-cycle).

So ``none`` is a real outcome, not an error; it separates "not there yet" from "went elsewhere".
"""

from __future__ import annotations

import numpy as np

from descentlab.landscapes.stationary import Minimum
from descentlab.validation import check_positive_float

__all__ = ["BASINS", "basin_labels"]

BASINS = ("local", "global", "diverged", "none")


def basin_labels(
    final_x: np.ndarray,
    escaped: np.ndarray,
    local: Minimum,
    global_: Minimum,
    *,
    tolerance: float,
) -> list[str]:
    """One label of :data:`BASINS` per run (see NOTE [basin labels])."""
    tolerance = check_positive_float("tolerance", tolerance)
    final_x = np.asarray(final_x, dtype=np.float64)
    labels = []
    for x, gone in zip(final_x.tolist(), np.asarray(escaped).tolist(), strict=True):
        if gone or not np.isfinite(x):
            labels.append("diverged")
        elif abs(x - global_.x) <= tolerance:
            labels.append("global")
        elif abs(x - local.x) <= tolerance:
            labels.append("local")
        else:
            labels.append("none")
    return labels
