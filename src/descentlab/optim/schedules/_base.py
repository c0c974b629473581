"""What every step-indexed schedule shares: a callable of the step count, checked."""

from __future__ import annotations

from typing import Any

from descentlab.validation import check_int

__all__ = ["StepSchedule", "set_fields"]


def set_fields(obj: Any, **values: Any) -> None:
    """Store normalised arguments on a frozen dataclass (used in ``__post_init__`` only)."""
    for name, value in values.items():
        object.__setattr__(obj, name, value)


class StepSchedule:
    """A learning rate as a pure function of the step count ``t = 0, 1, 2, …``.

    ``schedule(t)`` is the rate for update number ``t`` (0 for the first), which is the value a
    ``torch.optim.lr_scheduler`` holds after ``t`` calls to ``scheduler.step()``.
    """

    def __call__(self, step: int) -> float:
        return self.value(check_int("step", step, minimum=0))

    def value(self, step: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError
