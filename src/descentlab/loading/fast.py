"""descentlab's own in-memory loader: sampler → batch sampler → one gather per block of batches
on the data's device, with no per-sample Python (NOTE [block gather])."""

from __future__ import annotations

import numpy as np
import torch

from descentlab.loading.base import BlockGatherLoader
from descentlab.loading.options import LoaderOptions

__all__ = ["FastLoader"]

BLOCK_BYTES = 1 << 17
"""Bytes of samples gathered per call: enough batches to make the call's fixed cost vanish at
batch 32, and few enough elements (32768 float32) that torch runs the gather on one thread —
waking a thread pool for a cache-sized copy costs more than it saves, most of all on a busy
machine (measured: 128 KiB blocks gathered 2-4x faster than 1 MiB blocks on 2 cores)."""


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
        self._arrays = _numpy_views(X, y)

    def gather(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self._arrays is not None:  # NOTE [CPU gather]
            rows = indices.numpy()
            xs, ys = (torch.from_numpy(a.take(rows, axis=0)) for a in self._arrays)
            return xs, ys
        indices = indices.to(self.X.device, non_blocking=True)
        return self.X.index_select(0, indices), self.y.index_select(0, indices)


def _numpy_views(X: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray, np.ndarray] | None:
    """NOTE [CPU gather]: on the CPU, ``numpy.take`` gathers rows about twice as fast as
    ``index_select`` (measured: 1.5 vs 3.1 µs per batch of 32 rows of 16 float32) and never wakes
    torch's thread pool, so CPU tensors whose dtype NumPy knows are gathered through NumPy views of
    the same memory (no copy). Other tensors — CUDA, bfloat16, requiring grad — use
    ``index_select``. Both give the same values and dtype."""
    try:
        return X.numpy(), y.numpy()
    except (TypeError, RuntimeError):
        return None
