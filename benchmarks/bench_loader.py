"""Loading in memory: PyTorch's ``DataLoader(TensorDataset, shuffle=True)``, a custom map-style
``Dataset``, manual slicing of a permuted index, descentlab's fast loader and a ``tf.data`` pipeline
(the ``tfdata`` kind: the same epoch permutation fed as indices, gather, prefetch, batches handed
over as torch tensors through DLPack), at batch 32 and 256, side by side in one process, measured
two ways.

1. Loading only, in steady state: a never-ending stream of epochs (each epoch's permutation
   included at its true rate), from which every timed call takes the next ``samples // batch``
   batches; the median of several such calls (after a warm-up) gives batches/s.
   Target: the fast loader loads ≥ 20× the batches/s of ``DataLoader(TensorDataset,
   shuffle=True)``, and at least the batches/s of the ``tf.data`` pipeline (a ratio ≥ 1).
2. What the loader costs a training epoch, decomposed as the ``loaders`` experiment does
   (``measure_overhead``, NOTE [loader overhead]): per round, one epoch through the loader alone
   (batches delivered and touched), one feeding a linear-model SGD step per batch, and one of the
   step over that loader's batches made beforehand; medians side by side, and the loader's share
   (loading only / loading + step, the median of the rounds' ratios). Target: the fast loader
   takes ≤ 25 % of a training epoch; for the others the only bound is the consistency one, ≤ 1
   (loading alone cannot outlast loading plus the step).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator
from itertools import islice

import torch
from torch.utils.data import DataLoader, TensorDataset

from descentlab.experiments.batching_lab import LinearSGD, measure_overhead
from descentlab.loading import make_loader
from descentlab.measure import time_repeated
from harness import Benchmark, Case, Ratio

BATCH_SIZES = (32, 256)
TARGET = 20.0
FAST = "fast (descentlab)"
BASELINE = "DataLoader(TensorDataset, shuffle=True)"
TF_DATA = "tf.data (gather + prefetch, to torch)"
SHARE_TARGET = 0.25
"""The fast loader's share of a training epoch of a linear model (NOTE [loader overhead])."""


def endless(loader: Iterable) -> Iterator:
    """Epoch after epoch of ``loader``'s batches."""
    while True:
        yield from loader


def loaders(X: torch.Tensor, y: torch.Tensor, batch_size: int) -> dict[str, Iterable]:
    torch_loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    return {
        BASELINE: torch_loader,
        "custom Dataset (DataLoader)": make_loader("dataset", X, y, batch_size, seed=0),
        "manual (sliced permutation)": make_loader("manual", X, y, batch_size, seed=0),
        FAST: make_loader("fast", X, y, batch_size, seed=0),
        TF_DATA: make_loader("tfdata", X, y, batch_size, seed=0),
    }


def loading_only(
    X, y, batch_size: int, samples: int, repeat: int
) -> tuple[list[Case], list[Ratio]]:
    count = samples // batch_size
    cases, rates = [], {}
    for name, loader in loaders(X, y, batch_size).items():
        stream = endless(loader)

        def take(stream: Iterator = stream, count: int = count) -> None:
            for _ in islice(stream, count):
                pass

        timing = time_repeated(take, repeat=repeat, warmup=1)
        rates[name] = timing.rate(count)
        cases.append(
            Case(
                name=f"{name} @ batch {batch_size}",
                median_s=timing.median / count,
                rate=rates[name],
                rate_unit="batches/s",
                detail={
                    "batch_size": batch_size,
                    "batches_per_call": count,
                    "samples_per_s": rates[name] * batch_size,
                    "timing": timing.as_dict(),
                },
            )
        )
    ratios = [
        Ratio(
            name=f"fast/DataLoader @ batch {batch_size}",
            value=rates[FAST] / rates[BASELINE],
            target=TARGET,
            higher_is_better=True,
            meaning="batches/s of the fast loader over DataLoader(TensorDataset, shuffle=True)",
        ),
        Ratio(
            name=f"fast/tf.data @ batch {batch_size}",
            value=rates[FAST] / rates[TF_DATA],
            target=1.0,
            higher_is_better=True,
            meaning="batches/s of the fast loader over the tf.data pipeline (tfdata kind)",
        ),
    ]
    return cases, ratios


def decomposed(X, y, batch_size: int, repeat: int) -> tuple[list[Case], list[Ratio]]:
    """Loading only, loading + step and step only per epoch of ``len(X)`` samples; the shares."""
    cases, ratios = [], []
    for name, loader in loaders(X, y, batch_size).items():
        measured = measure_overhead(
            loader,
            lambda: LinearSGD(X.shape[1], 1e-3, seed=0, device=torch.device("cpu")),
            repeat=repeat,
        )
        epochs = len(loader)
        for part, timing in (
            ("loading only", measured.load),
            ("loading + step", measured.train),
            ("step over pre-made batches", measured.compute),
        ):
            cases.append(
                Case(
                    name=f"{name} @ batch {batch_size}: {part}",
                    median_s=timing.median,
                    rate=timing.rate(epochs),
                    rate_unit="batches/s",
                    detail={"batch_size": batch_size, "per": "epoch", "timing": timing.as_dict()},
                )
            )
        fast = name == FAST
        ratios.append(
            Ratio(
                name=f"loader share: {name} @ batch {batch_size}",
                value=statistics.median(measured.shares),
                target=SHARE_TARGET if fast else 1.0,
                higher_is_better=False,
                meaning="loading-only epoch / loading + step epoch, median of the rounds",
            )
        )
    return cases, ratios


def run(quick: bool, smoke: bool = False) -> Benchmark:
    rows, features = (4_096 if smoke else 200_000), 16
    samples = 1_024 if smoke else 16_384 if quick else 65_536
    epoch_rows = 512 if smoke else 4_096 if quick else 16_384
    repeat = 1 if smoke else 3 if quick else 5
    torch.manual_seed(0)
    X, y = torch.randn(rows, features), torch.randn(rows, 1)
    cases: list[Case] = []
    ratios: list[Ratio] = []
    for batch_size in BATCH_SIZES:
        more, pair = loading_only(X, y, batch_size, samples, repeat)
        cases += more
        ratios += pair
    for batch_size in BATCH_SIZES:
        more, shares = decomposed(X[:epoch_rows], y[:epoch_rows], batch_size, repeat)
        cases += more
        ratios += shares
    setting = (
        f"in-memory float32 {rows:,} x {features}: loading only, batch {BATCH_SIZES}, "
        f"{samples:,} samples per timed call, median of {repeat}, median_s per batch; then a "
        f"training epoch of {epoch_rows:,} rows decomposed (median_s per epoch)"
    )
    return Benchmark("loader", setting, cases, ratios)
