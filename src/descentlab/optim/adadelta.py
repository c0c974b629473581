"""Adadelta: step sizes from the ratio of two running root-mean-squares."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from descentlab.optim.common_hyperparameters import check_common
from descentlab.optim.transforms import (
    GradientTransformation,
    LearningRate,
    Params,
    per_leaf,
    step_counts,
    zeros_like_tree,
)
from descentlab.validation import check_nonnegative_float, check_unit_interval

__all__ = ["ScaleByAdadeltaState", "adadelta", "scale_by_adadelta"]


class ScaleByAdadeltaState(NamedTuple):
    step: Params
    square_avg: Params
    acc_delta: Params


def scale_by_adadelta(rho: float = 0.9, eps: float = 1e-6) -> GradientTransformation:
    r"""The Adadelta direction.

    .. math::

        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2 \\
        u_t &= \frac{\sqrt{a_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\; g_t \\
        a_t &= \rho\, a_{t-1} + (1-\rho)\, u_t^2

    Args:
        rho: ρ in [0, 1].
        eps: ε >= 0.
    """
    rho = check_unit_interval("rho", rho, open_left=False, open_right=False)
    eps = check_nonnegative_float("eps", eps)

    def init(params: Params) -> ScaleByAdadeltaState:
        return ScaleByAdadeltaState(
            step=step_counts(params),
            square_avg=zeros_like_tree(params),
            acc_delta=zeros_like_tree(params),
        )

    def kernel(
        g: np.ndarray, p: Any, step: Any, square_avg: Any, acc_delta: Any
    ) -> tuple[Any, Any]:
        square_avg = rho * square_avg + (1 - rho) * g * g
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * g
        acc_delta = rho * acc_delta + (1 - rho) * delta * delta
        return delta, (step + 1, square_avg, acc_delta)

    return per_leaf(init, kernel, ScaleByAdadeltaState)


def adadelta(
    lr: LearningRate = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: float = 0.0,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    r"""Adadelta as ``torch.optim.Adadelta`` computes it.

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2 \\
        \Delta_t &= \frac{\sqrt{a_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\; g_t, \qquad
        a_t = \rho\, a_{t-1} + (1-\rho)\, \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \eta_t\, \Delta_t

    = ``chain([negate], [add_decayed_weights(λ)], scale_by_adadelta(ρ, ε),
    scale_by_learning_rate(η))``. The original method has no learning rate (η = 1).

    Args:
        lr: η >= 0 (default 1.0), or a schedule.
        rho: ρ in [0, 1].
        eps: ε >= 0.
        weight_decay: λ >= 0 (L2).
        maximize: ascend instead of descend.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import adadelta, apply_updates
        >>> opt = adadelta(rho=0.0, eps=1.0)
        >>> w = np.array([0.0])
        >>> updates, state = opt.update(np.array([1.0]), opt.init(w), w)
        >>> apply_updates(w, updates)              # -sqrt(0 + 1) / sqrt(1 + 1) * 1
        array([-0.70710678])
    """
    common = check_common(lr, weight_decay, maximize, eps=eps)
    return common.chain(scale_by_adadelta(rho, common.eps))
