from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from descentlab.loading.options import LoaderOptions, resolve_options


@pytest.fixture
def samples() -> tuple[torch.Tensor, torch.Tensor]:
    """53 samples whose first feature is the sample's index (batches show their indices)."""
    X = torch.cat(
        [
            torch.arange(53.0)[:, None],
            torch.randn(53, 3, generator=torch.Generator().manual_seed(1)),
        ],
        1,
    )
    y = X @ torch.tensor([[0.0], [1.0], [-2.0], [0.5]]) + 0.3
    return X, y


@pytest.fixture
def npy_pair(tmp_path, samples) -> tuple[str, str]:
    X, y = samples
    np.save(tmp_path / "X.npy", X.numpy())
    np.save(tmp_path / "y.npy", y.numpy())
    return str(tmp_path / "X.npy"), str(tmp_path / "y.npy")


def _write_parquet(path, X: np.ndarray, y: np.ndarray, row_group_size: int) -> str:
    columns = {f"x{j}": X[:, j] for j in range(X.shape[1])} | {"target": y[:, 0]}
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
    return str(path)


@pytest.fixture
def write_parquet():
    """``write_parquet(path, X, y, row_group_size)``: columns x0, x1, ... and ``target``."""
    return _write_parquet


@pytest.fixture
def parquet_file(tmp_path, samples) -> str:
    X, y = samples
    return _write_parquet(tmp_path / "data.parquet", X.numpy(), y.numpy(), row_group_size=10)


def _options(batch_size: int, **changes: Any) -> LoaderOptions:
    settings = dict(
        batch_size=batch_size,
        shuffle=True,
        drop_last=False,
        seed=0,
        generator=None,
        num_workers=0,
        pin_memory=False,
        collate_fn=None,
        device=None,
        data_device=torch.device("cpu"),
    )
    return resolve_options(**(settings | changes))


@pytest.fixture
def options():
    """``options(batch_size, **changes)``: checked loader options, for building a class directly."""
    return _options
