"""Linear warm-up (or linear decay) of the learning rate: LinearLR."""

from __future__ import annotations

from dataclasses import dataclass

from descentlab.optim.schedules._base import StepSchedule, set_fields
from descentlab.validation import check_nonnegative_float, check_positive_int, check_unit_interval

__all__ = ["LinearLR"]


@dataclass(frozen=True)
class LinearLR(StepSchedule):
    r"""Scale η by a factor moving linearly from ``start_factor`` to ``end_factor``, then hold.

    .. math::

        \eta_t = \eta \left(f_s + (f_e - f_s)\,\frac{\min(t, T)}{T}\right)

    With ``start_factor < end_factor = 1`` this is the usual warm-up.

    Args:
        lr: η >= 0.
        start_factor: :math:`f_s` in (0, 1] (default 1/3).
        end_factor: :math:`f_e` in [0, 1] (default 1).
        total_iters: T, a positive integer (default 5).

    Example:
        >>> [LinearLR(1.0, start_factor=0.25, total_iters=3)(t) for t in range(5)]
        [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    lr: float
    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_iters: int = 5

    def __post_init__(self) -> None:
        set_fields(
            self,
            lr=check_nonnegative_float("lr", self.lr),
            start_factor=check_unit_interval(
                "start_factor", self.start_factor, open_left=True, open_right=False
            ),
            end_factor=check_unit_interval(
                "end_factor", self.end_factor, open_left=False, open_right=False
            ),
            total_iters=check_positive_int("total_iters", self.total_iters),
        )

    def value(self, step: int) -> float:
        # NOTE [interpolation]: weighting the two end points (rather than torch's
        # start + (end − start)·k/T) gives the same value to rounding, lands on end_factor at
        # k = T and can never round below zero (0.1 + (0.0 − 0.1)·3/3 is −1.4e-17).
        k, total = min(self.total_iters, step), self.total_iters
        return self.lr * ((self.start_factor * (total - k) + self.end_factor * k) / total)
