"""The trainer's models as Keras 3 models (TensorFlow backend), starting from the torch weights.

NOTE [copied weights]: a Keras model of descentlab is never initialised by Keras. It is built
layer for layer from the torch model that :func:`~descentlab.models.make_model` draws for the
same seed (NOTE [seeded init]), and every weight is copied from it, so both frameworks start from
identical float32 bits. torch keeps an affine map's weight as (out, in) and computes
``x·Wᵀ + b``; a Keras ``Dense`` keeps its kernel as (in, out) and computes ``x·K + b``, so the
kernel is the transpose ``K = Wᵀ`` (the bias is the same vector). Keras's own initialisers are
set to zeros so that building a model draws nothing from Keras's random state.
TensorFlow and Keras are imported inside the functions (NOTE [quiet tensorflow]).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from descentlab.models.activations import ACTIVATIONS
from descentlab.models.factory import make_model
from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = ["KERAS_ACTIVATIONS", "keras_model_from_torch", "make_keras_model", "torch_layout"]

#: torch activation modules and the Keras activation of the same function (GELU exact in both).
KERAS_ACTIVATIONS: dict[type[torch.nn.Module], str] = {
    ACTIVATIONS["relu"]: "relu",
    ACTIVATIONS["tanh"]: "tanh",
    ACTIVATIONS["sigmoid"]: "sigmoid",
    ACTIVATIONS["gelu"]: "gelu",
}


def _pieces(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The model's leaf modules in forward order: affine maps and activations only."""
    leaves = [m for m in model.modules() if not list(m.children())]
    for leaf in leaves:
        if isinstance(leaf, torch.nn.Linear):
            continue
        if type(leaf) not in KERAS_ACTIVATIONS:
            raise InputValueError(
                f"model must hold only affine maps and the activations "
                f"{', '.join(sorted(KERAS_ACTIVATIONS.values()))} to become a Keras model, "
                f"got a {type(leaf).__name__} layer"
            )
        if isinstance(leaf, torch.nn.GELU) and leaf.approximate != "none":
            raise InputValueError(
                f"model's GELU must be the exact form to become a Keras model, "
                f"got approximate={leaf.approximate!r}"
            )
    return leaves


def keras_model_from_torch(model: torch.nn.Module) -> Any:
    """A ``keras.Sequential`` computing the same function as ``model`` with a copy of its weights.

    ``model`` is one of descentlab's models (linear predictor, logistic regression, MLP) or any
    module whose leaves are ``torch.nn.Linear`` maps and the activations of
    :data:`KERAS_ACTIVATIONS`, applied in the order they were registered. Anything else is
    refused by name. The Keras model is float32, whatever the torch model's dtype (NOTE [copied
    weights]).
    """
    if not isinstance(model, torch.nn.Module):
        raise InputTypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    leaves = _pieces(model)
    affine = [leaf for leaf in leaves if isinstance(leaf, torch.nn.Linear)]
    if not affine:
        raise InputValueError("model must hold at least one torch.nn.Linear, got none")
    from descentlab.quiet_tensorflow import keras as import_keras

    keras = import_keras()
    layers: list[Any] = [keras.Input((affine[0].in_features,), dtype="float32")]
    weights: list[np.ndarray] = []
    for leaf in leaves:
        if isinstance(leaf, torch.nn.Linear):
            bias = leaf.bias is not None
            layers.append(
                keras.layers.Dense(
                    leaf.out_features,
                    use_bias=bias,
                    kernel_initializer="zeros",
                    bias_initializer="zeros",
                    dtype="float32",
                )
            )
            weights.append(leaf.weight.detach().cpu().numpy().astype(np.float32).T.copy())
            if bias:
                weights.append(leaf.bias.detach().cpu().numpy().astype(np.float32).copy())
        else:
            layers.append(keras.layers.Activation(KERAS_ACTIVATIONS[type(leaf)], dtype="float32"))
    keras_model = keras.Sequential(layers)
    keras_model.set_weights(weights)
    return keras_model


def torch_layout(keras_model: Any) -> list[np.ndarray]:
    """The Keras model's weights in torch's layout and order: each kernel transposed to
    (out, in), then its bias; compare with ``[p.detach().numpy() for p in model.parameters()]``."""
    arrays = []
    for layer in keras_model.layers:
        for variable in layer.weights:
            value = np.asarray(variable.numpy())
            arrays.append(value.T.copy() if value.ndim == 2 else value)
    return arrays


def make_keras_model(name: str, n_inputs: int, n_outputs: int = 1, **options: Any) -> Any:
    """The Keras twin of ``make_model(name, n_inputs, n_outputs, **options)``: the same
    architecture and the same initial weights, copied (NOTE [copied weights]). ``options`` are
    :func:`~descentlab.models.make_model`'s (``layers``, ``activation``, ``bias``, ``seed``).

    Example:
        >>> model = make_keras_model("mlp", 20, 1, layers=(64, 32, 16), seed=0)
        >>> [tuple(w.shape) for w in model.get_weights()][:2]
        [(20, 64), (64,)]
    """
    return keras_model_from_torch(make_model(name, n_inputs, n_outputs, **options))
