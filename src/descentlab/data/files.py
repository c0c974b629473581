"""The user's own data: CSV, Parquet or a 2-D ``.npy`` array."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from descentlab.data.dataset import Dataset
from descentlab.data.synthetic import standardize
from descentlab.validation import InputValueError, check_matrix

__all__ = ["SUFFIXES", "load_file"]

SUFFIXES = (".csv", ".parquet", ".pq", ".npy")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_columns(path: Path) -> dict[str, np.ndarray]:
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:  # a damaged file or an object array
            raise InputValueError(
                f"data must be a readable .npy file, got {path}: {error}"
            ) from None
        if array.ndim != 2 or array.shape[1] < 2:
            raise InputValueError(
                f"data must be a 2-D .npy array with at least 2 columns (features and target), "
                f"got shape {array.shape} in {path}"
            )
        return {str(i): array[:, i] for i in range(array.shape[1])}
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        table = pacsv.read_csv(path) if suffix == ".csv" else pq.read_table(path)
    except Exception as error:  # pyarrow raises several types; the message is what matters
        raise InputValueError(
            f"data must be a readable {suffix} file, got {path}: {error}"
        ) from None
    seen: set[str] = set()
    for name in table.column_names:
        if name in seen:  # pyarrow keeps both; picking one by name would be a guess
            raise InputValueError(
                f"data column names must be distinct, got {name!r} more than once in {path}"
            )
        seen.add(name)
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        try:
            columns[name] = column.to_numpy(zero_copy_only=False).astype(np.float64)
        except (TypeError, ValueError):
            raise InputValueError(
                f"data column {name!r} must be numeric, got type {column.type} in {path}"
            ) from None
    return columns


def load_file(
    path: str | Path,
    *,
    target: str = "",
    features: tuple[str, ...] = (),
    standardize_features: bool = True,
) -> Dataset:
    """Load features and a target column from a file.

    ``target`` names the target column (a 0-based column index for ``.npy``; the last column when
    empty). ``features`` selects feature columns (all others when empty). Missing values
    are refused.
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputValueError(
            f"data must be a file ending in {', '.join(SUFFIXES)}, got {str(path)!r}"
        )
    if not path.is_file():
        raise InputValueError(f"data must be an existing file, got {str(path)!r} (not found)")
    columns = _read_columns(path)
    names = list(columns)
    target = target or names[-1]
    if target not in columns:
        raise InputValueError(f"target must be one of the columns {names}, got {target!r}")
    chosen = list(features) or [n for n in names if n != target]
    for name in chosen:
        if name not in columns or name == target:
            valid = [n for n in names if n != target]
            raise InputValueError(f"features must be columns among {valid}, got {name!r}")
    if not chosen:
        raise InputValueError(f"data must have at least one feature column besides {target!r}")
    X = np.column_stack([columns[n] for n in chosen])
    y = columns[target].reshape(-1, 1)
    check_matrix(f"data features in {path.name}", X)
    check_matrix(f"data target {target!r} in {path.name}", y)
    scaling: dict = {}
    if standardize_features:
        X, scaling = standardize(X)
    return Dataset(
        X=X,
        y=y,
        feature_names=tuple(chosen),
        target_name=target,
        source=str(path.resolve()),
        sha256=_sha256(path),
        scaling=scaling,
    )
