"""SPEC §2.9: batching methods compared — manual slicing, ``DataLoader`` over a ``TensorDataset``,
a custom ``Dataset``, the fast loader and a ``tf.data`` pipeline whose batches reach the step as
torch tensors, the conversion counted as loading — for each batch size:
time per epoch, the loader's overhead measured apart from the compute, peak memory measured, the
drop_last example and the proof that equal seeds give equal batches.

How each number is measured (``descentlab.measure``: CUDA synchronised; NOTE [loader
overhead]), per loader kind and batch size, as the median and the min/max of ``repeat`` rounds
after one untimed round:

* ``load_s``: one epoch through the loader alone, every batch delivered and touched, nothing
  computed on it. This *is* the loader's overhead: ``overhead_s`` is the same numbers;
* ``train_s``: one epoch of the same loader feeding a training step (linear model, MSE, plain
  SGD by autograd) per batch;
* ``compute_s``: the same training steps over one epoch of that loader's batches made beforehand
  (no loader);
* ``overhead_share``: ``load_s / train_s`` of each round, the loader's share of a training epoch;
* memory: one loading-only epoch inside ``PeakMemory`` (sampled RSS increase and the peak of
  Python-traced allocations), never a formula.

The model the loader fed trains on through every round: its per-step losses are the trial's
``train_loss``, and a non-finite loss (or weights) makes the trial ``diverged``, with the epoch,
step and rate in its message. The timings stay valid: the arithmetic is the same.

NOTE [loader overhead]: the loader's cost is measured, never subtracted. ``train - compute``
takes the difference of two noisy medians timed at different moments; when loading is cheap next
to the step, the difference is noise and comes out negative (−126 % was plotted), and on a busy
machine it measures whatever else ran in between. A loading-only epoch is a duration, positive by
construction. The three epochs are timed in alternating rounds, so a change in the machine's load
reaches all of them alike, and each round's share pairs two epochs timed back to back. Loading in
the process adds to compute (``load + compute ≈ train``); a ``DataLoader`` with workers loads while
the step runs, so its ``train`` can be below the sum: the figure shows both.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from descentlab.data import Dataset
from descentlab.divergence import Divergence
from descentlab.experiments.base import Experiment, Outcome
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import RegressionDataConfig, load_data
from descentlab.linear.inputs import check_lrate
from descentlab.loading import IN_MEMORY_KINDS, TF_KINDS, make_loader
from descentlab.measure import PeakMemory, Timing, time_call
from descentlab.store.records import TrialRecord
from descentlab.torch_device import resolve_device
from descentlab.validation import InputValueError, check_choice, check_int, check_positive_int

__all__ = [
    "DEVICES",
    "LAB_KINDS",
    "LinearSGD",
    "LoadersConfig",
    "Overhead",
    "measure_overhead",
    "run",
    "same_bits",
]

DEVICES = ("cpu", "cuda", "auto")
LAB_KINDS = IN_MEMORY_KINDS + TF_KINDS
"""Kinds the lab measures by default: the in-memory ones and the ``tf.data`` pipeline (which
imports TensorFlow, about 4 s of CPU the first time in a process; ``--set
kinds=manual,dataloader,dataset,fast`` leaves it out)."""
WARMUP = 1
"""Untimed rounds before the timed ones (first-call costs: allocator, autograd graph set-up)."""
DROP_LAST_EXAMPLE = (100, 30)
"""SPEC §2.9: 100 samples at batch 30 give 3 batches with drop_last and 4 without."""


@dataclass(frozen=True)
class LoadersConfig(RegressionDataConfig):
    backend: str = "torch"  # it times torch code; the numpy backend does not apply
    n_samples: int = 2048
    n_features: int = 16
    kinds: tuple[str, ...] = LAB_KINDS
    batch_sizes: tuple[int, ...] = (32, 256)
    repeat: int = 3
    lrate: float = 0.01
    num_workers: int = 0
    """Worker processes of the two ``DataLoader`` kinds (the others load in the process)."""
    device: str = "cpu"
    """Where batches go and the model trains: ``cpu``, ``cuda`` or ``auto`` (CUDA when present)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("backend", self.backend, ("torch",))
        check_positive_int("n_features", self.n_features)
        if not self.kinds:
            raise InputValueError("kinds must list at least one loader kind, got ()")
        for kind in self.kinds:
            check_choice("kinds", kind, LAB_KINDS)
        if not self.batch_sizes:
            raise InputValueError("batch_sizes must list at least one batch size, got ()")
        for size in self.batch_sizes:
            check_positive_int("batch_size", size)
        check_positive_int("repeat", self.repeat)
        check_lrate(self.lrate)
        check_int("num_workers", self.num_workers, minimum=0)
        check_choice("device", self.device, DEVICES)
        if self.device == "cuda" and not torch.cuda.is_available():
            raise InputValueError(
                "device must be 'cpu' or 'auto' on a machine without CUDA, got 'cuda'"
            )


