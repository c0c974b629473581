"""The hyperparameters the named optimizers have in common, checked in one place.

Almost every optimizer takes a learning rate (or schedule), an ε, a weight decay λ (an L2 term,
or AdamW-style decoupled decay) and ``maximize``, and arranges them around its own direction the
same way (:func:`~descentlab.optim.transforms.adaptive_chain`). :func:`check_common` checks
them once, with the messages every optimizer gives (``eps must be a finite number >= 0, got
-1.0``), and :meth:`CommonHyperparameters.chain` builds the optimizer around its direction.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from descentlab.optim.transforms import GradientTransformation, LearningRate, adaptive_chain
from descentlab.validation import check_bool, check_learning_rate, check_nonnegative_float

__all__ = ["CommonHyperparameters", "check_common"]


class CommonHyperparameters(NamedTuple):
    """Checked values: ``lr`` (a number >= 0 or a schedule), ``eps`` (>= 0, None for an optimizer
    without one), ``weight_decay`` (>= 0) and the two switches."""

    lr: LearningRate
    eps: float | None
    weight_decay: float
    maximize: bool
    decoupled_weight_decay: bool

    def chain(self, *direction: GradientTransformation) -> GradientTransformation:
        """``[negate] [L2 decay] direction… [decoupled decay] scale_by_learning_rate(lr)``."""
        return adaptive_chain(
            direction,
            self.lr,
            self.weight_decay,
            decoupled_weight_decay=self.decoupled_weight_decay,
            maximize=self.maximize,
        )


def check_common(
    lr: Any,
    weight_decay: Any,
    maximize: Any,
    *,
    eps: Any = None,
    decoupled_weight_decay: Any = False,
    has_eps: bool = True,
) -> CommonHyperparameters:
    """Check the shared hyperparameters (``has_eps=False`` for an optimizer without ε)."""
    return CommonHyperparameters(
        lr=check_learning_rate("lr", lr),
        eps=check_nonnegative_float("eps", eps) if has_eps else None,
        weight_decay=check_nonnegative_float("weight_decay", weight_decay),
        maximize=check_bool("maximize", maximize),
        decoupled_weight_decay=check_bool("decoupled_weight_decay", decoupled_weight_decay),
    )
