"""The trainer's own overhead: ``descentlab.train.fit`` against a hand-written torch loop.

Both sides train the same model with the same optimizer over the SAME pre-built list of
``(xb, yb)`` tensors (so loading is not measured), one epoch per call. The calls alternate
(hand, fit, hand, fit, …) so that a busy machine slows both sides alike; each side's median over
the repeats is compared. Target: fit's median epoch ≤ 1.10 × the hand loop's.

    python benchmarks/run_all.py trainer [--quick]
"""

from __future__ import annotations

import numpy as np
import torch

from descentlab.measure import Timing, time_call
from descentlab.models import make_model
from descentlab.train import FitConfig, build_optimizer, fit, make_task
from harness import Benchmark, Case, Ratio

TARGET = 1.10


def _batches(m: int, n: int, batch_size: int) -> tuple[list, object]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((m, n)).astype(np.float32)
    y = (X @ rng.standard_normal((n, 1)) + 0.1 * rng.standard_normal((m, 1))).astype(np.float32)
    task = make_task("regress", y)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    order = torch.from_numpy(rng.permutation(m))
    batches = [
        (Xt[order[i : i + batch_size]], yt[order[i : i + batch_size]])
        for i in range(0, m, batch_size)
    ]
    return batches, task


def _compare(label: str, model_name: str, layers: tuple, m: int, n: int, batch: int, repeat: int):
    batches, task = _batches(m, n, batch)

    def build():
        model = make_model(model_name, n, 1, layers=layers, seed=0)
        return model, build_optimizer(model, "adam", lrate=1e-3)

    hand_model, hand_opt = build()
    fit_model, fit_opt = build()

    def hand_epoch():
        for xb, yb in batches:
            hand_opt.zero_grad(set_to_none=True)
            loss = task.loss(hand_model(xb), yb)
            loss.backward()
            hand_opt.step()

    one_epoch = FitConfig(epochs=1, device="cpu")

    def fit_epoch():
        fit(fit_model, fit_opt, batches, task, one_epoch)

    hand_epoch(), fit_epoch()  # warm-up
    hand_s, fit_s = [], []
    for _ in range(repeat):
        hand_s.append(time_call(hand_epoch)[1])
        fit_s.append(time_call(fit_epoch)[1])
    hand, trainer = Timing(tuple(hand_s)), Timing(tuple(fit_s))
    detail = {"samples": m, "features": n, "batch_size": batch, "steps": len(batches)}
    cases = [
        Case(f"{label} hand loop", hand.median, hand.rate(m), "samples/s", detail),
        Case(f"{label} fit", trainer.median, trainer.rate(m), "samples/s", detail),
    ]
    ratio = Ratio(
        f"{label} fit / hand loop",
        trainer.median / hand.median,
        TARGET,
        higher_is_better=False,
        meaning="fit's epoch time over the hand-written loop's, same model, optimizer, batches",
    )
    return cases, ratio


def run(quick: bool, smoke: bool = False) -> Benchmark:
    torch.manual_seed(0)
    m = 256 if smoke else 4_096 if quick else 32_768
    repeat = 1 if smoke else 3 if quick else 9
    cases, ratios = [], []
    for label, model, layers in (
        ("linear", "linear", ()),
        ("mlp 64-32-16", "mlp", (64, 32, 16)),
    ):
        more, ratio = _compare(label, model, layers, m, 16, 32, repeat)
        cases += more
        ratios.append(ratio)
    return Benchmark(
        name="trainer",
        setting=(
            f"CPU float32, {m} x 16, batch 32, Adam, MSE; one epoch per call, alternating "
            f"sides, median of {repeat}"
        ),
        cases=cases,
        ratios=ratios,
    )
