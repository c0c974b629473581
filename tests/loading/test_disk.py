"""Data larger than memory: a memory-mapped ``.npy`` pair and a Parquet file streamed by row group,
behind the same loader interface, with memory measured (not computed) to stay bounded."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from descentlab.loading import NpyLoader, ParquetLoader, make_loader
from descentlab.measure import PeakMemory


def ids(loader) -> list[int]:
    return [int(i) for xb, _ in loader for i in xb[:, 0]]


def test_parquet_epochs_cover_every_row_once_in_new_orders(parquet_file, samples):
    loader = make_loader("parquet", parquet_file, "target", 8, seed=6)
    epochs = [ids(loader) for _ in range(3)]
    for epoch in epochs:
        assert sorted(epoch) == list(range(53))
    assert epochs[0] != epochs[1] != epochs[2]
    assert ids(make_loader("parquet", parquet_file, "target", 8, seed=6)) == epochs[0]
    assert ids(make_loader("parquet", parquet_file, "target", 8, seed=7)) != epochs[0]
    X, y = samples
    for xb, yb in loader:  # features in column order, the target as a (b, 1) column
        rows = xb[:, 0].long()
        assert torch.equal(xb, X[rows]) and torch.equal(yb, y[rows]) and yb.shape == (len(xb), 1)


def test_parquet_shuffles_row_groups_then_rows_within_the_buffer(
    tmp_path, samples, parquet_file, write_parquet, options
):
    X, y = samples
    fifty = write_parquet(tmp_path / "fifty.parquet", X[:50].numpy(), y[:50].numpy(), 10)
    epoch = ids(make_loader("parquet", fifty, "target", 10, seed=1))
    groups = [{i // 10 for i in epoch[start : start + 10]} for start in range(0, 50, 10)]
    assert all(len(group) == 1 for group in groups)  # batch = row group here: one group each,
    assert [min(g) for g in groups] != sorted(min(g) for g in groups)  # groups in a new order,
    assert epoch[:10] != sorted(epoch[:10])  # rows mixed within the group
    assert ids(make_loader("parquet", parquet_file, "target", 8, shuffle=False)) == list(range(53))
    mixed = ids(ParquetLoader(fifty, "target", options(10, seed=1), buffer_row_groups=3))
    assert sorted(mixed) == list(range(50)) and len({i // 10 for i in mixed[:30]}) == 3


def test_parquet_columns_are_checked(tmp_path, parquet_file, options):
    with pytest.raises(
        ValueError, match=r"^y must be one of the file's columns \['x0', .*got 'price'$"
    ):
        make_loader("parquet", parquet_file, "price", 8)
    with pytest.raises(TypeError, match=r"^y must be the name of the target column, got 3$"):
        make_loader("parquet", parquet_file, 3, 8)
    with pytest.raises(
        ValueError, match=r"^features must be columns of the file other than the target"
    ):
        ParquetLoader(parquet_file, "target", options(8), features=["x0", "target"])
    text = tmp_path / "text.parquet"
    pq.write_table(pa.table({"name": ["a", "b"], "target": [1.0, 2.0]}), text)
    with pytest.raises(ValueError, match=r"^column 'name' must be numeric, got type string"):
        list(make_loader("parquet", text, "target", 1))
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(ValueError, match=r"^X must be a readable Parquet file"):
        make_loader("parquet", broken, "target", 1)


def test_npy_files_are_checked_and_closed(tmp_path, npy_pair, options):
    np.save(tmp_path / "short.npy", np.zeros(52, dtype=np.float32))
    with pytest.raises(
        ValueError, match=r"^X and y must have the same number of rows, got 53 and 52$"
    ):
        make_loader("npy", npy_pair[0], tmp_path / "short.npy", 8)
    np.save(tmp_path / "fortran.npy", np.asfortranarray(np.zeros((4, 3))))
    with pytest.raises(
        ValueError, match=r"^X must hold a C-ordered numeric array .*fortran_order=True"
    ):
        make_loader("npy", tmp_path / "fortran.npy", npy_pair[1], 2)
    (tmp_path / "junk.npy").write_bytes(b"junk")
    with pytest.raises(ValueError, match=r"^X must be a .npy file, got .*junk.npy"):
        make_loader("npy", tmp_path / "junk.npy", npy_pair[1], 2)
    with NpyLoader(*npy_pair, options(8)) as loader:
        assert len(list(loader)) == 7
    with pytest.raises(ValueError, match=r"^file must be open to read from it"):
        list(loader)


def chunks(rows: int, columns: int, size: int = 65_536):
    """Distinct float32 rows, ``size`` at a time (the file is never whole in memory)."""
    for start in range(0, rows, size):
        stop = min(rows, start + size)
        yield np.arange(start * columns, stop * columns, dtype=np.float32).reshape(-1, columns)


def write_npy(path, rows: int, columns: int) -> int:
    """A float32 .npy file written a chunk at a time; its size in bytes."""
    with path.open("wb") as handle:
        header = {"descr": "<f4", "fortran_order": False, "shape": (rows, columns)}
        np.lib.format.write_array_header_1_0(handle, header)
        for chunk in chunks(rows, columns):
            handle.write(chunk.tobytes())
    return path.stat().st_size


def write_big_parquet(path, rows: int, columns: int, group: int) -> int:
    """Random float32 columns, plainly encoded (so the file is as large as the data)."""
    names = [f"x{j}" for j in range(columns)] + ["target"]
    schema = pa.schema([(name, pa.float32()) for name in names])
    rng = np.random.default_rng(0)
    with pq.ParquetWriter(path, schema, compression="none", use_dictionary=False) as writer:
        for start in range(0, rows, group):
            block = rng.random((columns + 1, min(group, rows - start)), dtype=np.float32)
            writer.write_table(pa.table(dict(zip(names, block, strict=True)), schema=schema))
    return path.stat().st_size


def one_epoch(loader) -> tuple[int, int]:
    count = samples = 0
    for xb, _ in loader:
        count += 1
        samples += len(xb)
    return count, samples


@pytest.mark.slow
def test_memory_stays_bounded_while_streaming_files_far_larger_than_a_batch(tmp_path):
    rows, columns = 800_000, 64  # 205 MB of float32 features
    x_size = write_npy(tmp_path / "X.npy", rows, columns)
    write_npy(tmp_path / "y.npy", rows, 1)
    parquet_size = write_big_parquet(tmp_path / "d.parquet", rows, columns, group=25_000)
    assert x_size > 200e6 and parquet_size > 200e6
    npy = make_loader("npy", tmp_path / "X.npy", tmp_path / "y.npy", 256, seed=0)
    with npy, PeakMemory(interval=0.002) as probe:
        assert one_epoch(npy) == (len(npy), rows)
    npy_peak = probe.result
    parquet = make_loader("parquet", tmp_path / "d.parquet", "target", 256, seed=0)
    with PeakMemory(interval=0.002) as probe:
        assert one_epoch(parquet) == (len(parquet), rows)
    parquet_peak = probe.result
    # measured, not computed: the whole epoch ran with a small fraction of the file resident
    assert npy_peak.rss_increase < x_size / 4, npy_peak
    assert npy_peak.traced_peak < x_size / 20, npy_peak
    assert parquet_peak.rss_increase < parquet_size / 4, parquet_peak
    assert parquet_peak.traced_peak < parquet_size / 10, parquet_peak
