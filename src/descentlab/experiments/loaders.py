"""SPEC §2.9: batching methods compared — manual slicing, ``DataLoader`` over a ``TensorDataset``,
a custom ``Dataset`` and the fast loader — for each batch size: time per epoch, the loader's
overhead measured apart from the compute, peak memory measured, the drop_last example and the
proof that equal seeds give equal batches.

How each number is measured (``descentlab.measure``: medians after a warm-up, CUDA synchronised):

* ``load_s``: one epoch of loading only (iterating the loader, nothing else);
* ``train_s``: one epoch of loading plus a training step (linear model, MSE, plain SGD by
  autograd) per batch;
* ``compute_s``: the same training steps over the same batches made beforehand (no loader);
* ``overhead_s = train_s - compute_s``: what the loader adds to training (it can come out slightly
  negative when the loader costs less than the timing noise); ``overhead_share = overhead_s /
  train_s``;
* memory: one loading-only epoch inside ``PeakMemory`` (sampled RSS increase and the peak of
  Python-traced allocations), never a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from descentlab.data import Dataset
from descentlab.experiments.base import Experiment, Outcome
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import RegressionDataConfig, load_data
from descentlab.linear.inputs import check_lrate
from descentlab.loading import IN_MEMORY_KINDS, make_loader
from descentlab.measure import PeakMemory, time_repeated
from descentlab.store.records import TrialRecord
from descentlab.torch_device import resolve_device
from descentlab.validation import InputValueError, check_choice, check_int, check_positive_int

__all__ = ["DEVICES", "LoadersConfig", "run"]

DEVICES = ("cpu", "cuda", "auto")
DROP_LAST_EXAMPLE = (100, 30)
"""SPEC §2.9: 100 samples at batch 30 give 3 batches with drop_last and 4 without."""


@dataclass(frozen=True)
class LoadersConfig(RegressionDataConfig):
    backend: str = "torch"  # it times torch code; the numpy backend does not apply
    n_samples: int = 2048
    n_features: int = 16
    kinds: tuple[str, ...] = IN_MEMORY_KINDS
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
            check_choice("kinds", kind, IN_MEMORY_KINDS)
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
    """A linear model trained by plain SGD through autograd: the compute the loader feeds."""

    def __init__(self, n_features: int, lrate: float, seed: int, device: torch.device) -> None:
        generator = torch.Generator().manual_seed(seed)
        self.weight = (0.01 * torch.randn(n_features, 1, generator=generator)).to(device)
        self.bias = torch.zeros(1, device=device)
        self.weight.requires_grad_(True)
        self.bias.requires_grad_(True)
        self.lrate = lrate

    def step(self, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        loss = torch.nn.functional.mse_loss(xb @ self.weight + self.bias, yb)
        loss.backward()
        with torch.no_grad():
            for parameter in (self.weight, self.bias):
                parameter -= self.lrate * parameter.grad
                parameter.grad = None
        return loss.detach()

    def epoch(self, batches: Iterable) -> None:
        for xb, yb in batches:
            self.step(xb, yb)

    def parameters(self) -> torch.Tensor:
        return torch.cat([self.weight.detach().ravel(), self.bias.detach()]).cpu()


def _consume(loader: Iterable) -> int:
    count = 0
    for _ in loader:
        count += 1
    return count


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
            "drop_last=False": _consume(kept),
            "drop_last=True": _consume(dropped),
            "batch_sizes_without_drop": [len(xb) for xb, _ in kept],
        }
    return {"n_samples": n, "batch_size": size, "batches": counted}


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
            torch.equal(xa, xb) and torch.equal(ya, yb)
            for ea, eb in zip(a, b, strict=True)
            for (xa, ya), (xb, yb) in zip(ea, eb, strict=True)
        )

    return {
        "batch_size": size,
        "epochs_compared": 2,
        "same_batches": all(equal(epochs[k], epochs[first]) for k in config.kinds),
        "same_weights_after_one_epoch": all(
            torch.equal(weights[k], weights[first]) for k in weights
        ),
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


def run(config: LoadersConfig, data: Dataset) -> Outcome:
    device = resolve_device(config.device)
    X = torch.as_tensor(data.X, dtype=torch.float32)
    y = torch.as_tensor(data.y, dtype=torch.float32).reshape(len(X), -1)
    timed = {"repeat": config.repeat, "warmup": 1, "device": device}
    runs, trials = [], []
    for kind in config.kinds:
        for size in config.batch_sizes:
            loader = _loader(config, kind, X, y, size, device)
            model = LinearSGD(X.shape[1], config.lrate, config.seed, device)
            batches = list(loader)
            load = time_repeated(lambda loader=loader: _consume(loader), **timed)
            train = time_repeated(lambda loader=loader, m=model: m.epoch(loader), **timed)
            compute = time_repeated(lambda b=batches, m=model: m.epoch(b), **timed)
            del batches
            with PeakMemory() as probe:
                _consume(loader)
            memory = probe.result
            overhead = train.median - compute.median
            summary = {
                "kind": kind,
                "batch_size": size,
                "batches_per_epoch": len(loader),
                "load_s": load.median,
                "train_s": train.median,
                "compute_s": compute.median,
                "overhead_s": overhead,
                "overhead_share": overhead / train.median,
                "samples_per_s_loading": len(X) / load.median,
                "rss_increase_bytes": memory.rss_increase,
                "traced_peak_bytes": memory.traced_peak,
            }
            runs.append(summary)
            trials.append(
                TrialRecord(
                    label=f"{kind} @ batch {size}",
                    config={"kind": kind, "batch_size": size, "num_workers": config.num_workers},
                    status="finished",
                    metrics={
                        "load_epoch_s": np.asarray(load.samples),
                        "train_epoch_s": np.asarray(train.samples),
                        "compute_epoch_s": np.asarray(compute.samples),
                    },
                    summary=summary,
                )
            )
    order = _same_batches(config, X, y, device)
    results = {
        "headline": _headline(runs, order),
        "runs": runs,
        "drop_last_example": _drop_last_example(config),
        "batch_order": order,
        "device": str(device),
        "n_samples": len(X),
        "n_features": int(X.shape[1]),
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
