"""§2.6–2.7 optimizers: small pure transforms in NumPy, named optimizers composed from them."""

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
    adaptive_chain,
    add_decayed_weights,
    apply_updates,
    chain,
    negate,
    scale,
    scale_by_learning_rate,
    trace,
)
