"""Trainable models (SPEC §1): the linear predictor, logistic regression and MLPs, as
``torch.nn.Module``s initialised from an explicit seed."""

from descentlab.models.activations import ACTIVATIONS, make_activation
from descentlab.models.factory import MODELS, check_layers, make_model, parse_layers
from descentlab.models.linear import LinearPredictor, LogisticRegression
from descentlab.models.mlp import MLP

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "MODELS",
    "LinearPredictor",
    "LogisticRegression",
    "check_layers",
    "make_activation",
    "make_model",
    "parse_layers",
]
