"""Data loading (SPEC §2.9): four in-memory loaders, two on-disk ones
and a ``tf.data`` pipeline (``"tfdata"``, TensorFlow imported only when one is built) behind one
interface.

A loader is re-iterable — each ``iter()`` is one epoch of ``(xb, yb)`` batches — and ``len()`` is
the number of batches per epoch. Build one with :func:`make_loader`::

    loader = make_loader("fast", X, y, batch_size=64, seed=0)
    for epoch in range(10):
        for xb, yb in loader:
            ...

Every kind draws its epoch order the same way (NOTE [epoch permutation] in ``sampler.py``), so
equal seeds give equal batches and training trajectories match exactly across kinds.
"""

from descentlab.loading.base import BlockGatherLoader, EpochLoader
from descentlab.loading.factory import (
    FILE_KINDS,
    IN_MEMORY_KINDS,
    LOADER_KINDS,
    TF_KINDS,
    make_loader,
)
from descentlab.loading.fast import FastLoader
from descentlab.loading.manual import ManualLoader
from descentlab.loading.npy_file import MappedArray, NpyLoader
from descentlab.loading.options import LoaderOptions
from descentlab.loading.parquet_file import ParquetLoader
from descentlab.loading.sampler import EpochBatches, EpochSampler, batch_count
from descentlab.loading.torch_loaders import PairDataset, TorchLoader

__all__ = [
    "FILE_KINDS",
    "IN_MEMORY_KINDS",
    "LOADER_KINDS",
    "TF_KINDS",
    "BlockGatherLoader",
    "EpochBatches",
    "EpochLoader",
    "EpochSampler",
    "FastLoader",
    "LoaderOptions",
    "ManualLoader",
    "MappedArray",
    "NpyLoader",
    "PairDataset",
    "ParquetLoader",
    "TorchLoader",
    "batch_count",
    "make_loader",
]
