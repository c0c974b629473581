"""The checks behind the CLI's refusals, called directly: seeds, C longs, standardisation of
huge columns, checkpoint files and memory estimates."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.data import apply_scaling, standardize
from descentlab.experiments import get_experiment
from descentlab.experiments.catalog import CATALOG
from descentlab.memory_estimates import (
    check_memory,
    experiment_bytes,
    format_bytes,
    training_bytes,
)
from descentlab.train import TrainConfig, load_checkpoint
from descentlab.train.checkpoint import check_checkpoint_path
from descentlab.validation import InputError, check_int, check_positive_int, check_seed


@pytest.mark.parametrize("value", [2**63, 10**20, -1])
def test_seed_range(value):
    with pytest.raises(InputError, match=r"^seed must be an integer in \[0, 2\*\*63 - 1\], got"):
        check_seed("seed", value)


def test_seed_edges_and_32_bit_seeds():
    assert check_seed("seed", 2**63 - 1) == 2**63 - 1
    assert check_seed("data_seed", 2**32 - 1, bits=32) == 2**32 - 1
    with pytest.raises(InputError, match=r"data_seed must be an integer in \[0, 2\*\*32 - 1\]"):
        check_seed("data_seed", 2**32, bits=32)


def test_integers_must_fit_a_c_long():
    with pytest.raises(InputError, match=r"^epochs must be a positive integer <= 2\*\*63 - 1"):
        check_positive_int("epochs", 2**63)
    with pytest.raises(InputError, match=r"^warmup must be an integer in \[0, 2\*\*63 - 1\]"):
        check_int("warmup", 2**63, minimum=0)
    assert check_int("n", -(2**63)) == -(2**63)


ordinary = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(ordinary, st.floats(1e200, 1.7e308), ordinary), min_size=3, max_size=12))
def test_huge_columns_standardise_without_overflow(rows):
    """NOTE [huge columns]: finite, centred, unit spread; ordinary columns as before."""
    X = np.array(rows, dtype=np.float64)
    X[0, 1] = -X[0, 1]  # spread the huge column across zero, its naive variance is inf
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow is harmless
        Z, scaling = standardize(X)
        again = apply_scaling(X, scaling)
    assert np.isfinite(Z).all() and np.isfinite(scaling["std"]).all()
    assert abs(Z[:, 1].mean()) < 1e-9 and abs(Z[:, 1].std() - 1) < 1e-9
    np.testing.assert_allclose(again, Z, rtol=1e-12, atol=1e-12)
    plain = np.delete(X, 1, axis=1)
    expected = (plain - plain.mean(axis=0)) / np.where(plain.std(axis=0) > 0, plain.std(axis=0), 1)
    np.testing.assert_allclose(np.delete(Z, 1, axis=1), expected, rtol=1e-12, atol=1e-12)


def test_ordinary_data_standardises_as_before():
    X = np.random.default_rng(0).standard_normal((50, 4)) * [1, 10, 1e3, 1e100]
    Z, scaling = standardize(X)
    mean, std = X.mean(axis=0), X.std(axis=0)
    np.testing.assert_array_equal(Z, (X - mean) / std)
    assert scaling == {"mean": mean.tolist(), "std": std.tolist()}


FULL = {
    "format": 1, "config": None, "finished": False, "model": {}, "optimizer": {},
    "scheduler": None, "rng": {}, "history": {}, "state": {},
}  # fmt: skip


@pytest.mark.parametrize("missing", sorted(FULL))
def test_checkpoint_missing_a_key_is_named(tmp_path, missing):
    path = tmp_path / "checkpoint.pt"
    torch.save({k: v for k, v in FULL.items() if k != missing}, path)
    with pytest.raises(InputError) as caught:
        load_checkpoint(path)
    assert str(caught.value) == (
        f"checkpoint {path} is not a descentlab checkpoint (missing {missing!r})"
    )


def test_complete_checkpoint_loads(tmp_path):
    torch.save(FULL, tmp_path / "c.pt")
    assert load_checkpoint(tmp_path / "c.pt")["finished"] is False


class _Payload:
    def __reduce__(self):
        return (print, ("unpickled!",))


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00" * 10, np.random.default_rng(1).bytes(2048), pickle.dumps(_Payload())],
    ids=["empty", "zeros", "random", "foreign-pickle"],
)
def test_unreadable_checkpoint_names_the_file_safely(tmp_path, content, capsys):
    path = tmp_path / "checkpoint.pt"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_checkpoint(path)
    message = str(caught.value)
    assert message.startswith(f"checkpoint {path} is not a descentlab checkpoint (")
    assert "weights_only" not in message
    assert "unpickled!" not in capsys.readouterr().out  # nothing in the file ran


def test_checkpoint_path_must_be_a_file(tmp_path):
    (tmp_path / "checkpoint.pt").mkdir()
    with pytest.raises(InputError, match=r"checkpoint must be a file, got .* \(a folder\)"):
        check_checkpoint_path(tmp_path / "checkpoint.pt")
    assert check_checkpoint_path(tmp_path / "new.pt") == tmp_path / "new.pt"


@pytest.mark.parametrize("name", list(CATALOG))
def test_default_runs_need_little_memory(name):
    config = get_experiment(name).config_type()
    assert 0 < experiment_bytes(name, config) < 256 * 2**20


def test_default_training_needs_little_memory():
    assert 0 < training_bytes(TrainConfig()) < 64 * 2**20


def test_memory_refusal_names_the_setting_the_estimate_and_the_limit():
    config = TrainConfig(layers=(100_000_000,))
    with pytest.raises(InputError) as caught:
        check_memory(config, training_bytes, 2**30, spell=lambda f: f"--{f}")
    message = str(caught.value)
    assert message.startswith("--layers must keep the run's memory estimate within the limit")
    assert "got '100000000'" in message and "the limit is 1 GiB" in message
    assert check_memory(TrainConfig(), training_bytes, None) > 0  # unknown limit: no check


def test_memory_refusal_blames_the_largest_term():
    experiment = get_experiment("minibatch-sgd")
    config = experiment.config_type(epochs=10**12, n_samples=200)
    with pytest.raises(InputError, match=r"^epochs must keep"):
        check_memory(config, lambda c: experiment_bytes("minibatch-sgd", c), 2**30)


def test_format_bytes():
    assert format_bytes(512) == "512 B"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(3 * 2**60) == "3 EiB"
    assert format_bytes(10**30) == "1e+30 B"
