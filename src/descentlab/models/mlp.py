"""Multi-layer perceptrons: affine maps alternating with element-wise activations."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch

from descentlab.models.activations import make_activation
from descentlab.models.affine import affine_layer

__all__ = ["MLP"]


class MLP(torch.nn.Module):
    """``n_inputs → layers[0] → … → layers[-1] → n_outputs`` with ``activation`` after each
    hidden affine map and none after the last (its outputs are predictions or logits).

    ``MLP(20, 1, layers=(64, 32, 16))`` is the 64-32-16 network of SPEC §2.10.
    """

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        *,
        layers: Sequence[int],
        activation: str = "relu",
        bias: bool = True,
        generator: torch.Generator,
    ) -> None:
        super().__init__()
        widths = [n_inputs, *layers, n_outputs]
        modules: list[torch.nn.Module] = []
        for index, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
            modules.append(affine_layer(fan_in, fan_out, bias=bias, generator=generator))
            if index < len(widths) - 2:
                modules.append(make_activation(activation))
        self.network = torch.nn.Sequential(*modules)
        self.layers = tuple(layers)
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)
