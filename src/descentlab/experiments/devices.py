"""SPEC §2.11: the same torch training on the CPU and on CUDA, timed honestly and compared.

The linear model is trained by mini-batch SGD with autograd (the torch backend's step) on
``make_regression(5000, 50)`` with standardised features. Each device gets the data, the initial
weight (NOTE [seed streams]) and every epoch's batch order (NOTE [batch order]) from the same seed,
so the two trajectories differ only by floating-point rounding; the run checks that they agree
within a tolerance for the dtype.

Time per epoch is the median of ``repeat`` epochs after ``warmup`` untimed ones, with the device
synchronised before and after each timed epoch (``descentlab.measure.time_repeated``): CUDA
kernels run asynchronously, and without the synchronisation the clock would stop while work is
still queued. The CPU runs on ``cpu_threads`` torch threads (default 1: a 100 × 50 batch is far too
small for threads to pay off, and on a busy machine extra threads spin against other work; 0 keeps
torch's own setting); the setting is restored afterwards. Where CUDA is not available the results
say so, with the reason, and only the CPU is measured: nothing is silently skipped.

NOTE [when data parallel pays]: ``descentlab train --nproc N`` (NOTE [data parallel] in
``train/distributed.py``) splits every global batch over N processes, which then all-reduce the
gradients once per step. That pays only when a rank's share of a step's compute is large
against one all-reduce: on one host with gloo an all-reduce costs from about 0.1 ms (a few
parameters) to a few ms (megabytes), and one CPU core does about 2·10¹⁰ float32 flop/s
(``benchmarks/bench_distributed.py``: MLP 64-256-256-256-1, global batch 8192: 1.82× on 2
processes with communication a tenth of the epoch on an idle 2-core machine; at batch 2048 only
1.45×, the per-step fixed cost a third of the step). This experiment's linear model
does 6·batch·features flop per step, 3·10⁴ at its defaults: about 2 µs of work against ≥ 100 µs
of communication, so splitting it over processes only slows it down; so does every linear model
and small MLP of the lab at batch ≤ 256. It pays for MLPs with hundreds of units and global
batches of a thousand and more, or on several GPUs (NCCL), never for the lab's small problems.
The results carry this judgement for the run's own size (``data_parallel``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from descentlab.data import Dataset
from descentlab.divergence import full_batch_divergence
from descentlab.experiments.base import Experiment, Outcome, trial_record
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import load_data
from descentlab.experiments.training_config import TimedTrainingConfig
from descentlab.linear.initial import batch_rng, initial_weight
from descentlab.linear.torch_backend import BACKEND as TORCH
from descentlab.measure import time_repeated
from descentlab.provenance import device_description
from descentlab.validation import InputValueError, check_choice, check_int

__all__ = [
    "DEVICES",
    "TOLERANCES",
    "DevicesConfig",
    "agreement",
    "cuda_status",
    "data_parallel_verdict",
    "run",
]

CORE_FLOPS = 2e10
"""float32 flop/s of one CPU core in the trainer (measured by ``bench_distributed.py``)."""
ALLREDUCE_S = 1e-4
"""The least one gloo all-reduce costs on one host (latency, tiny tensors)."""

DEVICES = ("cpu", "cuda")
DTYPES = {"float32": torch.float32, "float64": torch.float64}
TOLERANCES = {"float32": {"rtol": 1e-4, "atol": 1e-4}, "float64": {"rtol": 1e-9, "atol": 1e-9}}
"""How far CPU and CUDA trajectories may differ (``numpy.allclose`` terms, on weights and losses):
the devices sum in different orders, so they agree to rounding, not to the bit."""


@dataclass(frozen=True)
class DevicesConfig(TimedTrainingConfig):
    backend: str = "torch"  # it times torch code; the numpy backend does not apply
    n_samples: int = 5000
    n_features: int = 50
    batch_size: int = 100
    lrate: float = 0.01
    epochs: int = 5
    warmup: int = 2
    dtype: str = "float32"
    devices: tuple[str, ...] = DEVICES
    cpu_threads: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("backend", self.backend, ("torch",))
        check_int("warmup", self.warmup, minimum=0)
        check_choice("dtype", self.dtype, tuple(DTYPES))
        check_int("cpu_threads", self.cpu_threads, minimum=0)
        if not self.devices:
            raise InputValueError("devices must list at least one of cpu, cuda, got ()")
        for device in self.devices:
            check_choice("device", device, DEVICES)
        if len(set(self.devices)) != len(self.devices):
            raise InputValueError(f"devices must not repeat a device, got {self.devices}")


def default_data(config: DevicesConfig) -> Dataset:
    return load_data(config, config.n_features)


def cuda_status() -> dict[str, Any]:
    """``{"available": True, "description": ...}`` or ``{"available": False, "reason": ...}``."""
    if torch.cuda.is_available():
        return {"available": True, "description": device_description("cuda:0")}
    if torch.version.cuda is None:
        reason = f"this torch build ({torch.__version__}) has no CUDA support"
    else:
        reason = f"torch {torch.__version__} has CUDA {torch.version.cuda} but sees no CUDA device"
    return {"available": False, "reason": reason}


class _DeviceTraining:
    """Mini-batch SGD of the linear model on one device, one epoch per :meth:`epoch` call."""

    def __init__(self, config: DevicesConfig, X: np.ndarray, y: np.ndarray, device: str) -> None:
        dtype = DTYPES[config.dtype]
        self.device = torch.device(device)
        self.X = torch.as_tensor(X, dtype=dtype).to(self.device)
        self.y = torch.as_tensor(y, dtype=dtype).reshape(-1, 1).to(self.device)
        w0 = initial_weight(X.shape[1], config.seed)
        self.w = torch.as_tensor(w0, dtype=dtype).to(self.device)
        self.rng = batch_rng(config.seed)
        self.batch_size, self.lrate = config.batch_size, config.lrate

    def epoch(self) -> None:
        order = torch.from_numpy(self.rng.permutation(len(self.X))).to(self.device)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            self.w, _ = TORCH.step(self.X[idx], self.y[idx], self.w, self.lrate)

    def state(self) -> tuple[np.ndarray, float]:
        """The weight (NumPy float64) and the full-data MSE now."""
        loss = float(TORCH.loss(self.X, self.y, self.w))
        return self.w.detach().cpu().double().numpy().ravel(), loss


def _trajectory(config: DevicesConfig, X: np.ndarray, y: np.ndarray, device: str):
    """Epoch-end weights (epochs + 1, n) and losses from a fresh start on ``device``."""
    training = _DeviceTraining(config, X, y, device)
    weights, losses = [], []
    for epoch in range(config.epochs + 1):
        if epoch:
            training.epoch()
        w, loss = training.state()
        weights.append(w)
        losses.append(loss)
    return np.asarray(weights), np.asarray(losses)


def agreement(
    reference: tuple[np.ndarray, np.ndarray], other: tuple[np.ndarray, np.ndarray], dtype: str
) -> dict[str, Any]:
    """Whether two ``(weights, losses)`` trajectories agree within :data:`TOLERANCES`."""
    tolerance = TOLERANCES[dtype]
    (w_a, l_a), (w_b, l_b) = reference, other
    if w_a.shape != w_b.shape or l_a.shape != l_b.shape:
        return {
            "compared": True,
            "agree": False,
            "reason": f"trajectory shapes differ: {w_a.shape} and {w_b.shape}",
            "tolerance": tolerance,
        }
    # A diverged pair agrees when both became non-finite at the same entries (NaN == NaN);
    # the differences are measured where both are finite.
    agree = bool(
        np.allclose(w_b, w_a, equal_nan=True, **tolerance)
        and np.allclose(l_b, l_a, equal_nan=True, **tolerance)
    )
    with np.errstate(over="ignore", invalid="ignore"):
        both_w = np.isfinite(w_a) & np.isfinite(w_b)
        both_l = np.isfinite(l_a) & np.isfinite(l_b)
        weight_gaps = np.abs(w_a - w_b)[both_w]
        loss_gaps = (np.abs(l_a - l_b) / np.maximum(np.abs(l_a), 1e-300))[both_l]
    return {
        "compared": True,
        "agree": agree,
        "max_abs_weight_diff": float(weight_gaps.max(initial=0.0)),
        "max_rel_loss_diff": float(loss_gaps.max(initial=0.0)),
        "tolerance": tolerance,
    }


def data_parallel_verdict(batch_size: int, n_features: int, world_size: int = 2) -> dict[str, Any]:
    """Whether splitting each step of the linear model over ``world_size`` processes could pay
    (NOTE [when data parallel pays]): a rank's compute per step against one all-reduce."""
    check_int("batch_size", batch_size, minimum=1)
    check_int("n_features", n_features, minimum=1)
    check_int("world_size", world_size, minimum=2)
    rank_s = 6 * batch_size * n_features / world_size / CORE_FLOPS
    pays = rank_s > 10 * ALLREDUCE_S
    return {
        "world_size": world_size,
        "rank_compute_s_per_step": rank_s,
        "allreduce_s_at_least": ALLREDUCE_S,
        "pays_off": pays,
        "reason": (
            f"a rank computes about {rank_s * 1e6:.3g} µs per step against at least "
            f"{ALLREDUCE_S * 1e6:.3g} µs for the gradient all-reduce: "
            + ("worth splitting" if pays else "splitting over processes only slows it down")
        ),
    }


