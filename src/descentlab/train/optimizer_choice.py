"""Optimizers and learning-rate schedulers for a model, by name.

``impl="torch"`` gives ``torch.optim``'s own class, ``impl="descentlab"`` the project's NumPy
optimizer behind a ``torch.optim.Optimizer`` (NOTE [adaptor numerics] in
:mod:`descentlab.optim.torch_adapter`); both are checked by the same rules. Schedulers are
``torch.optim.lr_scheduler``'s own classes, with defaults derived from the run's length.
"""

from __future__ import annotations

from typing import Any

import torch

from descentlab.optim.torch_adapter import (
    TORCH_SCHEDULERS,
    DescentlabOptimizer,
    make_torch_optimizer,
    make_torch_scheduler,
)
from descentlab.validation import (
    InputValueError,
    check_choice,
    check_positive_float,
    check_positive_int,
)

__all__ = ["IMPLEMENTATIONS", "SCHEDULES", "build_optimizer", "build_scheduler"]

IMPLEMENTATIONS = ("torch", "descentlab")
SCHEDULES = tuple(TORCH_SCHEDULERS)


def build_optimizer(
    model: torch.nn.Module, name: str, *, lrate: float, impl: str = "torch", **hyper: Any
) -> torch.optim.Optimizer:
    """Optimizer ``name`` (``sgd``, ``momentum``, ``adam``, … as in
    :data:`descentlab.optim.OPTIMIZERS`) over ``model``'s parameters at learning rate ``lrate``."""
    check_choice("impl", impl, IMPLEMENTATIONS)
    lrate = check_positive_float("lrate", lrate)
    if "lr" in hyper:
        raise InputValueError(
            f"lr must be given as lrate, not as a hyperparameter, got lr={hyper['lr']!r}"
        )
    if impl == "torch":
        return make_torch_optimizer(name, model.parameters(), lr=lrate, **hyper)
    return DescentlabOptimizer(model.parameters(), name, lr=lrate, **hyper)


def build_scheduler(
    optimizer: torch.optim.Optimizer,
    name: str,
    *,
    epochs: int,
    steps_per_epoch: int,
    **hyper: Any,
) -> tuple[Any, str]:
    """``(scheduler, unit)``: torch's scheduler ``name`` and whether it steps per ``epoch`` or
    per ``step``.

    Defaults fill what the run's length implies: ``step`` decays ×0.1 every third of the run,
    ``multistep`` at half and three quarters, ``exponential`` ×0.9 per epoch, ``cosine`` anneals
    over every epoch, ``cosine_warm_restarts`` restarts every third, ``one_cycle`` peaks at the
    optimizer's learning rate and spans every step (it is the only per-step one),
    ``plateau`` watches the validation loss. ``hyper`` overrides any of them.
    """
    check_choice("schedule", name, SCHEDULES)
    epochs = check_positive_int("epochs", epochs)
    steps_per_epoch = check_positive_int("steps_per_epoch", steps_per_epoch)
    third = max(1, epochs // 3)
    defaults: dict[str, dict[str, Any]] = {
        "step": {"step_size": third},
        "multistep": {"milestones": tuple(sorted({max(1, epochs // 2), max(2, 3 * epochs // 4)}))},
        "exponential": {"gamma": 0.9},
        "cosine": {"T_max": epochs},
        "cosine_warm_restarts": {"T_0": third},
        "one_cycle": {
            "max_lr": float(optimizer.param_groups[0]["lr"]),
            "total_steps": epochs * steps_per_epoch,
        },
    }
    options = {**defaults.get(name, {}), **hyper}
    scheduler = make_torch_scheduler(name, optimizer, **options)
    return scheduler, "step" if name == "one_cycle" else "epoch"
