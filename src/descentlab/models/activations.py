"""Element-wise activations between the affine maps of an MLP, by name."""

from __future__ import annotations

import torch

from descentlab.validation import check_choice

__all__ = ["ACTIVATIONS", "make_activation"]

ACTIVATIONS: dict[str, type[torch.nn.Module]] = {
    "relu": torch.nn.ReLU,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "gelu": torch.nn.GELU,  # the exact form x·Φ(x), not the tanh approximation
}


def make_activation(name: str) -> torch.nn.Module:
    """A fresh activation module: ``relu``, ``tanh``, ``sigmoid`` or ``gelu``."""
    check_choice("activation", name, list(ACTIVATIONS))
    return ACTIVATIONS[name]()
