"""The linear predictor ŷ = X·w (+ b) and logistic regression (the same map read as logits)."""

from __future__ import annotations

import torch

from descentlab.models.affine import affine_layer

__all__ = ["LinearPredictor", "LogisticRegression"]


class LinearPredictor(torch.nn.Module):
    """ŷ = X·w + b for X of shape (m, n_inputs); ``bias=False`` gives ŷ = X·w (SPEC §1)."""

    def __init__(
        self, n_inputs: int, n_outputs: int = 1, *, bias: bool = True, generator: torch.Generator
    ) -> None:
        super().__init__()
        self.affine = affine_layer(n_inputs, n_outputs, bias=bias, generator=generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.affine(x)


class LogisticRegression(LinearPredictor):
    """An affine map whose outputs are logits: one for two classes, one per class otherwise.

    ``forward`` returns the logits (the cross-entropy losses take logits, which is numerically
    stable); :meth:`predict_proba` applies the sigmoid (one output) or the softmax.
    """

    def predict_proba(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.forward(x)
        if logits.shape[1] == 1:
            return torch.sigmoid(logits)
        return torch.softmax(logits, dim=1)
