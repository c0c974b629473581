"""descentlab: gradient-based optimization as experiments that run, reproduce, and are checked.

The public API re-exports SPEC §1 (the linear predictor, its gradient steps and loops, each with a
``backend="numpy" | "torch"`` switch), the seed's ``batch`` generator, the grader's ``check``, and
``run_experiment`` (one experiment of ``descentlab list``, as ``descentlab run`` runs it; its
report shows its headline and figures in Jupyter).

NOTE [lazy package]: every ``descentlab`` command starts by importing this package, so it
imports nothing itself; each name is looked up in its home module on first use. ``descentlab
list`` and ``--help`` thus never load NumPy or the grader, and ``from descentlab import GD``
costs what ``descentlab.linear`` costs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from descentlab.lazy import lazy_names

if TYPE_CHECKING:  # the names for type checkers and IDEs; at run time see __getattr__
    from descentlab.experiments.runner import run_experiment
    from descentlab.grade import check
    from descentlab.linear import (
        BACKENDS,
        DEFAULT_BATCH_SEED,
        GD,
        GD_early_stopping,
        GD_onefeature,
        GDHistory,
        SGDHistory,
        batch,
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
    "DEFAULT_BATCH_SEED",
    "GD",
    "GDHistory",
    "GD_early_stopping",
    "GD_onefeature",
    "SGDHistory",
    "__version__",
    "batch",
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
    "run_experiment",
]

# check is the grader's, run_experiment the experiments'; every other name but __version__ lives
# in descentlab.linear
_ELSEWHERE = {"check": "descentlab.grade", "run_experiment": "descentlab.experiments.runner"}
_HOMES = {
    name: _ELSEWHERE.get(name, "descentlab.linear") for name in __all__ if name != "__version__"
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals())
