"""The trainer's own overhead: ``descentlab.train.fit`` against a hand-written torch loop.

Both sides train the same model with the same optimizer over the SAME pre-built list of
``(xb, yb)`` tensors (so loading is not measured), one epoch per call. The calls alternate
(hand, fit, hand, fit, …) so that a busy machine slows both sides alike; each side's median over
the repeats is compared. Target: fit's median epoch ≤ 1.10 × the hand loop's.

TensorFlow rows: the same model copied into Keras (``make_keras_model``) and trained by
descentlab's Keras loop (``keras_fit``'s ``TapeEpoch``: one ``tf.function`` per batch, the loss
read back for the divergence check) against Keras's own ``model.fit`` over a ``tf.data`` pipeline
of the same batches, one epoch per call, alternating. Target: our loop's median epoch ≤ 1.25 ×
``model.fit``'s (fit runs its steps without handing each loss back to Python).

    python benchmarks/run_all.py trainer [--quick]
"""

from __future__ import annotations

import numpy as np
import torch

from descentlab.measure import Timing, time_call
from descentlab.models import make_model
from descentlab.train import FitConfig, build_optimizer, fit, make_task
from harness import Benchmark, Case, Ratio, time_side_by_side

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


KERAS_TARGET = 1.25


def _compare_keras(label: str, model_name: str, layers: tuple, m: int, n: int, batch: int,
                   repeat: int):  # fmt: skip
    from descentlab.models.keras_models import make_keras_model
    from descentlab.quiet_tensorflow import tensorflow
    from descentlab.train.keras_fit import TapeEpoch, keras_loss
    from descentlab.train.keras_optimizers import build_keras_optimizer

    tf = tensorflow()
    batches, task = _batches(m, n, batch)

    def build():
        model = make_keras_model(model_name, n, 1, layers=layers, seed=0)
        optimizer = build_keras_optimizer("adam", lrate=1e-3)
        optimizer.build(model.trainable_variables)
        return model, optimizer

    loop_model, loop_opt = build()
    ours = TapeEpoch(loop_model, loop_opt, batches, task)
    fit_model, fit_opt = build()
    fit_model.compile(optimizer=fit_opt, loss=keras_loss(task), jit_compile=False)
    X = tf.constant(np.concatenate([xb.numpy() for xb, _ in batches]))
    y = tf.constant(np.concatenate([yb.numpy() for _, yb in batches]))
    data = tf.data.Dataset.from_tensor_slices((X, y)).batch(batch)  # the same batches, in order

    def loop_epoch():
        ours.run(1, 0)

    def fit_epoch():
        fit_model.fit(data, epochs=1, verbose=0, shuffle=False)

    timings = time_side_by_side({"loop": loop_epoch, "fit": fit_epoch}, repeat=repeat)
    loop, keras_fit = timings["loop"], timings["fit"]
    detail = {"samples": m, "features": n, "batch_size": batch, "steps": len(batches)}
    cases = [
        Case(f"keras {label} descentlab loop", loop.median, loop.rate(m), "samples/s", detail),
        Case(f"keras {label} model.fit", keras_fit.median, keras_fit.rate(m), "samples/s", detail),
    ]
    ratio = Ratio(
        f"keras {label} descentlab loop / model.fit",
        loop.median / keras_fit.median,
        KERAS_TARGET,
        higher_is_better=False,
        meaning="our GradientTape loop's epoch time over Keras fit's, same model, Adam, batches",
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
        for compare in (_compare, _compare_keras):
            more, ratio = compare(label, model, layers, m, 16, 32, repeat)
            cases += more
            ratios.append(ratio)
    return Benchmark(
        name="trainer",
        setting=(
            f"CPU float32, {m} x 16, batch 32, Adam, MSE; torch and Keras (TensorFlow, no XLA); "
            f"one epoch per call, alternating sides, median of {repeat}"
        ),
        cases=cases,
        ratios=ratios,
    )
