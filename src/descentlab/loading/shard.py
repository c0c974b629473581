"""One rank's share of every global batch, for data-parallel training over several processes.

NOTE [sharded batches]: every rank draws the same epoch permutation as a single process would
(NOTE [epoch permutation]: one ``randperm`` per epoch from ``torch.Generator(seed)``, the generator
built alike on every rank), cuts it into the single process's global batches of ``batch_size``,
and keeps positions ``rank, rank + world, rank + 2·world, …`` of each one — the strided split of
``torch.utils.data.DistributedSampler``, applied batch by batch. The union of the ranks' shards of
global batch k is exactly the single process's batch k, so the global batch order for a seed is
the one a single process uses, and ``batch_size`` is the global batch size B: each rank sees
B / world samples per step (B must be a multiple of the world size).

Nothing is padded and nothing dropped. Full batches split into equal shards; only the last,
partial batch of an epoch (when the training set is not a multiple of B) splits into shards whose
sizes differ by at most one, and a rank may get an empty shard there. Every rank still takes part
in every step (the same ``len()`` everywhere), and the trainer weights each rank's mean loss by
its share of the global batch (:meth:`ShardLoader.share`), so the averaged gradient is the single
process's mean over the global batch — where DistributedSampler would pad with repeated samples
(counting some twice) or drop them (``drop_last``), changing the result.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from descentlab.loading.sampler import EpochSampler, batch_count
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_int,
    check_positive_int,
    check_seed,
    describe,
)

__all__ = ["ShardLoader", "check_divisible_batch"]


def check_divisible_batch(batch_size: int, world_size: int) -> int:
    """The per-rank batch size ``batch_size / world_size``; refuses a global batch size that the
    ranks cannot share equally."""
    batch_size = check_positive_int("batch_size", batch_size)
    world_size = check_positive_int("world_size", world_size)
    if batch_size % world_size:
        raise InputValueError(
            f"batch_size must be a multiple of the number of processes ({world_size}: each "
            f"takes batch_size / {world_size} samples of every global batch), got {batch_size}"
        )
    return batch_size // world_size


class ShardLoader:
    """``rank``'s share of each global batch of ``(X, y)`` (NOTE [sharded batches]).

    Re-iterable like every :mod:`descentlab.loading` loader: each ``iter()`` is one epoch, with a
    new order drawn from ``generator``; ``len()`` is the number of global batches per epoch, the
    same on every rank.
    """

    kind = "shard"

    def __init__(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        batch_size: int,
        *,
        seed: int,
        rank: int,
        world_size: int,
    ) -> None:
        for name, tensor in (("X", X), ("y", y)):
            if not isinstance(tensor, torch.Tensor):
                raise InputTypeError(f"{name} must be a torch.Tensor, got {describe(tensor)}")
        if X.shape[0] != y.shape[0] or X.shape[0] == 0:
            raise InputValueError(
                f"X and y must hold the same positive number of samples, got {X.shape[0]} and "
                f"{y.shape[0]}"
            )
        check_divisible_batch(batch_size, world_size)
        self.rank = check_int("rank", rank, minimum=0)
        if self.rank >= world_size:
            raise InputValueError(f"rank must be below world_size {world_size}, got {rank}")
        self.world_size = world_size
        self.batch_size = batch_size
        self.n_samples = int(X.shape[0])
        self.X, self.y = X, y
        self._arrays = (X.numpy(), y.numpy()) if X.device.type == "cpu" else None
        self.generator = torch.Generator().manual_seed(check_seed("seed", seed))
        self.sampler = EpochSampler(self.n_samples, shuffle=True, generator=self.generator)

    def __len__(self) -> int:
        return batch_count(self.n_samples, self.batch_size, drop_last=False)

    def global_size(self, batch: int) -> int:
        """The size of global batch ``batch`` (1-based): B, or less for the last one."""
        return min(self.batch_size, self.n_samples - (batch - 1) * self.batch_size)

    def share(self, batch: int, local_size: int) -> float:
        """The weight of this rank's mean loss in global batch ``batch``: ``world · local /
        global`` (exactly 1 for a full batch); the ranks' gradients averaged with these weights
        are the gradient of the global batch's mean loss."""
        return self.world_size * local_size / self.global_size(batch)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = self.sampler.order()
        for start in range(0, self.n_samples, self.batch_size):
            rows = order[start : start + self.batch_size][self.rank :: self.world_size]
            if self._arrays is not None:  # NOTE [CPU gather] in loading/fast.py
                picked = rows.numpy()
                yield tuple(torch.from_numpy(np.take(a, picked, axis=0)) for a in self._arrays)
            else:
                rows = rows.to(self.X.device)
                yield self.X.index_select(0, rows), self.y.index_select(0, rows)

    def __repr__(self) -> str:
        return (
            f"ShardLoader(n_samples={self.n_samples}, batch_size={self.batch_size}, "
            f"rank={self.rank}, world_size={self.world_size})"
        )
