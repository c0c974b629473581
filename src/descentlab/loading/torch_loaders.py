"""PyTorch's own path: ``DataLoader`` over a ``TensorDataset`` or over a custom map-style
``Dataset``, fed descentlab's epoch sampler so the batch order matches every other kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

from descentlab.loading.base import EpochLoader
from descentlab.loading.options import Delivery, LoaderOptions
from descentlab.loading.sampler import EpochSampler
from descentlab.validation import InputValueError

__all__ = ["PairDataset", "TorchLoader"]


class PairDataset(Dataset):
    """A custom map-style ``Dataset``: sample ``i`` is the pair ``(X[i], y[i])``, one
    ``__getitem__`` call per sample — the class a learner writes for their own data."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor) -> None:
        self.X, self.y = X, y

    def __len__(self) -> int:
        return self.X.shape[0]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.X[index], self.y[index]


class TorchLoader(EpochLoader):
    """A ``torch.utils.data.DataLoader`` (kept as ``self.dataloader``) behind the loader interface.

    ``kind="dataloader"`` wraps the tensors in a ``TensorDataset``, ``kind="dataset"`` in
    :class:`PairDataset`. The DataLoader pins (``pin_memory``) and collates; this class only moves
    batches to ``device``. Workers are seeded as NOTE [worker seeds] says.
    """

    def __init__(self, kind: str, X: torch.Tensor, y: torch.Tensor, options: LoaderOptions) -> None:
        super().__init__(X.shape[0], options)
        if options.num_workers > 0 and X.device.type != "cpu":
            raise InputValueError(
                f"num_workers must be 0 for data already on {X.device} (worker processes "
                f"cannot share it), got {options.num_workers}"
            )
        self.kind = kind
        dataset: Dataset = TensorDataset(X, y) if kind == "dataloader" else PairDataset(X, y)
        self.sampler = EpochSampler(
            X.shape[0], shuffle=options.shuffle, generator=options.generator
        )
        extra: dict[str, Any] = (
            {} if options.collate_fn is None else {"collate_fn": options.collate_fn}
        )
        self.dataloader = DataLoader(
            dataset,
            batch_size=options.batch_size,
            sampler=self.sampler,
            drop_last=options.drop_last,
            num_workers=options.num_workers,
            pin_memory=options.pin_memory,
            generator=torch.Generator().manual_seed(options.worker_seed),
            **extra,
        )
        self.delivery = Delivery(options, pin=False)

    def __iter__(self) -> Iterator[Any]:
        tuples = self.options.collate_fn is None
        for batch in self.dataloader:
            # default_collate gives a list for tuple samples; every kind yields (xb, yb) tuples
            yield self.delivery.move(tuple(batch) if tuples else batch)
