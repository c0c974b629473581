"""Vectorised sweeps (issue 13): K configurations as one batched computation against the same
K configurations one by one.

* linear model, K = 64 learning rates, batch 32: ``descentlab.vectorised.train_group`` against
  (a) the torch trainer (``train.fit`` over the trainer's model, optimizer and loader, one run per
  rate; target ≥ 200×) and (b) the lab's fastest single-configuration path, the compiled
  ``linear.fast_backend.CompiledSGD`` (target ≥ 5×);
* MLP 64-32-16, K = 64 learning rates, batch 32, SGD with momentum: ``train_group`` against
  one-by-one ``fit`` (target ≥ 20×).

Every side is timed over its training alone, the data built beforehand: the group's engines
(``train_linear_group``, ``train_stacked_group``) over seed groups built once, their batch-order
generators re-seeded for each call; ``train_group`` as a caller calls it (the data built, split
and the models initialised too) is a case of its own, for reference. The trainer sides run
on a sample of the K rates spread over the grid, scaled to K: every run costs the same (the
rates are stable ones, no run stops early), and 64 trainer runs would take minutes. Each
round times every side once, in turn (``time_side_by_side``).
Every side runs on one torch thread: on the shared 2-core machine two threads made the batched
side some ten times slower (the cores are taken by the other processes), which measures the load
and not the method.

    python benchmarks/run_all.py sweep [--quick]
"""

from __future__ import annotations

import numpy as np
import torch

from descentlab.linear.fast_backend import CompiledSGD
from descentlab.vectorised import train_group
from descentlab.vectorised.linear_group import train_linear_group
from descentlab.vectorised.problem import build_seed_groups, stream_seeds
from descentlab.vectorised.settings import resolve_settings
from descentlab.vectorised.stacked_group import train_stacked_group
from harness import Benchmark, Case, Ratio, time_side_by_side

K = 64


def _sizes(quick: bool, smoke: bool) -> dict[str, int]:
    if smoke:
        return {"linear_n": 2_000, "linear_epochs": 1, "mlp_n": 512, "mlp_epochs": 1,
                "sampled": 1, "repeat": 1}  # fmt: skip
    if quick:
        return {"linear_n": 20_000, "linear_epochs": 2, "mlp_n": 2_048, "mlp_epochs": 1,
                "sampled": 2, "repeat": 3}  # fmt: skip
    return {"linear_n": 200_000, "linear_epochs": 5, "mlp_n": 16_384, "mlp_epochs": 2,
            "sampled": 2, "repeat": 2}  # fmt: skip


def _group_run(fixed: dict, rates: np.ndarray) -> callable:
    """The group's engine over data built once (each call starts from the same batch orders)."""
    settings = resolve_settings(fixed, [{"lrate": float(r)} for r in rates])
    task, groups = build_seed_groups(settings.shared, settings.seeds)
    member = [0] * len(rates)

    def run() -> None:
        for group in groups:
            group.generator = torch.Generator().manual_seed(stream_seeds(group.seed)[2])
        if fixed["model"] == "mlp":
            train_stacked_group(settings, task, groups, member, torch.device("cpu"))
        else:
            train_linear_group(settings, task, groups, member)

    return run


def _trainer_runs(fixed: dict, rates: np.ndarray) -> callable:
    """One ``fit`` per rate over the trainer's own model, optimizer and loader (built first)."""
    from descentlab.train import FitConfig, build_optimizer, fit
    from descentlab.train.batch_source import make_train_loader

    settings = resolve_settings(fixed, [{"lrate": float(r)} for r in rates])
    task, (group,) = build_seed_groups(settings.shared, (0,))
    X, Y = torch.from_numpy(group.X), torch.from_numpy(group.Y)
    config = FitConfig(epochs=fixed["epochs"], device="cpu")

    def build():
        from descentlab.models import make_model

        runs = []
        for rate in rates:
            model = make_model(
                fixed["model"], X.shape[1], 1, layers=fixed.get("layers", ()),
                activation=fixed.get("activation"), seed=stream_seeds(0)[1],
            )  # fmt: skip
            optimizer = build_optimizer(model, fixed["optimizer"], lrate=float(rate))
            loader = make_train_loader(X, Y, fixed["batch_size"], seed=stream_seeds(0)[2])
            runs.append((model, optimizer, loader))
        return runs

    def run() -> None:
        for model, optimizer, loader in build():
            fit(model, optimizer, loader, task, config)

    return run


