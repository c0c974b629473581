"""Is the full-batch gradient bound by reading X? One blocked pass against a plain read of X.

Data: float32 X of 1M × 100 (200k × 100 with ``quick``), y and w to match; everything on one core.
Cases, timed in alternating rounds after a warm-up (``harness.time_side_by_side``), medians:

* ``read X once (NumPy X.sum)`` and ``read X once (compiled column sums)``: two ways to stream
  every element of X once and do almost nothing with it. The reference "time to read X" is the
  faster of the two, so the target is judged against the harder bound.
* ``one-pass gradient step``: the fast backend's full-batch step (what each epoch of its ``GD``
  runs): ``X·w`` and ``Xᵀr`` per row while the row is in cache (NOTE [one pass]), then the update.
* ``one-pass full_batch_gradient (checked)``: the public function, whose input checks (finite
  values) read X once more; shown for the cost of checking, not used in the ratio.
* ``two-pass NumPy step``: the reference backend's step, ``r = y - X@w`` then ``X.T@r``: X twice.
"""

from __future__ import annotations

import numba
import numpy as np

from descentlab.linear import fast_backend, numpy_backend
from descentlab.linear.one_pass import full_batch_gradient
from harness import Benchmark, Case, Ratio, time_side_by_side

FEATURES = 100


@numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _column_sums(X: np.ndarray) -> np.ndarray:
    total = np.zeros(X.shape[1], dtype=X.dtype)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            total[j] += X[i, j]
    return total


def run(quick: bool, smoke: bool = False) -> Benchmark:
    rows = 2_000 if smoke else 200_000 if quick else 1_000_000
    repeat = 1 if smoke else 5 if quick else 9
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, FEATURES), dtype=np.float32)
    y = rng.standard_normal((rows, 1), dtype=np.float32)
    w = (0.1 * rng.standard_normal((FEATURES, 1))).astype(np.float32)
    bytes_read = X.nbytes

    calls = {
        "read X once (NumPy X.sum)": lambda: X.sum(),
        "read X once (compiled column sums)": lambda: _column_sums(X),
        "one-pass gradient step": lambda: fast_backend.BACKEND.step(X, y, w, 0.1),
        "one-pass full_batch_gradient (checked)": lambda: full_batch_gradient(X, y, w),
        "two-pass NumPy step": lambda: numpy_backend.BACKEND.step(X, y, w, 0.1),
    }
    timings = time_side_by_side(calls, repeat=repeat)
    cases = [
        Case(name, t.median, t.rate(bytes_read / 1e6), "MB of X/s", t.as_dict())
        for name, t in timings.items()
    ]
    seconds = {c.name: c.median_s for c in cases}
    read = min(seconds["read X once (NumPy X.sum)"], seconds["read X once (compiled column sums)"])
    blocked = seconds["one-pass gradient step"]
    ratios = [
        Ratio(
            "blocked / read",
            blocked / read,
            2.0,
            False,
            "time of a one-pass gradient step over the faster way to read X once",
        ),
        Ratio(
            "two-pass / blocked",
            seconds["two-pass NumPy step"] / blocked,
            1.0,
            True,
            "time of the plain two-pass NumPy step over the one-pass step",
        ),
    ]
    setting = f"float32 X {rows} × {FEATURES} ({bytes_read / 1e6:.0f} MB), one core"
    return Benchmark("gradient", setting, cases, ratios)
