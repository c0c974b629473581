"""``epoch_stream``: the ``tf.data`` pipeline Keras ``fit`` reads in ``keras-dense`` — a new seeded
permutation each epoch, the same batches as the lab's loaders for the seed, every pass the same."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from descentlab.loading import make_loader
from descentlab.loading.tf_data import epoch_stream
from descentlab.validation import InputError

X = np.arange(46, dtype=np.float32).reshape(23, 2)
Y = np.arange(23, dtype=np.float32).reshape(23, 1)


def batches(stream) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(xb.numpy(), yb.numpy()) for xb, yb in stream]


@pytest.mark.parametrize(("batch_size", "drop_last"), [(5, False), (5, True), (23, False)])
def test_epochs_equal_the_fast_loaders_and_every_pass_replays(batch_size, drop_last):
    stream = epoch_stream(X, Y, batch_size, epochs=3, seed=7, drop_last=drop_last)
    got = batches(stream)
    fast = make_loader("fast", torch.from_numpy(X), torch.from_numpy(Y), batch_size, seed=7,
                       drop_last=drop_last)  # fmt: skip
    expected = [(xb.numpy(), yb.numpy()) for _ in range(3) for xb, yb in fast]
    assert len(got) == len(expected) == 3 * len(fast)
    for (xa, ya), (xb, yb) in zip(got, expected, strict=True):
        assert np.array_equal(xa, xb) and np.array_equal(ya, yb)
    again = batches(stream)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(got, again, strict=True))
    per = len(fast)
    first = np.concatenate([x[:, 0] for x, _ in got[:per]])
    second = np.concatenate([x[:, 0] for x, _ in got[per : 2 * per]])
    if batch_size < len(X):
        assert not np.array_equal(first, second)  # a new order each epoch, not re-seeded


def test_each_epoch_sees_every_row_once_and_other_seeds_differ():
    got = batches(epoch_stream(X, Y, 4, epochs=2, seed=1))
    rows = np.concatenate([y[:, 0] for _, y in got[:6]])
    assert sorted(rows.tolist()) == list(range(23))
    other = batches(epoch_stream(X, Y, 4, epochs=2, seed=2))
    assert not np.array_equal(got[0][1], other[0][1])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"epochs": 0}, "epochs"), ({"seed": -1}, "seed"), ({"prefetch": -1}, "prefetch")],
)
def test_bad_arguments_are_named(kwargs, name):
    options = {"epochs": 1, "seed": 0, **kwargs}
    with pytest.raises(InputError, match=name):
        epoch_stream(X, Y, 4, **options)
    with pytest.raises(InputError, match="same positive number of rows"):
        epoch_stream(X, Y[:5], 4, epochs=1, seed=0)
