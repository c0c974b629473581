"""The experiment registry: each SPEC §2 experiment is one module with a config and ``run()``."""

from __future__ import annotations

from descentlab.experiments import (
    batch_compare,
    devices,
    gd_multifeature,
    gd_onefeature,
    loaders,
    lr_find,
    lr_sweep,
    minibatch_sgd,
    minima,
    optimizers,
    schedulers,
)
from descentlab.experiments.base import Experiment, Outcome
from descentlab.validation import check_choice

__all__ = ["EXPERIMENTS", "Experiment", "Outcome", "get_experiment"]

EXPERIMENTS: dict[str, Experiment] = {
    module.EXPERIMENT.name: module.EXPERIMENT
    for module in (
        gd_onefeature,
        lr_sweep,
        gd_multifeature,
        minibatch_sgd,
        batch_compare,
        optimizers,
        schedulers,
        minima,
        loaders,
        devices,
        lr_find,
    )
}


def get_experiment(name: str) -> Experiment:
    """The registered experiment called ``name``."""
    check_choice("experiment", name, tuple(EXPERIMENTS))
    return EXPERIMENTS[name]
