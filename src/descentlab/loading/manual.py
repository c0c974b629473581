"""Manual batch creation, as written by hand: slice a permuted index, index the tensors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from descentlab.loading.base import EpochLoader
from descentlab.loading.options import LoaderOptions
from descentlab.loading.sampler import EpochSampler

__all__ = ["ManualLoader"]


class ManualLoader(EpochLoader):
    """``perm = torch.randperm(n)``, then ``X[perm[i:i + b]], y[perm[i:i + b]]`` for each ``i``:
    the textbook loop, one indexing call per tensor per batch, with the same epoch order as every
    other kind (NOTE [epoch permutation])."""

    kind = "manual"

    def __init__(self, X: torch.Tensor, y: torch.Tensor, options: LoaderOptions) -> None:
        super().__init__(X.shape[0], options)
        self.X, self.y = X, y
        self.sampler = EpochSampler(
            X.shape[0], shuffle=options.shuffle, generator=options.generator
        )

    def __iter__(self) -> Iterator[Any]:
        perm = self.sampler.order().to(self.X.device)
        size = self.batch_size
        stop = len(self) * size
        for start in range(0, min(stop, self.n_samples), size):
            index = perm[start : start + size]
            yield self.delivery.batch(self.X[index], self.y[index])
