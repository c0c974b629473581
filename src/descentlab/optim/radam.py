"""RAdam: Adam with a rectified (variance-corrected) adaptive step (Liu et al., 2020)."""

from __future__ import annotations

import math
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
from descentlab.validation import check_betas, check_nonnegative_float

__all__ = ["ScaleByRadamState", "radam", "scale_by_radam"]


class ScaleByRadamState(NamedTuple):
    step: Params
    exp_avg: Params
    exp_avg_sq: Params


def scale_by_radam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> GradientTransformation:
    r"""The RAdam direction.

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad \hat m_t = m_t / (1-\beta_1^t) \\
        \rho_\infty &= \frac{2}{1-\beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t} \\
        u_t &= \hat m_t \, r_t \, \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon}
            \ \text{ if } \rho_t > 5, \qquad u_t = \hat m_t \ \text{ otherwise} \\
        r_t &= \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\,\rho_\infty}
                          {(\rho_\infty - 4)(\rho_\infty - 2)\,\rho_t}}

    Args:
        b1: β₁ in [0, 1).
        b2: β₂ in [0, 1).
        eps: ε >= 0.
    """
    b1, b2 = check_betas("betas", (b1, b2))
    eps = check_nonnegative_float("eps", eps)
    rho_inf = 2 / (1 - b2) - 1

    def init(params: Params) -> ScaleByRadamState:
        return ScaleByRadamState(
            step=step_counts(params),
            exp_avg=zeros_like_tree(params),
            exp_avg_sq=zeros_like_tree(params),
        )

    def kernel(g: np.ndarray, p: Any, step: Any, m: Any, v: Any) -> tuple[Any, Any]:
        step = step + 1
        t = float(step)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        bias_correction2 = 1 - b2**t
        m_hat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * (b2**t) / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            u = m_hat * (math.sqrt(bias_correction2) / (np.sqrt(v) + eps)) * rect
        else:
            u = m_hat
        return u, (step, m, v)

    return per_leaf(init, kernel, ScaleByRadamState)


def radam(
    lr: LearningRate = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    *,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> GradientTransformation:
    r"""RAdam as ``torch.optim.RAdam`` computes it.

    .. math::

        \theta_t = \theta_{t-1}
            - \eta_t \left( u_t \;[+\,\lambda\theta_{t-1}\ \text{decoupled}]\right)

    with :math:`u_t` from :func:`scale_by_radam`: plain bias-corrected momentum for the first
    steps (while :math:`\rho_t \le 5`), then the rectified Adam step.

    Args:
        lr: η >= 0, or a schedule.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε >= 0.
        weight_decay: λ >= 0.
        decoupled_weight_decay: AdamW-style decay instead of an L2 term.
        maximize: ascend instead of descend.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import apply_updates, radam
        >>> opt = radam(lr=0.1)
        >>> w = np.array([1.0])
        >>> updates, state = opt.update(2 * w, opt.init(w), w)   # ρ_1 ≤ 5: SGD-with-momentum step
        >>> apply_updates(w, updates)
        array([0.8])
    """
    common = check_common(
        lr, weight_decay, maximize, eps=eps, decoupled_weight_decay=decoupled_weight_decay
    )
    b1, b2 = check_betas("betas", betas)
    return common.chain(scale_by_radam(b1, b2, common.eps))
