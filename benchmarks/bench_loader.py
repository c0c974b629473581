"""Loading only, in memory: batches per second of PyTorch's ``DataLoader(TensorDataset,
shuffle=True)``, a custom map-style ``Dataset``, manual slicing of a permuted index, and
descentlab's fast loader, at batch 32 and 256, side by side in one process.

Each case is timed in steady state: a never-ending stream of epochs (each epoch's permutation
included at its true rate), from which every timed call takes the next ``samples // batch``
batches; the median of several such calls (after a warm-up) gives batches/s.
Target: the fast loader loads ≥ 20× the batches/s of ``DataLoader(TensorDataset, shuffle=True)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import torch
from torch.utils.data import DataLoader, TensorDataset

from descentlab.loading import make_loader
from descentlab.measure import time_repeated
from harness import Benchmark, Case, Ratio

BATCH_SIZES = (32, 256)
TARGET = 20.0


def endless(loader: Iterable) -> Iterator:
    """Epoch after epoch of ``loader``'s batches."""
    while True:
        yield from loader


def loaders(X: torch.Tensor, y: torch.Tensor, batch_size: int) -> dict[str, Iterable]:
    torch_loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    return {
        "DataLoader(TensorDataset, shuffle=True)": torch_loader,
        "custom Dataset (DataLoader)": make_loader("dataset", X, y, batch_size, seed=0),
        "manual (sliced permutation)": make_loader("manual", X, y, batch_size, seed=0),
        "fast (descentlab)": make_loader("fast", X, y, batch_size, seed=0),
    }


def run(quick: bool) -> Benchmark:
    rows, features = 200_000, 16
    samples = 16_384 if quick else 65_536
    repeat = 3 if quick else 5
    torch.manual_seed(0)
    X, y = torch.randn(rows, features), torch.randn(rows, 1)
    cases: list[Case] = []
    ratios: list[Ratio] = []
    for batch_size in BATCH_SIZES:
        count = samples // batch_size
        rates = {}
        for name, loader in loaders(X, y, batch_size).items():
            stream = endless(loader)

            def take(stream: Iterator = stream, count: int = count) -> None:
                for _ in islice(stream, count):
                    pass

            timing = time_repeated(take, repeat=repeat, warmup=1)
            rate = timing.rate(count)
            rates[name] = rate
            cases.append(
                Case(
                    name=f"{name} @ batch {batch_size}",
                    median_s=timing.median / count,
                    rate=rate,
                    rate_unit="batches/s",
                    detail={
                        "batch_size": batch_size,
                        "batches_per_call": count,
                        "samples_per_s": rate * batch_size,
                        "timing": timing.as_dict(),
                    },
                )
            )
        baseline = rates["DataLoader(TensorDataset, shuffle=True)"]
        ratios.append(
            Ratio(
                name=f"fast/DataLoader @ batch {batch_size}",
                value=rates["fast (descentlab)"] / baseline,
                target=TARGET,
                higher_is_better=True,
                meaning="batches/s of the fast loader over DataLoader(TensorDataset, shuffle=True)",
            )
        )
    setting = (
        f"in-memory float32 {rows:,} x {features}, loading only, batch {BATCH_SIZES}, "
        f"{samples:,} samples per timed call, median of {repeat}; median_s is per batch"
    )
    return Benchmark("loader", setting, cases, ratios)
