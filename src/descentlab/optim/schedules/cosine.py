"""Cosine annealing, with and without warm restarts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from descentlab.optim.schedules._base import StepSchedule, set_fields
from descentlab.validation import check_int, check_nonnegative_float, check_positive_int

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]


@dataclass(frozen=True)
class CosineAnnealingLR(StepSchedule):
    r"""Half a cosine from η down to η_min over ``T_max`` steps.

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
                 \left(1 + \cos\frac{\pi\, t}{T_{\max}}\right)

    NOTE [cosine past T_max]: the formula is *not* clamped at ``T_max``: the rate climbs back
    up and the schedule is periodic with period ``2·T_max``. That is what
    ``torch.optim.lr_scheduler.CosineAnnealingLR`` produces with repeated ``scheduler.step()``:
    its recursive update (with the special case at ``t − 1 − T_max ≡ 0 (mod 2·T_max)``) is an
    exact rewriting of this closed form, and the two agree to rounding (checked in the tests to
    rtol 1e-10 over three periods). Use :class:`SequentialLR` to hold η_min after ``T_max``.

    Args:
        lr: η >= 0, the rate at step 0.
        T_max: half-period, a positive integer.
        eta_min: η_min >= 0 (default 0).

    Example:
        >>> s = CosineAnnealingLR(1.0, T_max=2)
        >>> [round(s(t), 3) for t in range(5)]
        [1.0, 0.5, 0.0, 0.5, 1.0]
    """

    lr: float
    T_max: int
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        set_fields(
            self,
            lr=check_nonnegative_float("lr", self.lr),
            T_max=check_positive_int("T_max", self.T_max),
            eta_min=check_nonnegative_float("eta_min", self.eta_min),
        )

    def value(self, step: int) -> float:
        cosine = 1 + math.cos(math.pi * step / self.T_max)
        return self.eta_min + (self.lr - self.eta_min) * cosine / 2


@dataclass(frozen=True)
class CosineAnnealingWarmRestarts(StepSchedule):
    r"""SGDR: cosine annealing, restarted after cycles of growing length :math:`T_i`.

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
                 \left(1 + \cos\frac{\pi\, T_{\text{cur}}}{T_i}\right)

    where :math:`T_{\text{cur}}` counts the steps since the last restart.

    Args:
        lr: η >= 0.
        T_0: length of the first cycle, a positive integer.
        T_mult: cycle growth factor, an integer >= 1.
        eta_min: η_min >= 0.

    Example:
        >>> s = CosineAnnealingWarmRestarts(1.0, T_0=2)
        >>> [round(s(t), 3) for t in range(5)]
        [1.0, 0.5, 1.0, 0.5, 1.0]
    """

    lr: float
    T_0: int
    T_mult: int = 1
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        set_fields(
            self,
            lr=check_nonnegative_float("lr", self.lr),
            T_0=check_positive_int("T_0", self.T_0),
            T_mult=check_int("T_mult", self.T_mult, minimum=1),
            eta_min=check_nonnegative_float("eta_min", self.eta_min),
        )

    def cycle_position(self, step: int) -> tuple[int, int]:
        """``(T_cur, T_i)``: steps into the current cycle and that cycle's length."""
        if self.T_mult == 1:
            return step % self.T_0, self.T_0
        T_cur, T_i = step, self.T_0
        while T_cur >= T_i:
            T_cur -= T_i
            T_i *= self.T_mult
        return T_cur, T_i

    def value(self, step: int) -> float:
        T_cur, T_i = self.cycle_position(step)
        return self.eta_min + (self.lr - self.eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2
