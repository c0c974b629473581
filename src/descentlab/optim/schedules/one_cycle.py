"""The one-cycle policy (Smith & Topin, 2018): warm up to max_lr, then anneal far below."""

from __future__ import annotations

import math
from dataclasses import dataclass

from descentlab.optim.schedules._base import StepSchedule, set_fields
from descentlab.validation import (
    InputValueError,
    check_bool,
    check_choice,
    check_int,
    check_nonnegative_float,
    check_positive_float,
    check_positive_int,
    check_unit_interval,
)

__all__ = ["OneCycleLR"]


def _anneal(strategy: str, start: float, end: float, pct: float) -> float:
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return start * (1 - pct) + end * pct  # NOTE [interpolation] in warmup.py


@dataclass(frozen=True)
class OneCycleLR(StepSchedule):
    r"""One cycle over ``total_steps`` steps, as ``torch.optim.lr_scheduler.OneCycleLR``.

    With :math:`\eta_0 = \eta_{\max}/\text{div\_factor}` and
    :math:`\eta_{\text{end}} = \eta_0/\text{final\_div\_factor}`, the rate is annealed (cosine or
    linear, ``anneal(a, b, p)`` going from a at p = 0 to b at p = 1) through the phases

    * two-phase: :math:`\eta_0 \to \eta_{\max}` over steps 0 … ``pct_start·T − 1``, then
      :math:`\eta_{\max} \to \eta_{\text{end}}` until step ``T − 1``;
    * three-phase: :math:`\eta_0 \to \eta_{\max} \to \eta_0` (symmetric), then
      :math:`\eta_0 \to \eta_{\text{end}}` until step ``T − 1``.

    Step ``T`` itself is still defined (it extrapolates the last phase, as torch does); any later
    step raises ``ValueError``, like torch's "Tried to step … times".
    :meth:`momentum` gives the matching inverse cycle of momentum (β₁ for Adam).

    Args:
        max_lr: :math:`\eta_{\max}` > 0.
        total_steps: T, a positive integer.
        pct_start: fraction of the cycle spent warming up, in (0, 1) (default 0.3); every phase
            must be longer than zero steps.
        anneal_strategy: ``"cos"`` or ``"linear"``.
        div_factor: > 0 (default 25).
        final_div_factor: > 0 (default 1e4).
        three_phase: use the three-phase cycle.
        base_momentum, max_momentum: the momentum range, each >= 0 (defaults 0.85 and 0.95).

    Example:
        >>> s = OneCycleLR(1.0, total_steps=10, anneal_strategy="linear", div_factor=10.0)
        >>> round(s(0), 3), round(s(2), 3), round(s(9), 6)
        (0.1, 1.0, 1e-05)
    """

    max_lr: float
    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    base_momentum: float = 0.85
    max_momentum: float = 0.95

    def __post_init__(self) -> None:
        set_fields(
            self,
            max_lr=check_positive_float("max_lr", self.max_lr),
            total_steps=check_positive_int("total_steps", self.total_steps),
            pct_start=check_unit_interval(
                "pct_start", self.pct_start, open_left=True, open_right=True
            ),
            anneal_strategy=check_choice(
                "anneal_strategy", self.anneal_strategy, ("cos", "linear")
            ),
            div_factor=check_positive_float("div_factor", self.div_factor),
            final_div_factor=check_positive_float("final_div_factor", self.final_div_factor),
            three_phase=check_bool("three_phase", self.three_phase),
            base_momentum=check_nonnegative_float("base_momentum", self.base_momentum),
            max_momentum=check_nonnegative_float("max_momentum", self.max_momentum),
        )
        ends = [end for end, *_ in self._phases()]
        starts = [0.0, *ends[:-1]]
        if any(end <= start for start, end in zip(starts, ends, strict=True)):
            raise InputValueError(
                "pct_start must leave every phase of the cycle longer than 0 steps "
                f"(phase ends {ends} for total_steps={self.total_steps}), got {self.pct_start!r}"
            )

    @property
    def initial_lr(self) -> float:
        return self.max_lr / self.div_factor

    @property
    def min_lr(self) -> float:
        return self.initial_lr / self.final_div_factor

    def _phases(self) -> list[tuple[float, str, str, str, str]]:
        """(end step, start lr, end lr, start momentum, end momentum) for each phase."""
        warm_end = float(self.pct_start * self.total_steps) - 1
        last = float(self.total_steps - 1)
        if self.three_phase:
            return [
                (warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * self.pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                 "base_momentum", "max_momentum"),
                (last, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]  # fmt: skip
        return [
            (warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (last, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ]

    def _interpolate(self, step: int, momentum: bool) -> float:
        check_int("step", step, minimum=0)
        if step > self.total_steps:
            raise InputValueError(
                f"step must be an integer <= total_steps ({self.total_steps}), got {step}"
            )
        phases = self._phases()
        start_step = 0.0
        for i, (end_step, lr_a, lr_b, mom_a, mom_b) in enumerate(phases):
            if step <= end_step or i == len(phases) - 1:
                pct = (step - start_step) / (end_step - start_step)
                a, b = (mom_a, mom_b) if momentum else (lr_a, lr_b)
                return _anneal(self.anneal_strategy, getattr(self, a), getattr(self, b), pct)
            start_step = end_step
        raise AssertionError("unreachable: the last phase always matches")  # pragma: no cover

    def value(self, step: int) -> float:
        return self._interpolate(step, momentum=False)

    def momentum(self, step: int) -> float:
        """The cycled momentum at ``step`` (what torch writes into ``momentum`` or ``betas[0]``)."""
        return self._interpolate(step, momentum=True)
