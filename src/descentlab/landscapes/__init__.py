"""§2.8 test functions: a 1-D curve with two minima and 2-D surfaces, with exact derivatives.

``landscapes`` holds the functions (:mod:`.curve`, :mod:`.surfaces`), how their minima are
located (:mod:`.stationary`), descent runs on them (:mod:`.descent`) and the basin a run ends in
(:mod:`.basins`). NumPy only; the optimizers come from :mod:`descentlab.optim`.
"""

from descentlab.landscapes.basins import BASINS, basin_labels
from descentlab.landscapes.curve import X_COS_PI_X, Curve
from descentlab.landscapes.descent import CurveRuns, SurfaceRun, descend_curve, descend_surface
from descentlab.landscapes.stationary import Minimum, find_minima, refine_root
from descentlab.landscapes.surfaces import (
    SURFACES,
    Surface,
    get_surface,
    narrow_valley,
    rosenbrock,
    saddle,
)

__all__ = [
    "BASINS",
    "SURFACES",
    "X_COS_PI_X",
    "Curve",
    "CurveRuns",
    "Minimum",
    "Surface",
    "SurfaceRun",
    "basin_labels",
    "descend_curve",
    "descend_surface",
    "find_minima",
    "get_surface",
    "narrow_valley",
    "refine_root",
    "rosenbrock",
    "saddle",
]
