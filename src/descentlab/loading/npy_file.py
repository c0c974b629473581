"""Data larger than memory, kind 1: a pair of memory-mapped ``.npy`` files, read block by block.

NOTE [mapped pages]: reading a memory-mapped file brings its pages into the process (they count
in its resident set) and they stay mapped until the process lets go of them, so an epoch over a
mapped file would end with the whole file resident. :class:`MappedArray` therefore tells the
kernel it is done with the pages it read (``madvise(MADV_DONTNEED)``; the file's bytes stay in the
page cache for the next read) each time about ``release_bytes`` of pages have been touched. Memory
then stays bounded by one block of samples plus ``release_bytes``, whatever the file size.

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
from descentlab.validation import check_positive_int

__all__ = ["RELEASE_BYTES", "MappedArray", "NpyLoader"]

RELEASE_BYTES = 32 << 20
"""Pages read from the file before they are handed back to the kernel."""

_PAGE = mmap.PAGESIZE


class MappedArray:
    """A ``.npy`` array mapped read-only; :meth:`take` copies rows out and releases pages."""

    def __init__(self, name: str, path: str | Path, *, release_bytes: int = RELEASE_BYTES) -> None:
        self.path = check_data_file(name, path, (".npy",))
        self.release_bytes = check_positive_int("release_bytes", release_bytes)
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
                raise ValueError(
                    f"{name} must be a .npy file, got {str(self.path)!r}: {error}"
                ) from None
            offset = handle.tell()
            if fortran or dtype.hasobject or dtype.kind not in "biuf" or not shape or shape[0] == 0:
                raise ValueError(
                    f"{name} must hold a C-ordered numeric array with at least one row, got "
                    f"shape {shape}, dtype {dtype}, fortran_order={fortran} in {str(self.path)!r}"
                )
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self.shape: tuple[int, ...] = tuple(shape)
        self.dtype = dtype
        self.offset = offset
        self.row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
        self._array: np.ndarray | None = np.ndarray(shape, dtype, buffer=self._map, offset=offset)
        self._touched = 0
        self._low, self._high = self._map.size(), 0

    def __len__(self) -> int:
        return self.shape[0]

    def take(self, rows: np.ndarray) -> np.ndarray:
        """A copy of ``rows`` (any order), read in increasing row order."""
        if self._array is None:
            raise ValueError(f"file must be open to read from it, got closed {str(self.path)!r}")
        ascending = np.argsort(rows, kind="stable")
        picked = rows[ascending]
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        out[ascending] = np.take(self._array, picked, axis=0)
        start = self.offset + int(picked[0]) * self.row_bytes
        end = self.offset + (int(picked[-1]) + 1) * self.row_bytes
        self._low, self._high = min(self._low, start), max(self._high, end)
        self._touched += min(end - start, len(rows) * (self.row_bytes + _PAGE))
        if self._touched >= self.release_bytes:
            self.release()
        return out

    def release(self) -> None:
        """Hand the pages read since the last release back to the kernel (NOTE [mapped pages])."""
        if self._array is not None and self._high > self._low:
            low = self._low - self._low % _PAGE
            self._map.madvise(mmap.MADV_DONTNEED, low, self._high - low)
        self._touched = 0
        self._low, self._high = self._map.size(), 0

    def close(self) -> None:
        self._array = None
        if not self._map.closed:
            self._map.close()


class NpyLoader(BlockGatherLoader):
    """Features and targets from two memory-mapped ``.npy`` files with the same number of rows.

    Blocks of batches are read in increasing row order (kind to the disk), put back in the epoch's
    order, and the pages are released as NOTE [mapped pages] says. Call :meth:`close` (or use
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
        release_bytes: int = RELEASE_BYTES,
    ) -> None:
        self.X = MappedArray("X", x_path, release_bytes=release_bytes)
        try:
            self.y = MappedArray("y", y_path, release_bytes=release_bytes)
        except Exception:
            self.X.close()
            raise
        if len(self.X) != len(self.y):
            self.close()
            raise ValueError(
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

    def __iter__(self):
        try:
            yield from super().__iter__()
        finally:
            self.X.release()
            self.y.release()

    def close(self) -> None:
        self.X.close()
        self.y.close()

    def __enter__(self) -> NpyLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
