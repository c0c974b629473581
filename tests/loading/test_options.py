"""The options every kind shares: drop_last, workers, pin_memory, collate_fn, device, and the
checks on every argument (one message shape: ``<name> must be <rule>, got <value>``)."""

from __future__ import annotations

import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from descentlab.loading import IN_MEMORY_KINDS, LOADER_KINDS, make_loader


def hundred(kind: str, tmp_path, batch_size: int, **options):
    """100 samples (y = sample index) for ``kind``, written to files for the on-disk kinds."""
    X = np.arange(200, dtype=np.float32).reshape(100, 2)
    y = np.arange(100, dtype=np.float32).reshape(100, 1)
    if kind == "npy":
        np.save(tmp_path / "X.npy", X)
        np.save(tmp_path / "y.npy", y)
        return make_loader(kind, tmp_path / "X.npy", tmp_path / "y.npy", batch_size, **options)
    if kind == "parquet":
        columns = {"x0": X[:, 0], "x1": X[:, 1], "target": y[:, 0]}
        path = tmp_path / "d.parquet"
        pq.write_table(pa.table(columns), path, row_group_size=16)
        return make_loader(kind, path, "target", batch_size, **options)
    return make_loader(kind, X, y, batch_size, **options)


@pytest.mark.parametrize("kind", LOADER_KINDS)
def test_drop_last_100_samples_at_batch_30(kind, tmp_path):
    kept = hundred(kind, tmp_path, 30, seed=0)
    dropped = hundred(kind, tmp_path, 30, seed=0, drop_last=True)
    assert len(kept) == 4 and len(dropped) == 3
    for _ in range(2):  # every epoch, not just the first
        assert [len(xb) for xb, _ in kept] == [30, 30, 30, 10]
        assert [len(xb) for xb, _ in dropped] == [30, 30, 30]
    seen = torch.cat([yb.ravel() for _, yb in kept]).sort().values
    assert torch.equal(seen, torch.arange(100.0))  # kept: every sample once per epoch


@pytest.mark.parametrize("kind", ["dataloader", "dataset"])
def test_batches_do_not_depend_on_the_worker_count(kind, samples):
    serial = make_loader(kind, *samples, 8, seed=2, num_workers=0)
    parallel = make_loader(kind, *samples, 8, seed=2, num_workers=2)
    for _ in range(2):  # two epochs: the second order must match too
        pairs = list(zip(parallel, serial, strict=True))
        assert len(pairs) == 7
        for (xb, yb), (xr, yr) in pairs:
            assert torch.equal(xb, xr) and torch.equal(yb, yr)


def collate_with_worker_seed(samples):
    info = torch.utils.data.get_worker_info()
    xs, ys = zip(*samples, strict=True)
    return torch.stack(xs), torch.stack(ys), info.id, info.seed, np.random.randint(1 << 30)


def test_each_worker_is_seeded_distinctly_and_reproducibly(samples):
    def seeds(seed):
        loader = make_loader(
            "dataset", *samples, 5, seed=seed, num_workers=2, collate_fn=collate_with_worker_seed
        )
        return {(worker, torch_seed, numpy_draw) for *_, worker, torch_seed, numpy_draw in loader}

    first = seeds(9)
    assert {worker for worker, _, _ in first} == {0, 1}
    by_worker = {worker: (s, d) for worker, s, d in first}
    assert by_worker[0] != by_worker[1]  # distinct torch seeds and NumPy streams per worker
    assert seeds(9) == first  # and the same again for the same seed
    assert seeds(10) != first


def sum_collate(samples):
    xs, ys = zip(*samples, strict=True)
    return torch.stack(xs).sum(0), torch.stack(ys).sum(0), len(samples)


@pytest.mark.parametrize("kind", LOADER_KINDS)
def test_collate_fn_gets_the_samples_for_every_kind(kind, tmp_path):
    batches = list(hundred(kind, tmp_path, 30, shuffle=False, collate_fn=sum_collate))
    assert [count for *_, count in batches] == [30, 30, 30, 10]
    assert [float(ys.sum()) for _, ys, _ in batches] == [435.0, 1335.0, 2235.0, 945.0]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without CUDA")
