"""ReduceLROnPlateau as an explicit state machine over the metric history."""

from __future__ import annotations

import math
from dataclasses import dataclass

from descentlab.optim.schedules._base import set_fields
from descentlab.validation import (
    InputTypeError,
    check_choice,
    check_int,
    check_nonnegative_float,
    check_unit_interval,
    describe,
    is_real_number,
)

__all__ = ["PlateauState", "ReduceLROnPlateau"]


@dataclass(frozen=True)
class PlateauState:
    """Everything ReduceLROnPlateau remembers between metrics.

    Attributes:
        lr: the current learning rate.
        best: the best metric so far (+inf in ``"min"`` mode, −inf in ``"max"`` mode at first).
        num_bad_epochs: metrics in a row that were not an improvement (reset in cooldown).
        cooldown_counter: metrics left to ignore after a reduction.
        last_epoch: metrics seen so far.
    """

    lr: float
    best: float
    num_bad_epochs: int = 0
    cooldown_counter: int = 0
    last_epoch: int = 0


@dataclass(frozen=True)
class ReduceLROnPlateau:
    r"""Multiply the rate by ``factor`` when a metric stops improving, as torch does.

    ``state = schedule.init()``, then after every epoch
    ``lr, state = schedule.update(state, metric)``. A metric :math:`a` improves on the best
    :math:`b` when

    ====  ======  ===============================
    mode  thresh  improvement
    ====  ======  ===============================
    min   rel     :math:`a < b\,(1 - \text{threshold})`
    min   abs     :math:`a < b - \text{threshold}`
    max   rel     :math:`a > b\,(1 + \text{threshold})`
    max   abs     :math:`a > b + \text{threshold}`
    ====  ======  ===============================

    After more than ``patience`` metrics in a row without improvement the rate becomes
    :math:`\max(\eta\cdot\text{factor},\ \text{min\_lr})` — only if that lowers it by more than
    ``eps`` — and the next ``cooldown`` metrics are ignored.

    NOTE [plateau edge cases], all as in ``torch.optim.lr_scheduler.ReduceLROnPlateau``:

    * Negative metrics with ``threshold_mode="rel"``: the test scales the best value, so for a
      negative best in ``"min"`` mode :math:`b(1-\text{threshold})` lies *above* b, and a metric
      slightly *worse* than the best (within the threshold) still counts as an improvement and
      becomes the new best. Use ``threshold_mode="abs"`` for metrics that can be negative.
    * NaN: every comparison with NaN is false, so a NaN metric is never an improvement: it counts
      as a bad epoch and ``best`` is unchanged (a run of NaNs therefore reduces the rate after
      ``patience`` of them). ±inf are ordinary values (+inf is never better in ``"min"`` mode).

    The optimizers keep no learning rate in their state, so a new rate is applied by building
    the optimizer again with it and carrying on with the same state (see the example).

    Args:
        lr: the starting rate, >= 0.
        mode: ``"min"`` (lower is better) or ``"max"``.
        factor: in [0, 1) (default 0.1).
        patience: integer >= 0 (default 10).
        threshold: >= 0 (default 1e-4).
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: integer >= 0.
        min_lr: >= 0.
        eps: >= 0 (default 1e-8): smaller reductions are skipped.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import apply_updates, sgd
        >>> plateau = ReduceLROnPlateau(lr=0.1, patience=0)
        >>> lr_state = plateau.init()
        >>> w = np.array([1.0]); opt_state = sgd(lr_state.lr).init(w)
        >>> for loss in [3.0, 2.0, 2.5]:
        ...     updates, opt_state = sgd(lr_state.lr).update(2 * w, opt_state, w)
        ...     w = apply_updates(w, updates)
        ...     lr, lr_state = plateau.update(lr_state, loss)
        >>> round(lr, 6)
        0.01
    """

    lr: float
    mode: str = "min"
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    threshold_mode: str = "rel"
    cooldown: int = 0
    min_lr: float = 0.0
    eps: float = 1e-8

    def __post_init__(self) -> None:
        set_fields(
            self,
            lr=check_nonnegative_float("lr", self.lr),
            mode=check_choice("mode", self.mode, ("min", "max")),
            factor=check_unit_interval("factor", self.factor),
            patience=check_int("patience", self.patience, minimum=0),
            threshold=check_nonnegative_float("threshold", self.threshold),
            threshold_mode=check_choice("threshold_mode", self.threshold_mode, ("rel", "abs")),
            cooldown=check_int("cooldown", self.cooldown, minimum=0),
            min_lr=check_nonnegative_float("min_lr", self.min_lr),
            eps=check_nonnegative_float("eps", self.eps),
        )

    def init(self) -> PlateauState:
        """The state before any metric: the starting rate and the worst possible best."""
        return PlateauState(lr=self.lr, best=math.inf if self.mode == "min" else -math.inf)

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` (see the table above)."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def update(self, state: PlateauState, metric: float) -> tuple[float, PlateauState]:
        """Feed one metric; returns the rate to use next and the new state."""
        if not isinstance(state, PlateauState):
            raise InputTypeError(f"state must be a PlateauState from init(), got {describe(state)}")
        if not is_real_number(metric):
            raise InputTypeError(
                f"metric must be a real number (NaN allowed), got {describe(metric)}"
            )
        current = float(metric)
        best, bad, cooldown, lr = state.best, state.num_bad_epochs, state.cooldown_counter, state.lr
        if self.is_better(current, best):
            best, bad = current, 0
        else:
            bad += 1
        if cooldown > 0:
            cooldown -= 1
            bad = 0
        if bad > self.patience:
            new_lr = max(lr * self.factor, self.min_lr)
            if lr - new_lr > self.eps:
                lr = new_lr
            cooldown, bad = self.cooldown, 0
        new_state = PlateauState(lr, best, bad, cooldown, state.last_epoch + 1)
        return lr, new_state
