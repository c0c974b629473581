"""The first two of the three small ideas a loader is made of: a sampler that gives each epoch's
order of sample indices, and a batch sampler that cuts that order into batches.

NOTE [epoch permutation]: every loader kind draws its epoch order in exactly one way —
``torch.randperm(n, generator=g)``, one call per epoch from one generator that lives as long as the
loader. Equal seeds therefore give equal batch orders for every kind (manual slicing, DataLoader,
custom Dataset, the fast loader, the memory-mapped ``.npy`` file), each epoch gets a new order,
and a new loader built with the same seed replays the same sequence of orders. The first epoch is
the one ``RandomSampler(generator=g)`` gives; later epochs differ from it, because RandomSampler
draws a second, discarded permutation at the end of each epoch and ``DataLoader`` also takes its
worker seed from that generator. descentlab therefore never hands its permutation generator to
``DataLoader``: it passes an :class:`EpochSampler` as ``sampler=`` and a separate generator for the
worker seeds (NOTE [worker seeds] in ``options.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler

from descentlab.validation import check_bool, check_positive_int

__all__ = ["EpochBatches", "EpochSampler", "batch_count"]


def batch_count(n_samples: int, batch_size: int, *, drop_last: bool) -> int:
    """Batches per epoch: ``ceil(n / b)``, or ``floor(n / b)`` when the partial one is dropped.

    >>> batch_count(100, 30, drop_last=False), batch_count(100, 30, drop_last=True)
    (4, 3)
    """
    n_samples = check_positive_int("n_samples", n_samples)
    batch_size = check_positive_int("batch_size", batch_size)
    return n_samples // batch_size if drop_last else -(-n_samples // batch_size)


class EpochSampler(Sampler[int]):
    """Each iteration is one epoch: ``n`` indices in a fresh random order (``shuffle=True``) or
    ``0..n-1``. :meth:`order` gives the epoch as one tensor (the fast path); iterating gives
    Python ints, which is what ``DataLoader(sampler=...)`` consumes."""

    def __init__(self, n_samples: int, *, shuffle: bool, generator: torch.Generator) -> None:
        self.n_samples = check_positive_int("n_samples", n_samples)
        self.shuffle = check_bool("shuffle", shuffle)
        self.generator = generator

    def order(self) -> torch.Tensor:
        """The next epoch's order, an int64 CPU tensor (draws from the generator if shuffling)."""
        if self.shuffle:
            return torch.randperm(self.n_samples, generator=self.generator)
        return torch.arange(self.n_samples)

    def __iter__(self) -> Iterator[int]:
        yield from self.order().tolist()

    def __len__(self) -> int:
        return self.n_samples


class EpochBatches:
    """Batch sampler over an :class:`EpochSampler`: cuts one epoch's order into batches of
    ``batch_size`` indices (the last one partial, or dropped with ``drop_last``)."""

    def __init__(self, sampler: EpochSampler, batch_size: int, *, drop_last: bool) -> None:
        self.sampler = sampler
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.drop_last = check_bool("drop_last", drop_last)
        self.count = batch_count(sampler.n_samples, batch_size, drop_last=drop_last)
        self.stop = min(self.count * self.batch_size, sampler.n_samples)
        """Samples used per epoch: all of them, or the full batches only with ``drop_last``."""

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[torch.Tensor]:
        """One epoch of index tensors (views of the epoch's order, no per-sample Python)."""
        yield from self.sampler.order()[: self.stop].split(self.batch_size)

    def blocks(self, batches_per_block: int) -> Iterator[torch.Tensor]:
        """One epoch in blocks of ``batches_per_block`` consecutive batches (index tensors whose
        lengths are multiples of ``batch_size`` except at the end), for gathering many batches
        with one call."""
        step = check_positive_int("batches_per_block", batches_per_block) * self.batch_size
        yield from self.sampler.order()[: self.stop].split(step)
