"""What every loader is: re-iterable (each ``iter()`` is one epoch of ``(xb, yb)`` batches) with
``len()`` = batches per epoch, and the block-gathering loop the fast and ``.npy`` loaders share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from descentlab.loading.options import Delivery, LoaderOptions
from descentlab.loading.sampler import EpochBatches, EpochSampler, batch_count
from descentlab.validation import InputValueError

__all__ = ["BlockGatherLoader", "EpochLoader"]


class EpochLoader:
    """The one loader interface. ``for xb, yb in loader`` runs one epoch; iterating again runs
    the next epoch, with a new order when shuffling. ``len(loader)`` is the number of batches per
    epoch. ``generator`` is the torch.Generator that draws the epoch orders: save its
    ``get_state()`` to resume a run at an epoch boundary."""

    kind: str = ""

    def __init__(self, n_samples: int, options: LoaderOptions) -> None:
        count = batch_count(n_samples, options.batch_size, drop_last=options.drop_last)
        if count == 0:
            raise InputValueError(
                "batch_size must be at most the number of samples when drop_last=True (no batch "
                f"would remain), got batch_size={options.batch_size} for {n_samples} samples"
            )
        self.n_samples = n_samples
        self.options = options
        self.delivery = Delivery(options)

    @property
    def batch_size(self) -> int:
        return self.options.batch_size

    @property
    def drop_last(self) -> bool:
        return self.options.drop_last

    @property
    def shuffle(self) -> bool:
        return self.options.shuffle

    @property
    def generator(self) -> torch.Generator:
        return self.options.generator

    def __len__(self) -> int:
        return batch_count(self.n_samples, self.batch_size, drop_last=self.drop_last)

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind!r}, n_samples={self.n_samples}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


class BlockGatherLoader(EpochLoader):
    """Sampler → batch sampler → gather, with the gather done for several batches at once.

    NOTE [block gather]: one gather call costs a few microseconds whatever its size, as much as
    the work itself at batch 32. So the batch sampler hands out blocks of consecutive batches
    (about ``block_bytes`` of samples), each block is gathered with one call on the data's device
    (pinned and moved to ``device`` in one copy), and the batches are views into the block.
    The batches are exactly those a per-batch gather would give; memory holds one block.
    """

    def __init__(
        self, n_samples: int, row_bytes: int, options: LoaderOptions, *, block_bytes: int
    ) -> None:
        super().__init__(n_samples, options)
        self.sampler = EpochSampler(n_samples, shuffle=options.shuffle, generator=options.generator)
        self.batches = EpochBatches(self.sampler, options.batch_size, drop_last=options.drop_last)
        self.batches_per_block = max(1, block_bytes // max(1, row_bytes * options.batch_size))

    def gather(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The samples at ``indices`` (a CPU int64 tensor), in that order."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:
        size, delivery = self.batch_size, self.delivery
        for block in self.batches.blocks(self.batches_per_block):
            xs, ys = self.gather(block)
            if delivery.collate_fn is None:
                xs, ys = delivery.move((xs, ys))
                yield from zip(xs.split(size), ys.split(size), strict=True)
            else:
                for xb, yb in zip(xs.split(size), ys.split(size), strict=True):
                    yield delivery.batch(xb, yb)