def default_data(config: LoadersConfig) -> Dataset:
    return load_data(config, config.n_features)


class LinearSGD:
    """A linear model trained by plain SGD through autograd: the compute the loader feeds. Each
    step's loss is kept as a tensor (no device sync), read once the timing is over."""

    def __init__(self, n_features: int, lrate: float, seed: int, device: torch.device) -> None:
        generator = torch.Generator().manual_seed(seed)
        self.weight = (0.01 * torch.randn(n_features, 1, generator=generator)).to(device)
        self.bias = torch.zeros(1, device=device)
        self.weight.requires_grad_(True)
        self.bias.requires_grad_(True)
        self.lrate = lrate
        self.losses: list[torch.Tensor] = []

    def step(self, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        loss = torch.nn.functional.mse_loss(xb @ self.weight + self.bias, yb)
        loss.backward()
        with torch.no_grad():
            for parameter in (self.weight, self.bias):
                parameter -= self.lrate * parameter.grad
                parameter.grad = None
        loss = loss.detach()
        self.losses.append(loss)
        return loss

    def epoch(self, batches: Iterable) -> None:
        for xb, yb in batches:
            self.step(xb, yb)

    def parameters(self) -> torch.Tensor:
        return torch.cat([self.weight.detach().ravel(), self.bias.detach()]).cpu()

    def loss_history(self) -> np.ndarray:
        if not self.losses:
            return np.zeros(0)
        return torch.stack(self.losses).cpu().double().numpy()


def _touch(loader: Iterable) -> int:
    """One epoch of loading only: every batch delivered and touched (its rows counted), nothing
    computed on it; the samples seen."""
    samples = 0
    for xb, _ in loader:
        samples += len(xb)
    return samples


@dataclass(frozen=True)
class Overhead:
    """Seconds per epoch, one sample per round: through the loader only (``load``), the loader
    feeding the training step (``train``) and the same step over batches made beforehand
    (``compute``); ``trained`` is the model the loader fed, its losses the run's trajectory."""

    load: Timing
    train: Timing
    compute: Timing
    trained: LinearSGD

    @property
    def shares(self) -> tuple[float, ...]:
        """Loader-only time over loader+compute time, round by round."""
        return tuple(
            load / train for load, train in zip(self.load.samples, self.train.samples, strict=True)
        )


def measure_overhead(
    loader: Iterable,
    make_model: Callable[[], LinearSGD],
    *,
    repeat: int,
    warmup: int = 1,
    device: Any = None,
) -> Overhead:
    """What ``loader`` costs a training epoch, measured rather than subtracted (NOTE [loader
    overhead]): ``warmup`` untimed rounds, then ``repeat`` rounds each timing one epoch of
    loading only, one of loading + training step and one of the step over pre-made batches."""
    check_positive_int("repeat", repeat)
    check_int("warmup", warmup, minimum=0)
    batches = list(loader)  # one epoch of the same loader's batches, made beforehand
    trained, computed = make_model(), make_model()
    calls = {
        "load": lambda: _touch(loader),
        "train": lambda: trained.epoch(loader),
        "compute": lambda: computed.epoch(batches),
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for round_ in range(warmup + repeat):
        for name, call in calls.items():
            _, seconds = time_call(call, device=device)
            if round_ >= warmup:
                samples[name].append(seconds)
    return Overhead(
        load=Timing(tuple(samples["load"])),
        train=Timing(tuple(samples["train"])),
        compute=Timing(tuple(samples["compute"])),
        trained=trained,
    )


def _spread(name: str, values: Sequence[float]) -> dict[str, float]:
    """``name`` (the median), ``name_min`` and ``name_max`` of the repeats."""
    return {
        name: statistics.median(values),
        f"{name}_min": min(values),
        f"{name}_max": max(values),
    }


def _divergence(losses: np.ndarray, weights: torch.Tensor, per_epoch: int) -> dict[str, Any]:
    """Where the trajectory first became non-finite (``{}`` when it stayed finite): epoch and step
    (both from 1, the step counted within its epoch) and what was seen there."""
    bad = np.flatnonzero(~np.isfinite(losses))
    if bad.size:
        index, seen = int(bad[0]), f"loss {float(losses[bad[0]])}"
    elif not bool(torch.isfinite(weights).all()):
        index, seen = len(losses) - 1, "weights non-finite"  # the last update blew them up
    else:
        return {}
    return {"epoch": index // per_epoch + 1, "step": index % per_epoch + 1, "seen": seen}


def _loader(config: LoadersConfig, kind: str, X, y, batch_size: int, device, **options):
    workers = config.num_workers if kind in ("dataloader", "dataset") else 0
    target = None if device.type == "cpu" else device
    return make_loader(
        kind, X, y, batch_size, seed=config.seed, num_workers=workers, device=target, **options
    )


def _drop_last_example(config: LoadersConfig) -> dict[str, Any]:
    n, size = DROP_LAST_EXAMPLE
    X, y = torch.arange(2.0 * n).reshape(n, 2), torch.arange(float(n)).reshape(n, 1)
    counted = {}
    for kind in config.kinds:
        kept = make_loader(kind, X, y, size, seed=config.seed)
        dropped = make_loader(kind, X, y, size, seed=config.seed, drop_last=True)
        counted[kind] = {
            "drop_last=False": len(list(kept)),
            "drop_last=True": len(list(dropped)),
            "batch_sizes_without_drop": [len(xb) for xb, _ in kept],
        }
    return {"n_samples": n, "batch_size": size, "batches": counted}


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Bit-for-bit equality: a diverged run's NaN equals the same NaN (``torch.equal`` says
    NaN != NaN, which would call two identical diverged runs different)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    as_bytes = [t.detach().cpu().contiguous().reshape(-1).view(torch.uint8) for t in (a, b)]
    return torch.equal(*as_bytes)


def _same_batches(config: LoadersConfig, X, y, device: torch.device) -> dict[str, Any]:
    """Equal seeds, equal batches (two epochs) and bit-identical training for every kind."""
    size = config.batch_sizes[0]
    epochs, weights = {}, {}
    for kind in config.kinds:
        loader = _loader(config, kind, X, y, size, device)
        epochs[kind] = [[(xb.cpu(), yb.cpu()) for xb, yb in loader] for _ in range(2)]
        model = LinearSGD(X.shape[1], config.lrate, config.seed, device)
        model.epoch(_loader(config, kind, X, y, size, device))
        weights[kind] = model.parameters()
    first = config.kinds[0]

    def equal(a, b) -> bool:
        return len(a) == len(b) and all(
            same_bits(xa, xb) and same_bits(ya, yb)
            for ea, eb in zip(a, b, strict=True)
            for (xa, ya), (xb, yb) in zip(ea, eb, strict=True)
        )

    return {
        "batch_size": size,
        "epochs_compared": 2,
        "same_batches": all(equal(epochs[k], epochs[first]) for k in config.kinds),
        "same_weights_after_one_epoch": all(same_bits(weights[k], weights[first]) for k in weights),
        "epochs_differ": not equal([epochs[first][0]], [epochs[first][1]]),
    }


def _rate(samples_per_s: float) -> str:
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if samples_per_s >= scale:
            return f"{samples_per_s / scale:.3g}{unit}"
    return f"{samples_per_s:.3g}"


def _headline(runs: list[dict[str, Any]], order: dict[str, Any]) -> str:
    """One line for the terminal: loading rates per batch size and the batch-order proof."""
    sizes = sorted({run["batch_size"] for run in runs})
    parts = []
    for size in sizes:
        rates = ", ".join(
            f"{run['kind']} {_rate(run['samples_per_s_loading'])}"
            for run in runs
            if run["batch_size"] == size
        )
        parts.append(f"batch {size}: {rates} samples/s loading")
    same = "yes" if order["same_batches"] and order["same_weights_after_one_epoch"] else "NO"
    return "; ".join(parts) + f"; equal seeds give equal batches and weights: {same}"


def _measure(config, kind: str, size: int, X, y, device: torch.device) -> TrialRecord:
    loader = _loader(config, kind, X, y, size, device)
    measured = measure_overhead(
        loader,
        lambda: LinearSGD(X.shape[1], config.lrate, config.seed, device),
        repeat=config.repeat,
        warmup=WARMUP,
        device=device,
    )
    with PeakMemory() as probe:
        _touch(loader)
    memory = probe.result
    losses = measured.trained.loss_history()
    diverged = _divergence(losses, measured.trained.parameters(), len(loader))
    summary = {
        "kind": kind,
        "batch_size": size,
        "batches_per_epoch": len(loader),
        **_spread("load_s", measured.load.samples),
        **_spread("train_s", measured.train.samples),
        **_spread("compute_s", measured.compute.samples),
        **_spread("overhead_s", measured.load.samples),
        **_spread("overhead_share", measured.shares),
        "samples_per_s_loading": len(X) / measured.load.median,
        "rss_increase_bytes": memory.rss_increase,
        "traced_peak_bytes": memory.traced_peak,
        "trained_epochs": WARMUP + config.repeat,
        "diverged_at": diverged or None,
    }
    label = f"{kind} @ batch {size}"
    divergence = None
    if diverged:  # the run's one stderr line names each trial (NOTE [divergence report])
        seen = str(diverged["seen"])
        divergence = Divergence(
            epoch=int(diverged["epoch"]),
            step=int(diverged["step"]),
            lrate=config.lrate,
            loss=float(seen.removeprefix("loss ")) if seen.startswith("loss ") else None,
            name=label,
            reason=None if seen.startswith("loss ") else seen,
        )
    summary["divergence"] = None if divergence is None else divergence.as_json()
    return TrialRecord(
        label=label,
        config={"kind": kind, "batch_size": size, "num_workers": config.num_workers},
        status="diverged" if diverged else "finished",
        metrics={
            "load_epoch_s": np.asarray(measured.load.samples),
            "train_epoch_s": np.asarray(measured.train.samples),
            "compute_epoch_s": np.asarray(measured.compute.samples),
            "train_loss": losses,
        },
        summary=summary,
        message=None if divergence is None else divergence.sentence(),
    )


def run(config: LoadersConfig, data: Dataset) -> Outcome:
    device = resolve_device(config.device)
    X = torch.as_tensor(data.X, dtype=torch.float32)
    y = torch.as_tensor(data.y, dtype=torch.float32).reshape(len(X), -1)
    trials = [
        _measure(config, kind, size, X, y, device)
        for kind in config.kinds
        for size in config.batch_sizes
    ]
    runs = [trial.summary for trial in trials]
    order = _same_batches(config, X, y, device)
    results = {
        "headline": _headline(runs, order),
        "runs": runs,
        "drop_last_example": _drop_last_example(config),
        "batch_order": order,
        "device": str(device),
        "n_samples": len(X),
        "n_features": int(X.shape[1]),
        "lrate": config.lrate,
        "repeat": config.repeat,
    }
    return Outcome(
        results, trials, {"kinds": list(config.kinds), "batch_sizes": list(config.batch_sizes)}
    )


EXPERIMENT = Experiment(
    **catalog_fields("loaders"),
    config_type=LoadersConfig,
    default_data=default_data,
    run=run,
    headline=lambda results: results["headline"],
)
