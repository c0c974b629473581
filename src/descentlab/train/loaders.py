"""The loader ``descentlab train`` uses unless it is given another one.

Any re-iterable object yielding ``(xb, yb)`` tensor batches once per epoch, with ``len()`` the
number of batches per epoch, can drive :func:`descentlab.train.fit`. When the loader draws its
order from a ``torch.Generator`` exposed as ``loader.generator`` (as ``DataLoader`` does), a
checkpoint saves that generator's state, so a resumed run sees the same batch orders.
"""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, TensorDataset

from descentlab.validation import check_positive_int, check_seed

__all__ = ["make_train_loader"]


def make_train_loader(
    X: torch.Tensor, y: torch.Tensor, batch_size: int, *, seed: int, shuffle: bool = True
) -> DataLoader:
    """Shuffled mini-batches of ``(X, y)``, the order drawn from ``torch.Generator(seed)``.

    Each epoch draws a new permutation from the same generator (not the same order re-seeded);
    the last partial batch is kept.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    generator = torch.Generator().manual_seed(check_seed("seed", seed))
    return DataLoader(
        TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator
    )
