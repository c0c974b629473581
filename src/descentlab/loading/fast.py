"""descentlab's own in-memory loader: sampler → batch sampler → one gather per block of batches
on the data's device, with no per-sample Python (NOTE [block gather])."""

from __future__ import annotations

import torch

from descentlab.loading.base import BlockGatherLoader
from descentlab.loading.options import LoaderOptions

__all__ = ["FastLoader"]

BLOCK_BYTES = 1 << 20
"""Bytes of samples gathered per call: large enough to make the call cost vanish per batch, small
enough to stay in cache."""


def row_bytes(*tensors: torch.Tensor) -> int:
    """Bytes of one sample across ``tensors`` (their first axis indexes samples)."""
    return sum(t[0].numel() * t.element_size() for t in tensors)


class FastLoader(BlockGatherLoader):
    """Gathers blocks of batches with ``index_select`` where the data lives (CPU or CUDA) and
    yields views of the block; same batches, same order as every other kind."""

    kind = "fast"

    def __init__(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        options: LoaderOptions,
        *,
        block_bytes: int = BLOCK_BYTES,
    ) -> None:
        super().__init__(X.shape[0], row_bytes(X, y), options, block_bytes=block_bytes)
        self.X, self.y = X, y

    def gather(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        indices = indices.to(self.X.device, non_blocking=True)
        return self.X.index_select(0, indices), self.y.index_select(0, indices)
