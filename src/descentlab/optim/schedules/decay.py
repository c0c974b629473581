"""Piecewise-constant and exponential decay: StepLR, MultiStepLR, ExponentialLR."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from descentlab.optim.schedules._base import StepSchedule, set_fields
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_int,
    check_nonnegative_float,
    check_positive_float,
    check_positive_int,
    describe,
)

__all__ = ["ExponentialLR", "MultiStepLR", "StepLR"]


@dataclass(frozen=True)
class StepLR(StepSchedule):
    r"""Multiply by γ every ``step_size`` steps.

    .. math:: \eta_t = \eta\,\gamma^{\lfloor t/s \rfloor}

    Args:
        lr: η >= 0, the rate at step 0.
        step_size: s, a positive integer.
        gamma: γ > 0 (default 0.1).

    Example:
        >>> [StepLR(1.0, step_size=2, gamma=0.5)(t) for t in range(5)]
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    lr: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        set_fields(
            self,
            lr=check_nonnegative_float("lr", self.lr),
            step_size=check_positive_int("step_size", self.step_size),
            gamma=check_positive_float("gamma", self.gamma),
        )

    def value(self, step: int) -> float:
        return self.lr * self.gamma ** (step // self.step_size)


@dataclass(frozen=True)
class MultiStepLR(StepSchedule):
    r"""Multiply by γ at each milestone: :math:`\eta_t = \eta\, \gamma^{\#\{m_i \le t\}}`.

    Args:
        lr: η >= 0.
        milestones: strictly increasing integers >= 0.
        gamma: γ > 0 (default 0.1).

    Example:
        >>> [MultiStepLR(1.0, milestones=(1, 3), gamma=0.5)(t) for t in range(5)]
        [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    lr: float
    milestones: Sequence[int]
    gamma: float = 0.1

    def __post_init__(self) -> None:
        set_fields(
            self,
            lr=check_nonnegative_float("lr", self.lr),
            milestones=check_milestones("milestones", self.milestones, minimum=0),
            gamma=check_positive_float("gamma", self.gamma),
        )

    def value(self, step: int) -> float:
        return self.lr * self.gamma ** bisect_right(self.milestones, step)


@dataclass(frozen=True)
class ExponentialLR(StepSchedule):
    r"""Multiply by γ every step: :math:`\eta_t = \eta\, \gamma^t`.

    Args:
        lr: η >= 0.
        gamma: γ > 0.

    Example:
        >>> [ExponentialLR(1.0, gamma=0.5)(t) for t in range(4)]
        [1.0, 0.5, 0.25, 0.125]
    """

    lr: float
    gamma: float

    def __post_init__(self) -> None:
        set_fields(
            self,
            lr=check_nonnegative_float("lr", self.lr),
            gamma=check_positive_float("gamma", self.gamma),
        )

    def value(self, step: int) -> float:
        return self.lr * self.gamma**step


def check_milestones(name: str, value: object, *, minimum: int) -> tuple[int, ...]:
    """A strictly increasing sequence of integers >= ``minimum``."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InputTypeError(f"{name} must be a sequence of integers, got {describe(value)}")
    milestones = tuple(check_int(f"{name}[{i}]", m, minimum=minimum) for i, m in enumerate(value))
    if any(b <= a for a, b in pairwise(milestones)):
        raise InputValueError(f"{name} must be strictly increasing, got {list(milestones)}")
    return milestones
