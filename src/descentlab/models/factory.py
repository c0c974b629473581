"""Models by name, with every argument checked: ``make_model("mlp", 20, 1, layers=(64, 32))``."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from descentlab.models.activations import ACTIVATIONS
from descentlab.models.linear import LinearPredictor, LogisticRegression
from descentlab.models.mlp import MLP
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_bool,
    check_choice,
    check_positive_int,
    check_seed,
    describe,
)
from descentlab.values import parse_field

__all__ = ["MODELS", "check_layers", "make_model", "parse_layers"]

MODELS = ("linear", "logistic", "mlp")


def parse_layers(text: str) -> tuple[int, ...]:
    """``"64,32,16"`` → ``(64, 32, 16)``; an empty string gives ``()``, an empty entry
    (``"64,,32"``, ``"64,"``) is refused rather than dropped (the grammar of a list field in
    :mod:`descentlab.values`)."""
    return parse_field("layers", text, tuple[int, ...])


def check_layers(model: str, layers: Sequence[int]) -> tuple[int, ...]:
    """The hidden widths of ``model`` as a tuple: non-empty for an MLP, empty otherwise."""
    if isinstance(layers, str) or not isinstance(layers, Sequence):
        raise InputTypeError(
            f"layers must be a sequence of positive integers, got {describe(layers)}"
        )
    widths = tuple(check_positive_int("layers entry", width) for width in layers)
    if model == "mlp" and not widths:
        raise InputValueError(
            "layers must list at least one hidden width for model 'mlp', got () (e.g. 64,32,16)"
        )
    if model != "mlp" and widths:
        raise InputValueError(
            f"layers must be empty for model {model!r} (it has no hidden layers), got {widths}"
        )
    return widths


def make_model(
    name: str,
    n_inputs: int,
    n_outputs: int = 1,
    *,
    layers: Sequence[int] = (),
    activation: str | None = None,
    bias: bool = True,
    seed: int = 0,
) -> torch.nn.Module:
    """A freshly initialised float32 CPU model; the same ``seed`` gives the same bits.

    Args:
        name: ``"linear"`` (ŷ = X·w + b), ``"logistic"`` (the same map as logits) or ``"mlp"``.
        n_inputs: number of features (> 0). n_outputs: outputs (> 0): 1 for regression and
            binary classification, the number of classes for multi-class.
        layers: the MLP's hidden widths, e.g. ``(64, 32, 16)``; empty for linear and logistic.
        activation: ``relu`` (MLP default), ``tanh``, ``sigmoid`` or ``gelu``; MLP only.
        bias: whether every affine map has a bias term.
        seed: seed of the ``torch.Generator`` the initial weights are drawn from (NOTE [seeded
            init]).

    Example:
        >>> model = make_model("mlp", 20, 1, layers=(64, 32, 16), activation="tanh", seed=0)
        >>> tuple(model(torch.zeros(5, 20)).shape)
        (5, 1)
    """
    check_choice("model", name, MODELS)
    n_inputs = check_positive_int("n_inputs", n_inputs)
    n_outputs = check_positive_int("n_outputs", n_outputs)
    widths = check_layers(name, layers)
    if activation is not None:
        check_choice("activation", activation, list(ACTIVATIONS))
        if name != "mlp":
            raise InputValueError(
                f"activation must be None for model {name!r} (it has no hidden layers), "
                f"got {activation!r}"
            )
    check_bool("bias", bias)
    generator = torch.Generator().manual_seed(check_seed("seed", seed))
    if name == "linear":
        return LinearPredictor(n_inputs, n_outputs, bias=bias, generator=generator)
    if name == "logistic":
        return LogisticRegression(n_inputs, n_outputs, bias=bias, generator=generator)
    return MLP(
        n_inputs,
        n_outputs,
        layers=widths,
        activation=activation or "relu",
        bias=bias,
        generator=generator,
    )
