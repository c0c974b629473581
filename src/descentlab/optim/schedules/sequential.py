"""Schedules one after another: SequentialLR (e.g. a linear warm-up, then cosine decay)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from descentlab.optim.schedules._base import StepSchedule, set_fields
from descentlab.optim.schedules.decay import check_milestones
from descentlab.optim.schedules.plateau import ReduceLROnPlateau
from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = ["SequentialLR"]


@dataclass(frozen=True)
class SequentialLR(StepSchedule):
    r"""Run ``schedules[i]`` from ``milestones[i-1]`` on, each restarted at its own step 0.

    .. math::

        \eta_t = s_i(t - m_{i-1}) \quad\text{for}\quad m_{i-1} \le t < m_i
        \qquad (m_0 = 0)

    This is what ``torch.optim.lr_scheduler.SequentialLR`` does: at a milestone it puts the next
    scheduler back to its step 0. Each schedule carries its own base rate here (in torch they
    share the optimizer's); pass the same ``lr`` to each to mirror torch.

    Args:
        schedules: at least one step schedule (a callable of the step; not a plateau schedule).
        milestones: strictly increasing positive integers, one fewer than ``schedules``.

    Example:
        >>> from descentlab.optim.schedules import CosineAnnealingLR, LinearLR
        >>> s = SequentialLR([LinearLR(1.0, 0.5, total_iters=2), CosineAnnealingLR(1.0, 2)], [2])
        >>> [round(s(t), 3) for t in range(5)]
        [0.5, 0.75, 1.0, 0.5, 0.0]
    """

    schedules: Sequence[Callable[[int], float]]
    milestones: Sequence[int]

    def __post_init__(self) -> None:
        if not isinstance(self.schedules, Sequence) or len(self.schedules) == 0:
            raise InputValueError(
                "schedules must be a non-empty sequence of schedules, "
                f"got {describe(self.schedules)}"
            )
        for i, schedule in enumerate(self.schedules):
            if isinstance(schedule, ReduceLROnPlateau) or not callable(schedule):
                raise InputTypeError(
                    f"schedules[{i}] must be a step schedule (a callable of the step), "
                    f"got {describe(schedule)}"
                )
        milestones = check_milestones("milestones", self.milestones, minimum=1)
        if len(milestones) != len(self.schedules) - 1:
            raise InputValueError(
                f"milestones must have one entry fewer than schedules ({len(self.schedules) - 1}), "
                f"got {list(milestones)}"
            )
        set_fields(self, schedules=tuple(self.schedules), milestones=milestones)

    def value(self, step: int) -> float:
        index = bisect_right(self.milestones, step)
        start = self.milestones[index - 1] if index > 0 else 0
        return float(self.schedules[index](step - start))
