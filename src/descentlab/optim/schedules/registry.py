"""Schedules by name: ``make_schedule("cosine", lr=0.1, T_max=100)``."""

from __future__ import annotations

import dataclasses
from typing import Any

from descentlab.optim.schedules.cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from descentlab.optim.schedules.decay import ExponentialLR, MultiStepLR, StepLR
from descentlab.optim.schedules.one_cycle import OneCycleLR
from descentlab.optim.schedules.plateau import ReduceLROnPlateau
from descentlab.optim.schedules.sequential import SequentialLR
from descentlab.optim.schedules.warmup import LinearLR
from descentlab.validation import InputTypeError, check_choice

__all__ = ["SCHEDULES", "make_schedule"]

SCHEDULES: dict[str, type] = {
    "step": StepLR,
    "multistep": MultiStepLR,
    "exponential": ExponentialLR,
    "cosine": CosineAnnealingLR,
    "cosine_warm_restarts": CosineAnnealingWarmRestarts,
    "linear": LinearLR,
    "one_cycle": OneCycleLR,
    "plateau": ReduceLROnPlateau,
    "sequential": SequentialLR,
}


def make_schedule(name: str, **hyper: Any) -> Any:
    """The schedule registered as ``name`` (``"plateau"`` gives the metric-driven state machine).

    Example:
        >>> make_schedule("step", lr=1.0, step_size=10, gamma=0.5)(25)
        0.25
    """
    check_choice("name", name, list(SCHEDULES))
    cls = SCHEDULES[name]
    allowed = [f.name for f in dataclasses.fields(cls)]
    for key, value in hyper.items():
        if key not in allowed:
            raise InputTypeError(
                f"{key} must be a hyperparameter of {name!r} ({', '.join(allowed)}), "
                f"got {key}={value!r}"
            )
    return cls(**hyper)
