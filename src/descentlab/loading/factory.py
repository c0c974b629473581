"""``make_loader``: every loader kind behind one call and one interface."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from descentlab.loading.base import EpochLoader
from descentlab.loading.fast import FastLoader
from descentlab.loading.manual import ManualLoader
from descentlab.loading.npy_file import NpyLoader
from descentlab.loading.options import resolve_options
from descentlab.loading.parquet_file import ParquetLoader
from descentlab.loading.tensors import as_sample_tensors
from descentlab.loading.torch_loaders import TorchLoader
from descentlab.validation import InputValueError, check_choice

__all__ = ["FILE_KINDS", "IN_MEMORY_KINDS", "LOADER_KINDS", "TF_KINDS", "make_loader"]

IN_MEMORY_KINDS = ("manual", "dataloader", "dataset", "fast")
"""Loaders over tensors (or NumPy arrays) already in memory."""
FILE_KINDS = ("npy", "parquet")
"""Loaders over files larger than memory."""
TF_KINDS = ("tfdata",)
"""A ``tf.data`` pipeline over data in memory or on disk; TensorFlow is imported only when one is
built."""
LOADER_KINDS = IN_MEMORY_KINDS + FILE_KINDS + TF_KINDS


def make_loader(
    kind: str,
    X: Any,
    y: Any,
    batch_size: int,
    *,
    shuffle: bool = True,
    drop_last: bool = False,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    num_workers: int = 0,
    pin_memory: bool = False,
    collate_fn: Callable[[list], Any] | None = None,
    device: str | torch.device | None = None,
) -> EpochLoader:
    """A loader of ``(xb, yb)`` batches: ``for xb, yb in loader`` is one epoch, ``len(loader)`` the
    batches per epoch; iterate again for the next epoch.

    Kinds (``X``, ``y`` are tensors or NumPy arrays with one sample per row, unless noted):

    * ``"manual"`` — slices of a permuted index, written as by hand;
    * ``"dataloader"`` — ``torch.utils.data.DataLoader`` over a ``TensorDataset``;
    * ``"dataset"`` — ``DataLoader`` over a custom map-style ``Dataset`` (one call per sample);
    * ``"fast"`` — descentlab's own: sampler → batch sampler → one gather per block of batches on
      the data's device (NOTE [block gather]);
    * ``"npy"`` — ``X`` and ``y`` are paths of two ``.npy`` files, memory-mapped and read block by
      block with bounded memory (NOTE [mapped pages]);
    * ``"parquet"`` — ``X`` is a Parquet file's path and ``y`` its target column; the other
      columns are the features; streamed by row group (NOTE [chunk shuffle]);
    * ``"tfdata"`` — a ``tf.data`` pipeline (gather, prefetch) over tensors or arrays, a ``.npy``
      pair or a Parquet file and its target column (read whole), delivering torch tensors; the
      same epoch order as ``"fast"`` (NOTE [tf.data order]). ``TFDataLoader`` offers its other
      options (``order="shuffle"``, ``cache``, ``prefetch``, parallel gathers).

    Options:

    * ``shuffle`` — a new permutation each epoch, drawn the same way by every kind (NOTE [epoch
      permutation]): equal seeds give equal batches for all kinds but ``"parquet"``;
    * ``drop_last`` — drop the last, partial batch: 100 samples at batch 30 give 3 batches with
      it and 4 without;
    * ``seed`` or ``generator`` (not both) — the source of the permutations; a generator is used
      and advanced in place, a seed makes a new one; neither means seed 0;
    * ``num_workers`` — worker processes for the ``DataLoader`` kinds, each seeded distinctly
      (NOTE [worker seeds]); the batches do not depend on it; the other kinds gather whole
      batches in the calling process and need 0;
    * ``pin_memory`` — pin batches in page-locked memory for a faster copy to CUDA: refused for
      data already on CUDA, a warning and no effect when CUDA is unavailable;
    * ``collate_fn`` — called with the batch as a list of ``(x_i, y_i)`` samples, as
      ``DataLoader`` calls it, for every kind; the loader yields what it returns (a collate
      function brings per-sample Python back to the fast kinds);
    * ``device`` — where batches are delivered (``None``: where the data is). Batches are gathered
      where the data lives and then copied; to gather on the GPU, put the tensors there first.

    >>> X, y = torch.arange(100.0).reshape(100, 1), torch.zeros(100)
    >>> [len(make_loader(kind, X, y, 30, drop_last=True)) for kind in IN_MEMORY_KINDS]
    [3, 3, 3, 3]
    >>> a = [xb[:, 0].tolist() for xb, _ in make_loader("fast", X, y, 30, seed=1)]
    >>> b = [xb[:, 0].tolist() for xb, _ in make_loader("dataset", X, y, 30, seed=1)]
    >>> a == b
    True
    """
    check_choice("kind", kind, LOADER_KINDS)
    if kind in IN_MEMORY_KINDS or (kind in TF_KINDS and not isinstance(X, str | Path)):
        X, y = as_sample_tensors(X, y)
        data_device = X.device
    else:
        data_device = torch.device("cpu")
    options = resolve_options(
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        seed=seed,
        generator=generator,
        num_workers=num_workers,
        pin_memory=pin_memory,
        collate_fn=collate_fn,
        device=device,
        data_device=data_device,
    )
    if options.num_workers > 0 and kind not in ("dataloader", "dataset"):
        raise InputValueError(
            f"num_workers must be 0 for loader kind {kind!r} (it gathers whole batches in the "
            f"calling process; only 'dataloader' and 'dataset' use workers), got {num_workers}"
        )
    if kind == "manual":
        return ManualLoader(X, y, options)
    if kind == "fast":
        return FastLoader(X, y, options)
    if kind == "npy":
        return NpyLoader(X, y, options)
    if kind == "parquet":
        return ParquetLoader(X, y, options)
    if kind == "tfdata":
        from descentlab.loading.tf_data import TFDataLoader, tf_source

        return TFDataLoader(tf_source(X, y, options), options)
    return TorchLoader(kind, X, y, options)
