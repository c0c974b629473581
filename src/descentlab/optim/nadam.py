"""NAdam: Adam with Nesterov momentum and a warming-up momentum schedule (Dozat, 2016)."""

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
    zeros_like_tree,
)
from descentlab.validation import check_betas, check_nonnegative_float

__all__ = ["ScaleByNadamState", "nadam", "scale_by_nadam"]


class ScaleByNadamState(NamedTuple):
    step: Params
    mu_product: Params  # 0-d float64 per parameter: the product μ_1 ⋯ μ_t
    exp_avg: Params
    exp_avg_sq: Params


def scale_by_nadam(
    b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, momentum_decay: float = 4e-3
) -> GradientTransformation:
    r"""The NAdam direction.

    .. math::

        \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{\,t\,\psi}\right), \qquad
        \Pi_t = \prod_{i \le t} \mu_i \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        u_t &= \frac{1}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon} \left(
            \frac{1-\mu_t}{1-\Pi_t}\, g_t + \frac{\mu_{t+1}}{1 - \Pi_t\,\mu_{t+1}}\, m_t \right)

    Args:
        b1: β₁ in [0, 1).
        b2: β₂ in [0, 1).
        eps: ε >= 0.
        momentum_decay: ψ >= 0.
    """
    b1, b2 = check_betas("betas", (b1, b2))
    eps = check_nonnegative_float("eps", eps)
    psi = check_nonnegative_float("momentum_decay", momentum_decay)

    def init(params: Params) -> ScaleByNadamState:
        return ScaleByNadamState(
            step=step_counts(params),
            mu_product=tree_map(lambda _: np.ones((), dtype=np.float64), params),
            exp_avg=zeros_like_tree(params),
            exp_avg_sq=zeros_like_tree(params),
        )

    def kernel(
        g: np.ndarray, p: Any, step: Any, mu_product: Any, m: Any, v: Any
    ) -> tuple[Any, Any]:
        step = step + 1
        t = float(step)
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = mu_product * mu
        product = float(mu_product)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v / (1 - b2**t)) + eps
        u = ((1.0 - mu) / (1.0 - product)) * g / denom + (
            mu_next / (1.0 - product * mu_next)
        ) * m / denom
        return u, (step, mu_product, m, v)

    return per_leaf(init, kernel, ScaleByNadamState)


def nadam(
    lr: LearningRate = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
    *,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> GradientTransformation:
    r"""NAdam as ``torch.optim.NAdam`` computes it.

    .. math::

        \theta_t = \theta_{t-1}
            - \eta_t \left( u_t \;[+\,\lambda\theta_{t-1}\ \text{decoupled}]\right)

    with :math:`u_t` from :func:`scale_by_nadam`, after
    :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}` in the L2 form.

    Args:
        lr: η >= 0 (default 2e-3), or a schedule.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε >= 0.
        weight_decay: λ >= 0.
        momentum_decay: ψ >= 0 (default 4e-3).
        decoupled_weight_decay: AdamW-style decay (NAdamW) instead of an L2 term.
        maximize: ascend instead of descend.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import apply_updates, nadam
        >>> opt = nadam(lr=0.1)
        >>> w = np.array([1.0])
        >>> state = opt.init(w)
        >>> for _ in range(50):
        ...     updates, state = opt.update(2 * w, state, w)
        ...     w = apply_updates(w, updates)
        >>> bool(abs(w[0]) < 0.5)
        True
    """
    common = check_common(
        lr, weight_decay, maximize, eps=eps, decoupled_weight_decay=decoupled_weight_decay
    )
    b1, b2 = check_betas("betas", betas)
    return common.chain(scale_by_nadam(b1, b2, common.eps, momentum_decay))
