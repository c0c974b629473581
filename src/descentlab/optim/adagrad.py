"""Adagrad: per-coordinate step sizes from the running sum of squared gradients."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from descentlab.optim._tree import tree_map
from descentlab.optim.common_hyperparameters import check_common
from descentlab.optim.transforms import (
    GradientTransformation,
    LearningRate,
    Params,
    per_leaf,
    step_counts,
)
from descentlab.validation import check_nonnegative_float

__all__ = [
    "ScaleByInverseTimeState",
    "ScaleByRssState",
    "adagrad",
    "scale_by_inverse_time",
    "scale_by_rss",
]


class ScaleByRssState(NamedTuple):
    step: Params
    sum: Params


def scale_by_rss(
    initial_accumulator_value: float = 0.0, eps: float = 1e-10
) -> GradientTransformation:
    r"""Divide by the root of the sum of squared gradients.

    .. math::

        s_t = s_{t-1} + g_t^2, \quad s_0 = s_{\text{init}}, \qquad
        u_t = \frac{g_t}{\sqrt{s_t} + \epsilon}

    Args:
        initial_accumulator_value: :math:`s_{\text{init}}` >= 0.
        eps: ε >= 0.
    """
    initial = check_nonnegative_float("initial_accumulator_value", initial_accumulator_value)
    eps = check_nonnegative_float("eps", eps)

    def init(params: Params) -> ScaleByRssState:
        return ScaleByRssState(
            step=step_counts(params), sum=tree_map(lambda p: np.full_like(p, initial), params)
        )

    def kernel(g: np.ndarray, p: Any, step: np.ndarray, total: np.ndarray) -> tuple[Any, Any]:
        total = total + g * g
        return g / (np.sqrt(total) + eps), (step + 1, total)

    return per_leaf(init, kernel, ScaleByRssState)


class ScaleByInverseTimeState(NamedTuple):
    step: Params


def scale_by_inverse_time(decay: float) -> GradientTransformation:
    r"""Per-parameter inverse-time decay (Adagrad's ``lr_decay``): :math:`u_t / (1 + (t - 1)\,d)`.

    ``t`` counts the updates this parameter has received (1 for its first).

    Args:
        decay: d >= 0.
    """
    decay = check_nonnegative_float("lr_decay", decay)

    def kernel(g: np.ndarray, p: Any, step: np.ndarray) -> tuple[Any, Any]:
        step = step + 1
        return g / (1 + (float(step) - 1) * decay), (step,)

    return per_leaf(
        lambda params: ScaleByInverseTimeState(step_counts(params)), kernel, ScaleByInverseTimeState
    )


def adagrad(
    lr: LearningRate = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    r"""Adagrad as ``torch.optim.Adagrad`` computes it.

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \frac{\eta_t}{1 + (t-1)\,d}\;
                    \frac{g_t}{\sqrt{s_t} + \epsilon}

    = ``chain([negate], [add_decayed_weights(λ)], scale_by_rss(s_init, ε),
    scale_by_inverse_time(d), scale_by_learning_rate(η))``.

    Args:
        lr: η >= 0, or a schedule.
        lr_decay: d >= 0.
        weight_decay: λ >= 0 (L2).
        initial_accumulator_value: s_0 >= 0.
        eps: ε >= 0.
        maximize: ascend instead of descend.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import adagrad, apply_updates
        >>> opt = adagrad(lr=0.5)
        >>> w = np.array(3.0)                      # a 0-d parameter
        >>> updates, state = opt.update(2 * w, opt.init(w), w)
        >>> apply_updates(w, updates)
        array(2.5)
    """
    common = check_common(lr, weight_decay, maximize, eps=eps)
    return common.chain(
        scale_by_rss(initial_accumulator_value, common.eps), scale_by_inverse_time(lr_decay)
    )
