"""Data larger than memory, kind 1: a pair of memory-mapped ``.npy`` files, read block by block.

NOTE [mapped pages]: reading a memory-mapped file brings its pages into the process (they count
in its resident set) and they stay mapped until the process lets go of them, so an epoch over a
mapped file would end with the whole file resident. Worse, the kernel maps about 64 KiB around
each page it faults in, so a shuffled block of a few thousand rows maps most of a large file
(measured: 4000 random rows of a 200 MB file mapped 199 MB). :class:`MappedArray` therefore reads
a block's rows in increasing order, a group at a time (at most ``MAPPED_BYTES`` counting the
kernel's extra pages), and after each group tells the kernel it is done with that span
(``madvise(MADV_DONTNEED)``; the bytes stay in the page cache for the next read). Memory stays
bounded by one block of samples plus ``MAPPED_BYTES``, whatever the file size — measured in
``tests/loading/test_disk.py``.

Because rows can be read in any order, the ``.npy`` loader shuffles exactly like the in-memory
kinds (NOTE [epoch permutation]): equal seeds give the same batches as ``fast``.
"""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np
import torch

from descentlab.loading.base import BlockGatherLoader
from descentlab.loading.options import LoaderOptions
from descentlab.loading.paths import check_data_file
from descentlab.validation import InputValueError

__all__ = ["MappedArray", "NpyLoader"]

_PAGE = mmap.PAGESIZE
FAULT_AROUND = 64 << 10
"""Bytes the kernel maps around each page fault of a file mapping (Linux's default)."""
MAPPED_BYTES = 8 << 20
"""At most about this much of the file is mapped in at a time."""


class MappedArray:
    """A ``.npy`` array mapped read-only; :meth:`take` copies rows out and releases their pages."""

    def __init__(self, name: str, path: str | Path) -> None:
        self.path = check_data_file(name, path, (".npy",))
        with self.path.open("rb") as handle:
            try:
                version = np.lib.format.read_magic(handle)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                shape, fortran, dtype = read_header(handle)
            except ValueError as error:
                raise InputValueError(
                    f"{name} must be a .npy file, got {str(self.path)!r}: {error}"
                ) from None
            offset = handle.tell()
            if fortran or dtype.hasobject or dtype.kind not in "biuf" or not shape or shape[0] == 0:
                raise InputValueError(
                    f"{name} must hold a C-ordered numeric array with at least one row, got "
                    f"shape {shape}, dtype {dtype}, fortran_order={fortran} in {str(self.path)!r}"
                )
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self.shape: tuple[int, ...] = tuple(shape)
        self.dtype = dtype
        self.offset = offset
        self.row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
        self._array: np.ndarray | None = np.ndarray(shape, dtype, buffer=self._map, offset=offset)

    def __len__(self) -> int:
        return self.shape[0]

    def take(self, rows: np.ndarray) -> np.ndarray:
        """A copy of ``rows`` (any order), read in increasing row order a few rows at a time,
        releasing each group's pages before reading the next (NOTE [mapped pages])."""
        if self._array is None:
            raise InputValueError(
                f"file must be open to read from it, got closed {str(self.path)!r}"
            )
        ascending = np.argsort(rows, kind="stable")
        picked = rows[ascending]
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        step = max(1, MAPPED_BYTES // max(self.row_bytes, FAULT_AROUND))
        for start in range(0, len(picked), step):
            group = picked[start : start + step]
            out[ascending[start : start + step]] = np.take(self._array, group, axis=0)
            self._release(int(group[0]), int(group[-1]) + 1)
        return out

    def _release(self, first: int, stop: int) -> None:
        """Hand the pages of rows ``first:stop`` back to the kernel (NOTE [mapped pages])."""
        start = self.offset + first * self.row_bytes
        low = max(0, start - start % _PAGE - FAULT_AROUND)
        high = min(self._map.size(), self.offset + stop * self.row_bytes + FAULT_AROUND)
        self._map.madvise(mmap.MADV_DONTNEED, low, high - low)

    def close(self) -> None:
        self._array = None
        if not self._map.closed:
            self._map.close()


class NpyLoader(BlockGatherLoader):
    """Features and targets from two memory-mapped ``.npy`` files with the same number of rows.

    Blocks of batches are read in increasing row order (kind to the disk), put back in the epoch's
    order, and their pages are released as NOTE [mapped pages] says. Call :meth:`close` (or use
    ``with``) to unmap the files.
    """

    kind = "npy"

    def __init__(
        self,
        x_path: str | Path,
        y_path: str | Path,
        options: LoaderOptions,
        *,
        block_bytes: int = 1 << 20,
    ) -> None:
        self.X = MappedArray("X", x_path)
        try:
            self.y = MappedArray("y", y_path)
        except Exception:
            self.X.close()
            raise
        if len(self.X) != len(self.y):
            self.close()
            raise InputValueError(
                f"X and y must have the same number of rows, got {len(self.X)} and {len(self.y)}"
            )
        try:
            row = self.X.row_bytes + self.y.row_bytes
            super().__init__(len(self.X), row, options, block_bytes=block_bytes)
        except Exception:
            self.close()
            raise

    def gather(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        rows = indices.numpy()
        return torch.from_numpy(self.X.take(rows)), torch.from_numpy(self.y.take(rows))

    def close(self) -> None:
        self.X.close()
        self.y.close()

    def __enter__(self) -> NpyLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
