"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from descentlab.optim.common_hyperparameters import check_common
from descentlab.optim.transforms import GradientTransformation, LearningRate, trace
from descentlab.validation import check_nonnegative_float

__all__ = ["sgd", "sgd_momentum", "sgd_nesterov"]


def sgd(
    lr: LearningRate = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    r"""SGD as ``torch.optim.SGD`` computes it.

    With gradient :math:`g_t` (negated first when ``maximize``), weight decay λ, momentum μ,
    dampening τ and learning rate :math:`\eta_t`:

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        b_1 &= g_1, \qquad b_t = \mu\, b_{t-1} + (1-\tau)\, g_t \\
        d_t &= g_t + \mu\, b_t \ \text{(Nesterov)}, \quad d_t = b_t \ \text{(μ > 0)},
              \quad d_t = g_t \ \text{(μ = 0)} \\
        \theta_t &= \theta_{t-1} - \eta_t\, d_t

    Args:
        lr: η >= 0, or a schedule (callable of the step count).
        momentum: μ >= 0 (0 is plain gradient descent).
        dampening: τ in [0, 1].
        weight_decay: λ >= 0 (L2 penalty added to the gradient).
        nesterov: Nesterov momentum; needs μ > 0 and τ = 0.
        maximize: ascend instead of descend.

    Example:
        >>> import numpy as np
        >>> from descentlab.optim import apply_updates, sgd
        >>> opt = sgd(lr=0.1, momentum=0.9)
        >>> w = np.array([1.0, -2.0])
        >>> state = opt.init(w)
        >>> updates, state = opt.update(2 * w, state, w)   # gradient of ||w||²
        >>> apply_updates(w, updates)
        array([ 0.8, -1.6])
    """
    common = check_common(lr, weight_decay, maximize, has_eps=False)
    momentum = check_nonnegative_float("momentum", momentum)
    heavy_ball = trace(momentum, dampening, nesterov)  # checks dampening and nesterov too
    return common.chain(heavy_ball) if momentum != 0 else common.chain()


def sgd_momentum(
    lr: LearningRate = 1e-3,
    momentum: float = 0.9,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    r""":func:`sgd` with heavy-ball momentum on by default (μ = 0.9); registry name ``"momentum"``.

    .. math:: b_t = \mu\, b_{t-1} + (1-\tau)\, g_t, \qquad \theta_t = \theta_{t-1} - \eta_t\, b_t

    Example:
        >>> import numpy as np
        >>> opt = sgd_momentum(lr=1.0, momentum=0.5)
        >>> state = opt.init(np.zeros(1))
        >>> first, state = opt.update(np.ones(1), state)
        >>> second, state = opt.update(np.ones(1), state)
        >>> first, second        # b_2 = 0.5·b_1 + g
        (array([-1.]), array([-1.5]))
    """
    return sgd(lr, momentum, dampening, weight_decay, False, maximize=maximize)


def sgd_nesterov(
    lr: LearningRate = 1e-3,
    momentum: float = 0.9,
    weight_decay: float = 0.0,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    r""":func:`sgd` with Nesterov momentum (μ = 0.9, no dampening); registry name ``"nesterov"``.

    .. math:: b_t = \mu\, b_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta_t\,(g_t + \mu\, b_t)

    Example:
        >>> import numpy as np
        >>> opt = sgd_nesterov(lr=1.0, momentum=0.5)
        >>> updates, _ = opt.update(np.ones(1), opt.init(np.zeros(1)))
        >>> updates          # -(g + μ·b_1) with b_1 = g
        array([-1.5])
    """
    return sgd(lr, momentum, 0.0, weight_decay, True, maximize=maximize)
