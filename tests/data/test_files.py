from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from descentlab.data import load_file, regression_data


def test_builtin_data_is_standardised_and_reproducible():
    a = regression_data(100, 1, noise=20, random_state=42)
    b = regression_data(100, 1, noise=20, random_state=42)
    assert a.X.tobytes() == b.X.tobytes()
    np.testing.assert_allclose(a.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(a.X.std(axis=0), 1, rtol=1e-12)
    assert a.y.shape == (100, 1)


def test_csv_parquet_npy_load_the_same(tmp_path):
    rng = np.random.default_rng(0)
    table = rng.normal(size=(20, 3))
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,price\n" + "\n".join(",".join(map(repr, r)) for r in table.tolist()))
    parquet = tmp_path / "d.parquet"
    pq.write_table(pa.table({"a": table[:, 0], "b": table[:, 1], "price": table[:, 2]}), parquet)
    npy = tmp_path / "d.npy"
    np.save(npy, table)
    from_csv = load_file(csv, target="price")
    from_parquet = load_file(parquet, target="price")
    from_npy = load_file(npy)
    for data in (from_parquet, from_npy):
        np.testing.assert_allclose(data.X, from_csv.X, rtol=1e-12)
        np.testing.assert_allclose(data.y, from_csv.y, rtol=1e-12)
    assert from_csv.feature_names == ("a", "b") and from_csv.sha256
    only_a = load_file(csv, target="price", features=("a",))
    assert only_a.n_features == 1


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        (
            "a,b\n1,2\n3,4\n",
            {"target": "c"},
            r"target must be one of the columns \['a', 'b'\], got 'c'",
        ),
        ("a,b\n1,x\n3,4\n", {}, r"data column 'b' must be numeric"),
        ("a,b\n1,\n3,4\n", {}, r"must contain only finite values, got nan"),
        (
            "a,b\n1,2\n3,4\n",
            {"features": ("z",)},
            r"features must be columns among \['a'\], got 'z'",
        ),
    ],
)
def test_bad_files(tmp_path, content, kwargs, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_file(path, **kwargs)


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(ValueError, match=r"data must be an existing file, got '.*nope.csv'"):
        load_file(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match=r"data must be a file ending in .csv"):
        load_file(tmp_path / "data.xlsx")
