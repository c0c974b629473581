"""The loader ``descentlab train`` uses: one of :mod:`descentlab.loading`'s in-memory kinds.

Any re-iterable object yielding ``(xb, yb)`` tensor batches once per epoch, with ``len()`` the
number of batches per epoch, can drive :func:`descentlab.train.fit`. Every
:func:`descentlab.loading.make_loader` loader draws its order from a ``torch.Generator`` exposed
as ``loader.generator``; a checkpoint saves that generator's state, so a resumed run sees the same
batch orders.
"""

from __future__ import annotations

import torch

from descentlab.loading import EpochLoader, make_loader
from descentlab.validation import check_seed

__all__ = ["make_train_loader"]


def make_train_loader(
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    *,
    seed: int,
    shuffle: bool = True,
    kind: str = "fast",
) -> EpochLoader:
    """Mini-batches of ``(X, y)`` from loader ``kind`` (default ``"fast"``), the order drawn from
    ``torch.Generator(seed)``.

    Each epoch draws a new permutation from the same generator (not the same order re-seeded);
    the last partial batch is kept. Every kind gives the same batches for the same seed.
    """
    return make_loader(kind, X, y, batch_size, shuffle=shuffle, seed=check_seed("seed", seed))