def run(config: DevicesConfig, data: Dataset) -> Outcome:
    threads = torch.get_num_threads()
    if config.cpu_threads:
        torch.set_num_threads(config.cpu_threads)
    try:
        return _measure(config, data)
    finally:
        torch.set_num_threads(threads)


def _measure(config: DevicesConfig, data: Dataset) -> Outcome:
    X, y = data.X, data.y
    m = X.shape[0]
    status = {"cpu": {"available": True, "description": device_description("cpu")}}
    status["cuda"] = cuda_status()
    devices: dict[str, Any] = {}
    trajectories: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    trials = []
    for name in config.devices:
        entry = dict(status[name])
        if not entry["available"]:
            entry["measured"] = False
            devices[name] = entry
            continue
        device = "cuda:0" if name == "cuda" else "cpu"
        training = _DeviceTraining(config, X, y, device)
        timing = time_repeated(
            training.epoch, repeat=config.repeat, warmup=config.warmup, device=device
        )
        trajectories[name] = _trajectory(config, X, y, device)
        entry.update(
            measured=True,
            time_per_epoch=timing.as_dict(),
            samples_per_s=timing.rate(m),
            final_loss=float(trajectories[name][1][-1]),
        )
        divergence = full_batch_divergence(
            trajectories[name][1],
            config.lrate,
            updates_per_epoch=-(-m // config.batch_size),
            name=name,
        )
        entry["divergence"] = None if divergence is None else divergence.as_json()
        devices[name] = entry
        trials.append(
            trial_record(
                name,
                {"device": device, "dtype": config.dtype, "batch_size": config.batch_size},
                {"epoch_time_s": np.asarray(timing.samples), "epoch_loss": trajectories[name][1]},
                {"device": name, "median_epoch_s": timing.median},
                divergence,
            )
        )
    if len(trajectories) == 2:
        compared = agreement(trajectories["cpu"], trajectories["cuda"], config.dtype)
        cpu_s = devices["cpu"]["time_per_epoch"]["median_s"]
        speedup = cpu_s / devices["cuda"]["time_per_epoch"]["median_s"]
    else:
        missing = [d for d in config.devices if not devices[d]["available"]]
        reason = (
            f"{', '.join(missing)} not available"
            if missing
            else f"only {', '.join(config.devices)} requested"
        )
        compared, speedup = {"compared": False, "reason": reason}, None
    note = None
    if "cuda" in config.devices and not status["cuda"]["available"]:
        note = f"CPU only: {status['cuda']['reason']}"
    results = {
        "devices": devices,
        "agreement": compared,
        "cuda_speedup": speedup,
        "cpu_threads": torch.get_num_threads(),
        "data_parallel": data_parallel_verdict(config.batch_size, X.shape[1]),
        "note": note,
        "timing": (
            f"median of {config.repeat} epochs after {config.warmup} warm-up epochs, "
            "device synchronised around each"
        ),
    }
    return Outcome(results, trials, {"note": note, "dtype": config.dtype})


def headline(results: dict[str, Any]) -> str:
    """Median time per epoch per measured device, the agreement, or why CUDA was skipped."""
    parts = [
        f"{name} {entry['time_per_epoch']['median_s'] * 1e3:.3g} ms/epoch"
        for name, entry in results["devices"].items()
        if entry.get("measured")
    ]
    if results["agreement"]["compared"]:
        parts.append("trajectories agree" if results["agreement"]["agree"] else "DISAGREE")
    if results["note"]:
        parts.append(results["note"])
    return "; ".join(parts)


EXPERIMENT = Experiment(
    **catalog_fields("devices"),
    config_type=DevicesConfig,
    default_data=default_data,
    run=run,
    headline=headline,
)
