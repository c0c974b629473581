"""Adam, its AMSGrad variant, and AdamW (decoupled weight decay)."""

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
from descentlab.validation import check_betas, check_bool, check_nonnegative_float

__all__ = ["ScaleByAdamState", "adam", "adamw", "amsgrad", "scale_by_adam"]


class ScaleByAdamState(NamedTuple):
    step: Params
    exp_avg: Params
    exp_avg_sq: Params
    max_exp_avg_sq: Params | None  # only with AMSGrad


def scale_by_adam(
    b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, amsgrad: bool = False
) -> GradientTransformation:
    r"""The Adam direction (bias-corrected first moment over root of second moment).

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{(AMSGrad)}, \quad
            \hat v_t = v_t \ \text{(else)} \\
        u_t &= \frac{m_t / (1-\beta_1^t)}{\sqrt{\hat v_t} / \sqrt{1-\beta_2^t} + \epsilon}

    ``t`` counts the updates each parameter has received. AMSGrad keeps the running maximum of
    the *uncorrected* :math:`v_t`, as torch does.

    Args:
        b1: β₁ in [0, 1).
        b2: β₂ in [0, 1).
        eps: ε >= 0.
        amsgrad: use the running maximum of :math:`v_t`.
    """
    b1, b2 = check_betas("betas", (b1, b2))
    eps = check_nonnegative_float("eps", eps)
    amsgrad = check_bool("amsgrad", amsgrad)

    def init(params: Params) -> ScaleByAdamState:
        return ScaleByAdamState(
            step=step_counts(params),
            exp_avg=zeros_like_tree(params),
            exp_avg_sq=zeros_like_tree(params),
            max_exp_avg_sq=zeros_like_tree(params) if amsgrad else None,
        )

    def kernel(g: np.ndarray, p: Any, step: Any, m: Any, v: Any, v_max: Any) -> tuple[Any, Any]:
        step = step + 1
        t = float(step)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if amsgrad:
            v_max = np.maximum(v_max, v)
        denom = np.sqrt(v_max if amsgrad else v) / math.sqrt(1 - b2**t) + eps
        return (m / (1 - b1**t)) / denom, (step, m, v, v_max)

    return per_leaf(init, kernel, ScaleByAdamState)


def adam(
    lr: LearningRate = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
) -> GradientTransformation:
    r"""Adam as ``torch.optim.Adam`` computes it.

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \quad\text{(L2; skipped when decoupled)} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
            v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        \theta_t &= \theta_{t-1} - \eta_t \left(
            \frac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon}
            \;[+\, \lambda\,\theta_{t-1}\ \text{decoupled}] \right)

    = ``chain([negate], [add_decayed_weights(λ)], scale_by_adam(β₁, β₂, ε, amsgrad),
    scale_by_learning_rate(η))``.

    Args:
        lr: η >= 0, or a schedule.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε >= 0.
        weight_decay: λ >= 0.
        amsgrad: the AMSGrad variant (running max of the second moment).
        maximize: ascend instead of descend.
        decoupled_weight_decay: AdamW-style decay instead of an L2 term.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import adam, apply_updates
        >>> opt = adam(lr=0.1)
        >>> w = np.array([1.0, -3.0])
        >>> updates, state = opt.update(2 * w, opt.init(w), w)
        >>> np.round(apply_updates(w, updates), 6)     # first Adam step: ≈ lr · sign(g)
        array([ 0.9, -2.9])
    """
    common = check_common(
        lr, weight_decay, maximize, eps=eps, decoupled_weight_decay=decoupled_weight_decay
    )
    b1, b2 = check_betas("betas", betas)
    return common.chain(scale_by_adam(b1, b2, common.eps, check_bool("amsgrad", amsgrad)))


def amsgrad(
    lr: LearningRate = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    *,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
) -> GradientTransformation:
    r""":func:`adam` with ``amsgrad=True`` (``torch.optim.Adam(..., amsgrad=True)``).

    .. math:: \hat v_t = \max(\hat v_{t-1}, v_t), \qquad
        \theta_t = \theta_{t-1} - \eta_t\,
        \frac{m_t / (1-\beta_1^t)}{\sqrt{\hat v_t} / \sqrt{1-\beta_2^t} + \epsilon}

    The denominator never shrinks, so the effective step size never grows.

    Example:
        >>> import numpy as np
        >>> opt = amsgrad(lr=0.1)
        >>> w = np.array([1.0])
        >>> updates, state = opt.update(np.array([2.0]), opt.init(w), w)
        >>> updates, state = opt.update(np.array([0.01]), state, w)
        >>> bool(state[0].max_exp_avg_sq[0] > state[0].exp_avg_sq[0])   # the max remembers g = 2
        True
    """
    return adam(
        lr,
        betas,
        eps,
        weight_decay,
        True,
        maximize=maximize,
        decoupled_weight_decay=decoupled_weight_decay,
    )


def adamw(
    lr: LearningRate = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    r"""AdamW as ``torch.optim.AdamW`` computes it: Adam with decoupled weight decay.

    .. math::

        \theta_t = \theta_{t-1} - \eta_t \left(
            \frac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon}
            + \lambda\,\theta_{t-1} \right)

    The decay is not seen by the moment estimates (unlike ``adam(weight_decay=λ)``), and it
    is scaled by the learning rate η, as in torch (not by η/η_max as in the paper).

    Args:
        lr: η >= 0, or a schedule.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε >= 0.
        weight_decay: λ >= 0 (default 0.01).
        amsgrad: the AMSGrad variant.
        maximize: ascend instead of descend.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import adamw, apply_updates
        >>> opt = adamw(lr=0.1, weight_decay=0.5)
        >>> w = np.array([2.0])
        >>> updates, state = opt.update(np.array([0.0]), opt.init(w), w)  # zero gradient:
        >>> apply_updates(w, updates)                                     # only the decay acts
        array([1.9])
    """
    return adam(
        lr, betas, eps, weight_decay, amsgrad, maximize=maximize, decoupled_weight_decay=True
    )
