"""The sharded loader (NOTE [sharded batches]): the ranks' shards of each global batch are the
single process's batch, nothing padded or dropped, and the loss weights recover the global mean."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from descentlab.loading.shard import ShardLoader, check_divisible_batch
from descentlab.train.batch_source import make_train_loader
from descentlab.validation import InputError


def data(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.arange(n, dtype=torch.float32).reshape(n, 1)
    return X, X[:, 0].clone()


@given(
    n=st.integers(1, 70),
    world=st.integers(1, 4),
    per_rank=st.integers(1, 5),
    seed=st.integers(0, 2**31),
)
def test_shards_of_each_global_batch_are_the_single_process_batch(n, world, per_rank, seed):
    X, y = data(n)
    batch = world * per_rank
    alone = make_train_loader(X, y, batch, seed=seed)
    ranks = [ShardLoader(X, y, batch, seed=seed, rank=r, world_size=world) for r in range(world)]
    assert all(len(loader) == len(alone) for loader in ranks)
    for _epoch in range(2):  # a new permutation each epoch, the same on every side
        shards = [list(loader) for loader in ranks]
        for k, (xb, yb) in enumerate(alone, start=1):
            parts = [shards[r][k - 1] for r in range(world)]
            merged = torch.cat([p[0][:, 0] for p in parts])
            assert sorted(merged.tolist()) == sorted(xb[:, 0].tolist())
            assert torch.equal(torch.cat([p[1] for p in parts]).sort().values, yb.sort().values)
            sizes = [p[0].shape[0] for p in parts]
            assert max(sizes) - min(sizes) <= 1  # equal shards, the last batch off by one
            shares = [ranks[r].share(k, sizes[r]) for r in range(world)]
            assert sum(shares) == pytest.approx(world)  # Σ share·mean_r / N = global mean
            if xb.shape[0] == batch:
                assert shares == [1.0] * world


def test_batch_size_must_be_shared_equally():
    assert check_divisible_batch(12, 3) == 4
    with pytest.raises(InputError, match=r"batch_size must be a multiple of the number of "):
        check_divisible_batch(10, 3)
    X, y = data(10)
    with pytest.raises(InputError, match="rank must be below world_size 2, got 2"):
        ShardLoader(X, y, 4, seed=0, rank=2, world_size=2)
    with pytest.raises(InputError, match=r"X must be a torch\.Tensor"):
        ShardLoader(X.numpy(), y, 4, seed=0, rank=0, world_size=2)