def _fast_path_runs(fixed: dict, rates: np.ndarray) -> callable:
    """One ``CompiledSGD`` per rate (the single-configuration fast path), data built first."""
    settings = resolve_settings(fixed, [{"lrate": float(r)} for r in rates])
    _, (group,) = build_seed_groups(settings.shared, (0,))
    X, y = group.X, np.ascontiguousarray(group.Y[:, 0])
    w0 = np.zeros(X.shape[1], dtype=np.float32)

    def run() -> None:
        for rate in rates:
            sgd = CompiledSGD(X, y, w0, fixed["batch_size"], float(rate), np.random.default_rng(0))
            for _ in range(fixed["epochs"]):
                sgd.epoch()

    return run


def _sample(rates: np.ndarray, count: int) -> np.ndarray:
    return rates[np.linspace(0, len(rates) - 1, count).round().astype(int)]


def run(quick: bool, smoke: bool = False) -> Benchmark:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _run(quick, smoke)
    finally:
        torch.set_num_threads(threads)


def _run(quick: bool, smoke: bool) -> Benchmark:
    sizes = _sizes(quick, smoke)
    torch.manual_seed(0)
    sampled, repeat = sizes["sampled"], sizes["repeat"]
    linear = {
        "model": "linear", "optimizer": "sgd", "batch_size": 32, "epochs": sizes["linear_epochs"],
        "n_samples": sizes["linear_n"], "n_features": 16, "val_fraction": 0.0, "device": "cpu",
    }  # fmt: skip
    mlp = {
        "model": "mlp", "layers": (64, 32, 16), "optimizer": "momentum", "batch_size": 32,
        "epochs": sizes["mlp_epochs"], "n_samples": sizes["mlp_n"], "n_features": 16,
        "val_fraction": 0.0, "device": "cpu",
    }  # fmt: skip
    linear_rates = np.geomspace(1e-4, 3e-2, K)
    mlp_rates = np.geomspace(1e-4, 1e-2, K)
    scale = K / sampled
    timings = time_side_by_side(
        {
            "linear group": _group_run(linear, linear_rates),
            "linear train_group call": lambda: train_group(
                linear, [{"lrate": float(r)} for r in linear_rates]
            ),
            "linear trainer": _trainer_runs(linear, _sample(linear_rates, sampled)),
            "linear fast path": _fast_path_runs(linear, linear_rates),
            "mlp group": _group_run(mlp, mlp_rates),
            "mlp trainer": _trainer_runs(mlp, _sample(mlp_rates, sampled)),
        },
        repeat=repeat,
    )
    seconds = {name: timing.median for name, timing in timings.items()}
    seconds["linear trainer"] *= scale
    seconds["mlp trainer"] *= scale
    samples = {
        "linear": K * linear["n_samples"] * linear["epochs"],
        "mlp": K * mlp["n_samples"] * mlp["epochs"],
    }
    cases = [
        Case(f"{name} (K={K})", s, samples[name.split()[0]] / s, "samples/s",
             {"scaled_from": sampled} if "trainer" in name else {})
        for name, s in seconds.items()
    ]  # fmt: skip
    ratios = [
        Ratio("linear trainer / group", seconds["linear trainer"] / seconds["linear group"], 200.0,
              True, "64 one-by-one fit runs over the vectorised group's time"),
        Ratio("linear fast path / group", seconds["linear fast path"] / seconds["linear group"],
              5.0, True, "64 one-by-one CompiledSGD runs over the vectorised group's time"),
        Ratio("mlp trainer / group", seconds["mlp trainer"] / seconds["mlp group"], 20.0, True,
              "64 one-by-one fit runs of the 64-32-16 MLP over the vectorised group's time"),
    ]  # fmt: skip
    return Benchmark(
        name="sweep",
        setting=(
            f"CPU float32, batch 32, K = {K} rates; linear {linear['n_samples']} x 16, "
            f"{linear['epochs']} epochs, SGD; MLP 64-32-16 {mlp['n_samples']} x 16, "
            f"{mlp['epochs']} epochs, momentum; one torch thread; trainer sides timed on "
            f"{sampled} rates and scaled to {K}; median of {repeat} alternating rounds"
        ),
        cases=cases,
        ratios=ratios,
    )
