"""Affine maps ``x ↦ x·Wᵀ + b`` initialised from an explicit generator.

NOTE [seeded init]: ``torch.nn.Linear`` draws its initial weights from torch's global generator
as it is built. Our layers are built without initialisation (``torch.nn.utils.skip_init``) and
then filled from the caller's ``torch.Generator`` with the same distribution torch uses,
U(-1/√fan_in, 1/√fan_in) for weights and bias. So the same seed gives the same bits, and building
a model never changes the global random state.
"""

from __future__ import annotations

import math

import torch

__all__ = ["affine_layer"]


def affine_layer(
    n_inputs: int, n_outputs: int, *, bias: bool, generator: torch.Generator
) -> torch.nn.Linear:
    """A ``torch.nn.Linear(n_inputs, n_outputs)`` filled from ``generator`` (float32, CPU)."""
    layer = torch.nn.utils.skip_init(torch.nn.Linear, n_inputs, n_outputs, bias=bias)
    bound = 1.0 / math.sqrt(n_inputs)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        if layer.bias is not None:
            layer.bias.uniform_(-bound, bound, generator=generator)
    return layer
