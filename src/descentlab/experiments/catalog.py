"""The experiments by name, without importing them: module, SPEC section and one-line summary.

NOTE [instant catalog]: `descentlab list`, `--help` and the refusal of an unknown name read this
table only, so they never wait for an experiment's dependencies (PyTorch, scikit-learn, numba,
matplotlib). Each experiment module takes its name, section and summary from here
(:func:`catalog_fields`), so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOG", "Entry", "catalog_fields"]


@dataclass(frozen=True)
class Entry:
    """Where an experiment lives and how `descentlab list` describes it."""

    module: str
    spec: str
    summary: str


CATALOG: dict[str, Entry] = {
    "gd-onefeature": Entry(
        "gd_onefeature",
        "§2.1",
        "Gradient descent on one feature: loss vs weight and loss vs epoch.",
    ),
    "lr-sweep": Entry(
        "lr_sweep",
        "§2.2",
        "Learning-rate sweep: which rates converge, oscillate, diverge or are too slow.",
    ),
    "gd-multifeature": Entry(
        "gd_multifeature",
        "§2.3",
        "Gradient descent on 4 features: NumPy and PyTorch histories overlaid and compared.",
    ),
    "minibatch-sgd": Entry(
        "minibatch_sgd",
        "§2.4",
        "Mini-batch SGD at batch sizes 1, 10 and 100: trajectories and batch losses.",
    ),
    "batch-compare": Entry(
        "batch_compare",
        "§2.5",
        "Full batch vs mini-batch vs single-sample SGD on matched epochs, "
        "gradient evaluations and wall time, over seeds.",
    ),
    "optimizers": Entry(
        "optimizers",
        "§2.6",
        "SGD, momentum, Nesterov, Adagrad, RMSprop, Adam(W), Adam variants: linear or MLP.",
    ),
    "schedulers": Entry(
        "schedulers",
        "§2.7",
        "StepLR, ExponentialLR, cosine, plateau, warm-up and one-cycle: rate per step, loss.",
    ),
    "minima": Entry(
        "minima",
        "§2.8",
        "Local vs global minimum of x·cos(πx) by start and lrate; optimizers on 2-D surfaces.",
    ),
    "loaders": Entry(
        "batching_lab",
        "§2.9",
        "Batching methods: time per epoch, loader overhead, peak memory, equal batch order.",
    ),
    "keras-dense": Entry(
        "keras_dense",
        "§2.10",
        "Keras dense 64-32-16 networks from tf.data at batch 16, 64, 256 and full: equal epochs "
        "and equal updates, timed, over seeds.",
    ),
    "devices": Entry(
        "devices",
        "§2.11",
        "CPU vs CUDA: time per epoch (warm-up, synchronised) and agreeing trajectories.",
    ),
    "lr-find": Entry(
        "lr_find",
        "§2.12",
        "Learning-rate range test on the linear model or an MLP: loss vs rate, suggested rate.",
    ),
}


def catalog_fields(name: str) -> dict[str, str]:
    """``name``, ``spec`` and ``summary`` of a catalogued experiment, for its ``Experiment``."""
    entry = CATALOG[name]
    return {"name": name, "spec": entry.spec, "summary": entry.summary}
