"""descentlab: gradient-based optimization as experiments that run, reproduce, and are checked.

The public API re-exports SPEC §1 (the linear predictor, its gradient steps and loops, each with a
``backend="numpy" | "torch"`` switch).
"""

from __future__ import annotations

from descentlab.grade import check
from descentlab.linear import (
    BACKENDS,
    GD,
    GD_early_stopping,
    GD_onefeature,
    GDHistory,
    SGDHistory,
    batch_indices,
    get_backend,
    gradient_step,
    gradient_step_onefeature,
    initial_weight,
    least_squares,
    minibatches,
    minibatchSGD,
    mse_loss,
    n_batches,
)

__version__ = "0.1.0"

__all__ = [
    "BACKENDS",
    "GD",
    "GDHistory",
    "GD_early_stopping",
    "GD_onefeature",
    "SGDHistory",
    "__version__",
    "batch_indices",
    "check",
    "get_backend",
    "gradient_step",
    "gradient_step_onefeature",
    "initial_weight",
    "least_squares",
    "minibatchSGD",
    "minibatches",
    "mse_loss",
    "n_batches",
]
