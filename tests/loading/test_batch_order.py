"""THE property of the loading lab: equal seeds give every loader kind the same batches in the
same order, epoch after epoch, so a training trajectory is bit-identical whatever the loader."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import RandomSampler

from descentlab.loading import IN_MEMORY_KINDS, EpochBatches, EpochSampler, make_loader


def epochs(loader, count: int) -> list[list[tuple[torch.Tensor, torch.Tensor]]]:
    return [list(loader) for _ in range(count)]


def sample_ids(batches) -> list[list[int]]:
    return [xb[:, 0].long().tolist() for xb, _ in batches]


def build(kind, samples, npy_pair, batch_size, **options):
    if kind == "npy":
        return make_loader("npy", *npy_pair, batch_size, **options)
    return make_loader(kind, *samples, batch_size, **options)


ORDERED_KINDS = (*IN_MEMORY_KINDS, "npy")


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [1, 7, 53, 64])
def test_every_kind_yields_the_same_batches_for_equal_seeds(
    samples, npy_pair, batch_size, drop_last
):
    if drop_last and batch_size > 53:
        batch_size = 53
    runs = {
        kind: epochs(build(kind, samples, npy_pair, batch_size, seed=11, drop_last=drop_last), 3)
        for kind in ORDERED_KINDS
    }
    reference = runs["fast"]
    for kind, run in runs.items():
        assert len(run) == len(reference)
        for epoch, ref_epoch in zip(run, reference, strict=True):
            assert len(epoch) == len(ref_epoch), kind
            for (xb, yb), (xr, yr) in zip(epoch, ref_epoch, strict=True):
                assert isinstance(xb, torch.Tensor) and isinstance(yb, torch.Tensor)
                assert torch.equal(xb, xr) and torch.equal(yb, yr), kind


def test_each_epoch_draws_a_new_permutation_and_a_seed_replays_them(samples):
    first = [sample_ids(e) for e in epochs(make_loader("fast", *samples, 53, seed=4), 3)]
    again = [sample_ids(e) for e in epochs(make_loader("fast", *samples, 53, seed=4), 3)]
    other = [sample_ids(e) for e in epochs(make_loader("fast", *samples, 53, seed=5), 3)]
    assert first == again
    assert first[0] != first[1] != first[2] != first[0]  # never the same order re-seeded
    assert first != other
    for epoch in first:
        assert sorted(epoch[0]) == list(range(53))  # a permutation: every sample once


def test_the_first_epoch_is_the_order_torch_randomsampler_draws(samples):
    sampler = RandomSampler(range(53), generator=torch.Generator().manual_seed(8))
    ours = sample_ids(make_loader("manual", *samples, 53, seed=8))[0]
    assert ours == list(sampler)


def test_a_generator_gives_the_same_orders_as_its_seed_and_is_advanced(samples):
    generator = torch.Generator().manual_seed(21)
    given = [
        sample_ids(e) for e in epochs(make_loader("dataset", *samples, 10, generator=generator), 2)
    ]
    seeded = [sample_ids(e) for e in epochs(make_loader("fast", *samples, 10, seed=21), 2)]
    assert given == seeded
    assert not torch.equal(generator.get_state(), torch.Generator().manual_seed(21).get_state())


def test_without_shuffle_the_order_is_the_data_order(samples):
    for kind in IN_MEMORY_KINDS:
        ids = sample_ids(make_loader(kind, *samples, 10, shuffle=False))
        assert [i for batch in ids for i in batch] == list(range(53))


def train(loader, epochs_: int) -> tuple[torch.Tensor, list[float]]:
    torch.manual_seed(0)  # same initial weights for every kind
    model = torch.nn.Linear(4, 1)
    losses = []
    for _ in range(epochs_):
        for xb, yb in loader:
            model.zero_grad()
            loss = torch.nn.functional.mse_loss(model(xb / 53), yb)
            loss.backward()
            with torch.no_grad():  # plain SGD by hand (torch.optim's first import costs seconds)
                for parameter in model.parameters():
                    parameter -= 0.05 * parameter.grad
            losses.append(loss.item())
    return torch.cat([model.weight.detach().ravel(), model.bias.detach()]), losses


def test_training_trajectories_match_exactly_across_kinds(samples, npy_pair):
    results = {kind: train(build(kind, samples, npy_pair, 8, seed=3), 4) for kind in ORDERED_KINDS}
    weights, losses = results["dataloader"]
    assert len(losses) == 4 * 7 and losses[-1] < losses[0]
    for kind, (w, history) in results.items():
        assert torch.equal(w, weights), kind  # bit for bit, not approximately
        assert history == losses, kind
    other_seed, _ = train(make_loader("fast", *samples, 8, seed=4), 4)
    assert not torch.equal(other_seed, weights)  # the order matters, so the test can fail


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 70),
    batch_size=st.integers(1, 80),
    drop_last=st.booleans(),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_property_all_kinds_agree_with_the_batch_sampler(n, batch_size, drop_last, shuffle, seed):
    if drop_last and batch_size > n:
        batch_size = n
    X = torch.arange(float(n))[:, None]
    y = -X.ravel()
    expected_count = n // batch_size if drop_last else -(-n // batch_size)
    sampler = EpochSampler(n, shuffle=shuffle, generator=torch.Generator().manual_seed(seed))
    expected = [idx.tolist() for idx in EpochBatches(sampler, batch_size, drop_last=drop_last)]
    assert len(expected) == expected_count
    flat = [i for batch in expected for i in batch]
    assert len(set(flat)) == len(flat) == min(n, expected_count * batch_size)
    if not shuffle:
        assert flat == list(range(len(flat)))
    for kind in IN_MEMORY_KINDS:
        loader = make_loader(
            kind, X, y, batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed
        )
        got = [(xb[:, 0].long().tolist(), yb) for xb, yb in loader]
        assert len(loader) == expected_count
        assert [ids for ids, _ in got] == expected, kind
        assert all(torch.equal(yb, -torch.tensor(ids, dtype=yb.dtype)) for ids, yb in got)


def test_fast_loader_gathers_the_same_through_numpy_and_through_index_select(samples):
    X, y = samples
    through_numpy = make_loader("fast", X, y, 7, seed=2)
    through_torch = make_loader("fast", X.clone().requires_grad_(True), y, 7, seed=2)
    assert through_numpy._arrays is not None and through_torch._arrays is None
    for (xa, ya), (xb, yb) in zip(through_numpy, through_torch, strict=True):
        assert torch.equal(xa, xb.detach()) and torch.equal(ya, yb)
    half = [xb for xb, _ in make_loader("fast", X.to(torch.bfloat16), y, 7, seed=2)]
    assert all(xb.dtype == torch.bfloat16 for xb in half)
    assert torch.equal(
        torch.cat(half),
        X.to(torch.bfloat16)[torch.randperm(53, generator=torch.Generator().manual_seed(2))],
    )