@pytest.mark.parametrize("kind", LOADER_KINDS)
def test_pin_memory_without_cuda_warns_and_loads(kind, tmp_path):
    with pytest.warns(RuntimeWarning, match="pin_memory=True has no effect without CUDA"):
        loader = hundred(kind, tmp_path, 30, pin_memory=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning from DataLoader while loading
        assert [len(xb) for xb, _ in loader] == [30, 30, 30, 10]


def test_pin_memory_is_refused_for_data_already_on_cuda(options):
    with pytest.raises(ValueError, match=r"^pin_memory must be False for data already on cuda:0"):
        options(4, pin_memory=True, data_device=torch.device("cuda:0"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("kind", IN_MEMORY_KINDS)
def test_cuda_batches_match_cpu_batches(kind, samples):
    cpu = list(make_loader(kind, *samples, 8, seed=1))
    moved = list(make_loader(kind, *samples, 8, seed=1, device="cuda", pin_memory=True))
    on_gpu = list(make_loader("fast", samples[0].cuda(), samples[1].cuda(), 8, seed=1))
    for (xc, yc), (xm, _), (xg, yg) in zip(cpu, moved, on_gpu, strict=True):
        assert xm.is_cuda and xg.is_cuda
        assert torch.equal(xm.cpu(), xc) and torch.equal(xg.cpu(), xc) and torch.equal(yg.cpu(), yc)
    with pytest.raises(ValueError, match="pin_memory must be False for data already on cuda"):
        make_loader(kind, samples[0].cuda(), samples[1].cuda(), 8, pin_memory=True)


@pytest.mark.parametrize("kind", IN_MEMORY_KINDS)
def test_device_cpu_and_numpy_inputs(kind):
    X = np.arange(12, dtype=np.float64).reshape(6, 2)
    y = np.arange(6)
    ((xb, yb),) = list(make_loader(kind, X, y, 6, shuffle=False, device="cpu"))
    assert xb.dtype == torch.float64 and yb.dtype == torch.int64
    assert np.array_equal(xb.numpy(), X) and np.array_equal(yb.numpy(), y)


X4, Y4 = torch.zeros(10, 2), torch.zeros(10)
BAD = [
    ({"kind": "lazy"}, ValueError, r"^kind must be one of 'manual', .*got 'lazy'$"),
    ({"batch_size": 0}, ValueError, r"^batch_size must be a positive integer, got 0$"),
    ({"batch_size": 2.5}, TypeError, r"^batch_size must be a positive integer, got 2.5$"),
    (
        {"batch_size": 11, "drop_last": True},
        ValueError,
        r"^batch_size must be at most the number of samples when drop_last=True .*got batch_size=11 for 10 samples$",
    ),
    ({"shuffle": 1}, TypeError, r"^shuffle must be True or False, got 1$"),
    ({"drop_last": "yes"}, TypeError, r"^drop_last must be True or False, got 'yes'$"),
    ({"pin_memory": None}, TypeError, r"^pin_memory must be True or False, got None"),
    ({"seed": -1}, ValueError, r"^seed must be an integer in \[0, 2\*\*63 - 1\], got -1$"),
    ({"seed": 1.0}, TypeError, r"^seed must be an integer in \[0, 2\*\*63 - 1\], got 1.0$"),
    ({"generator": 3}, TypeError, r"^generator must be a torch.Generator or None, got 3$"),
    (
        {"seed": 1, "generator": torch.Generator()},
        ValueError,
        r"^seed must be None when a generator is given .*got 1$",
    ),
    ({"num_workers": -1}, ValueError, r"^num_workers must be an integer >= 0, got -1$"),
    ({"num_workers": True}, TypeError, r"^num_workers must be an integer >= 0, got True \(bool\)$"),
    (
        {"num_workers": 2, "kind": "fast"},
        ValueError,
        r"^num_workers must be 0 for loader kind 'fast' .*got 2$",
    ),
    (
        {"num_workers": 1, "kind": "manual"},
        ValueError,
        r"^num_workers must be 0 for loader kind 'manual'",
    ),
    ({"collate_fn": "stack"}, TypeError, r"^collate_fn must be callable or None, got 'stack'$"),
    (
        {"device": "gpu"},
        ValueError,
        r"^device must be a torch device name such as 'cpu' or 'cuda', got 'gpu'$",
    ),
    ({"device": 0}, TypeError, r"^device must be None, a string or a torch.device, got 0$"),
    (
        {"X": [[1.0]]},
        TypeError,
        r"^X must be a torch tensor or a NumPy array, got \[\[1.0\]\] \(list\)$",
    ),
    (
        {"X": torch.zeros(0, 2), "y": torch.zeros(0)},
        ValueError,
        r"^X must hold at least one sample along its first axis, got shape \(0, 2\)$",
    ),
    (
        {"X": torch.tensor(1.0)},
        ValueError,
        r"^X must hold at least one sample along its first axis, got shape \(\)$",
    ),
    (
        {"X": np.array([["a"], ["b"]])},
        TypeError,
        r"^X must hold numbers, got array of shape \(2, 1\)",
    ),
    (
        {"y": torch.zeros(9)},
        ValueError,
        r"^X and y must have the same number of rows, got 10 and 9$",
    ),
    ({"kind": "npy", "X": 3}, TypeError, r"^X must be a path to a .npy file, got 3$"),
    (
        {"kind": "npy", "X": "missing.npy"},
        FileNotFoundError,
        r"^X must be an existing file, got 'missing.npy'$",
    ),
    ({"kind": "npy", "X": "data.csv"}, ValueError, r"^X must be a .npy file, got 'data.csv'$"),
    (
        {"kind": "parquet", "X": "missing.parquet"},
        FileNotFoundError,
        r"^X must be an existing file",
    ),
]
if not torch.cuda.is_available():
    BAD.append(
        (
            {"device": "cuda"},
            ValueError,
            r"^device must be available on this machine, got 'cuda' \(no CUDA\)$",
        )
    )


@pytest.mark.parametrize(
    ("change", "error", "message"),
    BAD,
    ids=[f"{i}:{','.join(c)}" for i, (c, _, _) in enumerate(BAD)],
)
def test_bad_arguments_are_refused_with_the_project_message(change, error, message):
    arguments = {"kind": "fast", "X": X4, "y": Y4, "batch_size": 4} | change
    with pytest.raises(error, match=message):
        make_loader(**arguments)
