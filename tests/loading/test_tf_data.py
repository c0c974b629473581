"""The ``tf.data`` kind (``"tfdata"``): the same batches as the permutation kinds for a seed, from
memory, ``.npy`` and Parquet (NOTE [tf.data order]); the ``Dataset.shuffle`` order deterministic
for a seed but its own; the options checked; TensorFlow silent and imported only when used.

TensorFlow is imported once per test process (a few seconds); the data are tiny."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from descentlab.loading import make_loader
from descentlab.loading.tf_data import TFDataLoader, tf_source


def epochs(loader, count: int = 2) -> list[list[tuple[torch.Tensor, torch.Tensor]]]:
    return [[(xb.clone(), yb.clone()) for xb, yb in loader] for _ in range(count)]


def assert_same(a, b) -> None:
    assert [len(epoch) for epoch in a] == [len(epoch) for epoch in b]
    for epoch_a, epoch_b in zip(a, b, strict=True):
        for (xa, ya), (xb, yb) in zip(epoch_a, epoch_b, strict=True):
            assert torch.equal(xa, xb) and torch.equal(ya, yb)


def first_column(epoch) -> list[float]:
    return [value for xb, _ in epoch for value in xb[:, 0].tolist()]


@pytest.mark.parametrize(("batch_size", "drop_last"), [(8, False), (8, True), (53, False)])
def test_batches_equal_the_fast_loaders_for_the_same_seed(samples, batch_size, drop_last):
    made = make_loader("tfdata", *samples, batch_size, seed=4, drop_last=drop_last)
    fast = make_loader("fast", *samples, batch_size, seed=4, drop_last=drop_last)
    assert len(made) == len(fast)
    tf_epochs = epochs(made, 3)
    assert_same(tf_epochs, epochs(fast, 3))
    assert all(xb.dtype == torch.float32 and isinstance(xb, torch.Tensor) for xb, _ in tf_epochs[0])
    if batch_size < 53:
        assert first_column(tf_epochs[0]) != first_column(tf_epochs[1])  # reshuffled per epoch


def test_unaligned_numpy_arrays_are_copied_not_shared(samples):
    """NOTE [aligned sharing]: a gather over memory that is not 64-byte aligned aborts TensorFlow
    (the whole process); such arrays are copied."""
    storage = np.empty(53 * 4 + 1, dtype=np.float32)[1:]  # 4 bytes past an aligned start
    X = storage.reshape(53, 4)
    X[:] = samples[0].numpy()
    assert X.ctypes.data % 64 != 0
    made = make_loader("tfdata", X, samples[1].numpy(), 8, seed=7)
    assert_same(epochs(made), epochs(make_loader("fast", *samples, 8, seed=7)))


def test_no_shuffle_and_parallel_gathers_keep_the_order(samples):
    ordered = epochs(make_loader("tfdata", *samples, 10, shuffle=False), 1)
    assert first_column(ordered[0]) == [float(i) for i in range(53)]
    serial = make_loader("tfdata", *samples, 8, seed=1)
    parallel = TFDataLoader(
        tf_source(*samples, make_loader("fast", *samples, 8, seed=1).options),
        make_loader("fast", *samples, 8, seed=1).options,
        num_parallel_calls="autotune",
        prefetch=0,
    )
    assert_same(epochs(parallel), epochs(serial))


def test_a_saved_generator_state_resumes_the_sequence_of_orders(samples):
    loader = make_loader("tfdata", *samples, 8, seed=6)
    list(loader)
    state = loader.generator.get_state()
    expected = epochs(loader)
    resumed = make_loader("tfdata", *samples, 8, generator=torch.Generator().set_state(state))
    assert_same(epochs(resumed), expected)


def test_npy_files_give_the_npy_loaders_batches_and_cache_reads_them_once(npy_pair, samples):
    from_files = make_loader("tfdata", *npy_pair, 8, seed=2)
    reference = epochs(make_loader("npy", *npy_pair, 8, seed=2))
    assert_same(epochs(from_files), reference)
    assert_same(reference, epochs(make_loader("fast", *samples, 8, seed=2)))
    options = make_loader("fast", *samples, 8, seed=2).options
    with TFDataLoader(tf_source(*npy_pair, options), options, cache=True) as cached:
        assert_same(epochs(cached), reference)
    from_files.close()


def test_a_parquet_file_read_whole_gives_the_permutation_order(parquet_file, samples):
    X, y = samples
    made = make_loader("tfdata", parquet_file, "target", 8, seed=5)
    assert_same(epochs(made), epochs(make_loader("fast", X, y, 8, seed=5)))


def test_dataset_shuffle_order_is_deterministic_for_a_seed_but_its_own(samples):
    def shuffled(seed: int, **options) -> TFDataLoader:
        checked = make_loader("fast", *samples, 8, seed=seed).options
        return TFDataLoader(tf_source(*samples, checked), checked, order="shuffle", **options)

    one, again = epochs(shuffled(3, cache=True)), epochs(shuffled(3))
    assert_same(one, again)  # a new loader with the same seed replays the same epochs
    assert first_column(one[0]) != first_column(one[1])  # reshuffled each epoch
    for epoch in one:
        assert sorted(first_column(epoch)) == [float(i) for i in range(53)]
        assert [len(xb) for xb, _ in epoch] == [8] * 6 + [5]
    assert first_column(epochs(shuffled(4), 1)[0]) != first_column(one[0])
    permutation = epochs(make_loader("fast", *samples, 8, seed=3), 1)
    assert first_column(one[0]) != first_column(permutation[0])  # NOTE [tf.data order]
    small_buffer = shuffled(3, shuffle_buffer=10)  # a partial shuffle: still every sample once
    assert sorted(first_column(epochs(small_buffer, 1)[0])) == [float(i) for i in range(53)]


BAD = [
    ({"order": "random"}, ValueError, r"^order must be one of 'permutation', 'shuffle', got"),
    ({"prefetch": -1}, ValueError, r"^prefetch must be an integer >= 0, got -1$"),
    ({"cache": "yes"}, TypeError, r"^cache must be"),
    ({"shuffle_buffer": 0}, ValueError, r"^shuffle_buffer must be a positive integer, got 0$"),
    ({"num_parallel_calls": 0}, ValueError, r"^num_parallel_calls must be a positive integer"),
    ({"num_parallel_calls": "many"}, ValueError, r"^num_parallel_calls must be one of"),
    ({"num_parallel_calls": 1.5}, TypeError, r"^num_parallel_calls must be None, a positive"),
]


@pytest.mark.parametrize(("changes", "error", "message"), BAD)
def test_bad_options_are_input_errors(samples, changes, error, message):
    from descentlab.validation import InputError

    options = make_loader("fast", *samples, 8).options
    with pytest.raises(error, match=message) as raised:
        TFDataLoader(tf_source(*samples, options), options, **changes)
    assert isinstance(raised.value, InputError)


def test_bad_sources_name_the_argument(tmp_path, samples, parquet_file):
    from descentlab.validation import InputError

    with pytest.raises(FileNotFoundError, match=r"^X must be an existing file"):
        make_loader("tfdata", tmp_path / "missing.npy", tmp_path / "y.npy", 8)
    with pytest.raises(InputError, match=r"^y must be one of the file's columns"):
        make_loader("tfdata", parquet_file, "nope", 8)
    with pytest.raises(InputError, match=r"^num_workers must be 0 for loader kind 'tfdata'"):
        make_loader("tfdata", *samples, 8, num_workers=1)
    np.save(tmp_path / "short.npy", np.zeros((5, 1), np.float32))
    np.save(tmp_path / "X.npy", samples[0].numpy())
    with pytest.raises(InputError, match=r"^X and y must have the same number of rows"):
        make_loader("tfdata", tmp_path / "X.npy", tmp_path / "short.npy", 8)


NO_TF = """
import sys, torch
from descentlab.loading import make_loader
from descentlab.experiments import batching_lab
batches = list(make_loader("fast", torch.zeros(10, 2), torch.zeros(10, 1), 4))
print(len(batches), "tensorflow" in sys.modules)
"""


def test_other_kinds_never_import_tensorflow():
    done = subprocess.run(
        [sys.executable, "-c", NO_TF], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["3", "False"]


@pytest.mark.slow
def test_the_loaders_experiment_measures_tfdata_beside_fast_silently(tmp_path):
    """Through the CLI with warnings as errors: no TensorFlow line on stderr, tfdata measured
    side by side with the fast loader and its batches equal to the fast loader's."""
    command = [sys.executable, "-W", "error", "-m", "descentlab", "run", "loaders"]
    for setting in ("kinds=fast,tfdata", "repeat=1", "n_samples=200", "batch_sizes=16,64"):
        command += ["--set", setting]
    done = subprocess.run(
        [*command, "--out", str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "equal seeds give equal batches and weights: yes" in done.stdout
    results = json.loads((tmp_path / "loaders" / "results.json").read_text())
    runs = {(run["kind"], run["batch_size"]): run for run in results["runs"]}
    assert set(runs) == {(kind, size) for kind in ("fast", "tfdata") for size in (16, 64)}
    for run in runs.values():
        assert run["load_s"] > 0 and run["train_s"] > 0 and run["compute_s"] > 0
    assert results["batch_order"]["same_batches"]
    assert results["drop_last_example"]["batches"]["tfdata"]["drop_last=True"] == 3
