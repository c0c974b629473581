"""Data larger than memory, kind 2: a Parquet file streamed one row group at a time.

NOTE [chunk shuffle]: a Parquet file can only be read efficiently a row group (a horizontal
chunk) at a time, so a shuffled epoch is two-level: the row groups are visited in a random order
(``torch.randperm`` over the groups), and the rows of each buffer — ``buffer_row_groups`` groups
plus the rows left over from the previous buffer — are permuted before they are cut into batches.
Every row appears exactly once per epoch, all batches are full except the last, equal seeds give
equal orders and each epoch draws new ones; but rows far apart in the file never meet in one
batch, unlike the in-memory kinds' full permutation (so this kind's order differs from theirs).
Memory holds about ``buffer_row_groups`` row groups plus one batch: write files with row groups
of a few megabytes (``pyarrow.parquet.write_table(..., row_group_size=...)``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from descentlab.loading.base import EpochLoader
from descentlab.loading.options import LoaderOptions
from descentlab.loading.paths import check_data_file
from descentlab.validation import InputTypeError, InputValueError, check_positive_int, describe

__all__ = ["ParquetLoader"]


def _numeric(table: Any, name: str, path: Path) -> np.ndarray:
    column = table.column(name)
    try:
        values = column.to_numpy()
    except Exception:  # pyarrow raises several types; the column type is what matters
        values = None
    if values is None or values.dtype.kind not in "biuf":
        raise InputValueError(
            f"column {name!r} must be numeric, got type {column.type} in {str(path)!r}"
        )
    return values


class ParquetLoader(EpochLoader):
    """Batches of ``(features, target)`` read from a Parquet file without loading it whole.

    ``target`` names the target column (yielded as shape ``(b, 1)``, like ``Dataset.y``);
    ``features`` the feature columns (default: every other column), yielded as ``(b, k)`` in the
    columns' common dtype. Shuffling follows NOTE [chunk shuffle].
    """

    kind = "parquet"

    def __init__(
        self,
        path: str | Path,
        target: str,
        options: LoaderOptions,
        *,
        features: Sequence[str] | None = None,
        buffer_row_groups: int = 1,
    ) -> None:
        import pyarrow.parquet as pq

        self.path = check_data_file("X", path, (".parquet", ".pq"))
        if not isinstance(target, str):
            raise InputTypeError(f"y must be the name of the target column, got {describe(target)}")
        try:
            self.file = pq.ParquetFile(self.path)
        except Exception as error:  # pyarrow raises several types; the message is what matters
            raise InputValueError(
                f"X must be a readable Parquet file, got {str(self.path)!r}: {error}"
            ) from None
        names = list(self.file.schema_arrow.names)
        if target not in names:
            raise InputValueError(f"y must be one of the file's columns {names}, got {target!r}")
        chosen = [n for n in names if n != target] if features is None else list(features)
        unknown = [n for n in chosen if n not in names or n == target]
        if unknown or not chosen:
            raise InputValueError(
                f"features must be columns of the file other than the target, got {chosen}"
            )
        self.target, self.features = target, tuple(chosen)
        self.buffer_row_groups = check_positive_int("buffer_row_groups", buffer_row_groups)
        self.row_groups = self.file.metadata.num_row_groups
        n_rows = self.file.metadata.num_rows
        if n_rows == 0:
            raise InputValueError(
                f"X must hold at least one row, got an empty file {str(self.path)!r}"
            )
        super().__init__(n_rows, options)

    def _read(self, groups: list[int]) -> tuple[np.ndarray, np.ndarray]:
        table = self.file.read_row_groups(groups, columns=[*self.features, self.target])
        columns = [_numeric(table, name, self.path) for name in self.features]
        xs = np.column_stack(columns) if len(columns) > 1 else columns[0][:, None]
        ys = _numeric(table, self.target, self.path)[:, None]
        # arrow's buffers are read-only; torch wants writable memory (copies only when needed)
        return np.require(xs, requirements=["C", "W"]), np.require(ys, requirements=["C", "W"])

    def _group_order(self) -> list[int]:
        if self.shuffle:
            return torch.randperm(self.row_groups, generator=self.generator).tolist()
        return list(range(self.row_groups))

    def __iter__(self) -> Iterator[Any]:
        size, step = self.batch_size, self.buffer_row_groups
        order = self._group_order()
        carry_x = carry_y = None
        for start in range(0, len(order), step):
            xs, ys = self._read(order[start : start + step])
            if carry_x is not None:
                xs, ys = np.concatenate([carry_x, xs]), np.concatenate([carry_y, ys])
            if self.shuffle:
                mix = torch.randperm(len(xs), generator=self.generator).numpy()
                xs, ys = xs[mix], ys[mix]
            full = len(xs) // size * size
            if full:  # (splitting an empty tensor would give one empty batch)
                batches_x = torch.from_numpy(xs[:full]).split(size)
                batches_y = torch.from_numpy(ys[:full]).split(size)
                for xb, yb in zip(batches_x, batches_y, strict=True):
                    yield self.delivery.batch(xb, yb)
            carry_x, carry_y = xs[full:], ys[full:]
        if carry_x is not None and len(carry_x) and not self.drop_last:
            yield self.delivery.batch(torch.from_numpy(carry_x), torch.from_numpy(carry_y))
