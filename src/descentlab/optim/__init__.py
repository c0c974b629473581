"""§2.6–2.7 optimizers, as the optax design in NumPy: small pure transforms, composed.

An optimizer is a pair of pure functions ``init(params) -> state`` and
``update(grads, state, params) -> (updates, state)``; :func:`apply_updates` adds the updates.
Every named optimizer matches ``torch.optim`` (float64, rtol 1e-10, checked buffer by buffer
in the tests), accepts a schedule wherever it accepts a learning rate, and its state saves and
loads bit-exactly. Schedules live in :mod:`descentlab.optim.schedules`; the PyTorch adaptor in
:mod:`descentlab.optim.torch_adapter` (imported on demand, so this package does not load torch).

Example:
    >>> import numpy as np
    >>> from descentlab.optim import adam, apply_updates
    >>> from descentlab.optim.schedules import CosineAnnealingLR
    >>> opt = adam(lr=CosineAnnealingLR(0.1, T_max=100))
    >>> w = np.array([1.0, -2.0])
    >>> state = opt.init(w)
    >>> for _ in range(100):
    ...     updates, state = opt.update(2 * w, state, w)   # gradient of ||w||²
    ...     w = apply_updates(w, updates)
    >>> bool(np.abs(w).max() < 0.1)
    True
"""

from descentlab.optim.adadelta import adadelta, scale_by_adadelta
from descentlab.optim.adagrad import adagrad, scale_by_inverse_time, scale_by_rss
from descentlab.optim.adam import adam, adamw, amsgrad, scale_by_adam
from descentlab.optim.nadam import nadam, scale_by_nadam
from descentlab.optim.radam import radam, scale_by_radam
from descentlab.optim.registry import OPTIMIZERS, hyperparameters, make_optimizer
from descentlab.optim.rmsprop import rmsprop, scale_by_rms
from descentlab.optim.sgd import sgd, sgd_momentum, sgd_nesterov
from descentlab.optim.state_io import load_state, save_state, state_from_dict, state_to_dict
from descentlab.optim.stateful import StatefulOptimizer
from descentlab.optim.transforms import (
    GradientTransformation,
    LearningRate,
    Schedule,
    adaptive_chain,
    add_decayed_weights,
    apply_updates,
    chain,
    negate,
    scale,
    scale_by_learning_rate,
    trace,
)

__all__ = [
    "OPTIMIZERS",
    "GradientTransformation",
    "LearningRate",
    "Schedule",
    "StatefulOptimizer",
    "adadelta",
    "adagrad",
    "adam",
    "adamw",
    "adaptive_chain",
    "add_decayed_weights",
    "amsgrad",
    "apply_updates",
    "chain",
    "hyperparameters",
    "load_state",
    "make_optimizer",
    "nadam",
    "negate",
    "radam",
    "rmsprop",
    "save_state",
    "scale",
    "scale_by_adadelta",
    "scale_by_adam",
    "scale_by_inverse_time",
    "scale_by_learning_rate",
    "scale_by_nadam",
    "scale_by_radam",
    "scale_by_rms",
    "scale_by_rss",
    "sgd",
    "sgd_momentum",
    "sgd_nesterov",
    "state_from_dict",
    "state_to_dict",
    "trace",
]
