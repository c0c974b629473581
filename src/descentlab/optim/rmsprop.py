"""RMSprop: divide by a running root-mean-square of the gradients."""

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
    trace,
    zeros_like_tree,
)
from descentlab.validation import check_bool, check_nonnegative_float, check_unit_interval

__all__ = ["ScaleByRmsState", "rmsprop", "scale_by_rms"]


class ScaleByRmsState(NamedTuple):
    step: Params
    square_avg: Params
    grad_avg: Params | None  # only when centered


def scale_by_rms(
    alpha: float = 0.99, eps: float = 1e-8, centered: bool = False
) -> GradientTransformation:
    r"""Divide by the root of an exponential moving average of squared gradients.

    .. math::

        v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2, \qquad
        \bar g_t = \alpha\, \bar g_{t-1} + (1-\alpha)\, g_t \ \text{(centered)}

        u_t = \frac{g_t}{\sqrt{v_t} + \epsilon} \quad\text{or, centered,}\quad
        u_t = \frac{g_t}{\sqrt{v_t - \bar g_t^2} + \epsilon}

    Args:
        alpha: α in [0, 1].
        eps: ε >= 0.
        centered: subtract the squared mean gradient (an estimate of the variance).
    """
    alpha = check_unit_interval("alpha", alpha, open_left=False, open_right=False)
    eps = check_nonnegative_float("eps", eps)
    centered = check_bool("centered", centered)

    def init(params: Params) -> ScaleByRmsState:
        return ScaleByRmsState(
            step=step_counts(params),
            square_avg=zeros_like_tree(params),
            grad_avg=zeros_like_tree(params) if centered else None,
        )

    def kernel(g: np.ndarray, p: Any, step: Any, square_avg: Any, grad_avg: Any) -> tuple[Any, Any]:
        square_avg = alpha * square_avg + (1 - alpha) * g * g
        if centered:
            grad_avg = alpha * grad_avg + (1 - alpha) * g
            denom = np.sqrt(square_avg - grad_avg * grad_avg) + eps
        else:
            denom = np.sqrt(square_avg) + eps
        return g / denom, (step + 1, square_avg, grad_avg)

    return per_leaf(init, kernel, ScaleByRmsState)


def rmsprop(
    lr: LearningRate = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    r"""RMSprop as ``torch.optim.RMSprop`` computes it.

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \alpha\, v_{t-1} + (1-\alpha)\, g_t^2 \\
        r_t &= g_t / (\sqrt{v_t} + \epsilon)
             \quad (\text{centered: } \sqrt{v_t - \bar g_t^2}) \\
        b_t &= \mu\, b_{t-1} + r_t \ (b_0 = 0), \qquad
        \theta_t = \theta_{t-1} - \eta_t\, b_t \quad (\mu > 0;\ \text{else } \eta_t r_t)

    = ``chain([negate], [add_decayed_weights(λ)], scale_by_rms(α, ε, centered),
    [trace(μ)], scale_by_learning_rate(η))``.

    Args:
        lr: η >= 0, or a schedule.
        alpha: smoothing constant α in [0, 1].
        eps: ε >= 0.
        weight_decay: λ >= 0 (L2).
        momentum: μ >= 0.
        centered: normalise by an estimate of the gradient's variance.
        maximize: ascend instead of descend.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import apply_updates, rmsprop
        >>> opt = rmsprop(lr=0.01, alpha=0.0, eps=0.0)   # alpha 0: sign-like first step
        >>> w = np.array([1.0, -4.0])
        >>> updates, state = opt.update(2 * w, opt.init(w), w)
        >>> apply_updates(w, updates)
        array([ 0.99, -3.99])
    """
    common = check_common(lr, weight_decay, maximize, eps=eps)
    momentum = check_nonnegative_float("momentum", momentum)
    direction = scale_by_rms(alpha, common.eps, centered)
    return common.chain(direction, trace(momentum)) if momentum > 0 else common.chain(direction)
