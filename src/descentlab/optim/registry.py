"""Optimizers by name: ``make_optimizer("adam", lr=0.01)``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from descentlab.optim.adadelta import adadelta
from descentlab.optim.adagrad import adagrad
from descentlab.optim.adam import adam, adamw, amsgrad
from descentlab.optim.nadam import nadam
from descentlab.optim.radam import radam
from descentlab.optim.rmsprop import rmsprop
from descentlab.optim.sgd import sgd, sgd_momentum, sgd_nesterov
from descentlab.optim.transforms import GradientTransformation
from descentlab.validation import InputTypeError, check_choice

__all__ = ["OPTIMIZERS", "hyperparameters", "make_optimizer"]

OPTIMIZERS: dict[str, Callable[..., GradientTransformation]] = {
    "sgd": sgd,
    "momentum": sgd_momentum,
    "nesterov": sgd_nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adadelta": adadelta,
    "adam": adam,
    "amsgrad": amsgrad,
    "adamw": adamw,
    "nadam": nadam,
    "radam": radam,
}


def hyperparameters(name: str) -> dict[str, Any]:
    """The hyperparameters of optimizer ``name`` with their defaults."""
    check_choice("name", name, list(OPTIMIZERS))
    signature = inspect.signature(OPTIMIZERS[name])
    return {p.name: p.default for p in signature.parameters.values()}


def make_optimizer(name: str, **hyper: Any) -> GradientTransformation:
    """The optimizer registered as ``name``, built with ``hyper`` (defaults as in torch.optim).

    Example:
        >>> from descentlab.optim import make_optimizer
        >>> opt = make_optimizer("adam", lr=0.01, betas=(0.5, 0.99))
    """
    allowed = hyperparameters(name)
    for key, value in hyper.items():
        if key not in allowed:
            raise InputTypeError(
                f"{key} must be a hyperparameter of {name!r} ({', '.join(allowed)}), "
                f"got {key}={value!r}"
            )
    return OPTIMIZERS[name](**hyper)
