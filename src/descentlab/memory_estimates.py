"""The memory a run will need, estimated from its config before it starts, and the refusal.

NOTE [memory estimates]: a size typed by mistake (``epochs=99999999999999999999``,
``--layers 100000000``) would otherwise start a run that grows until the machine swaps or the
kernel kills it. Each estimate adds the dominant terms only: the data (kept in a few copies:
raw, standardised, as tensors), the parameters with their gradients and optimizer state, and the
recorded history. A recorded value is counted at ``RECORD_BYTES``: it lives as a Python float in
a list, a NumPy copy, a row in the store and a number in the JSON files. The estimate is meant
to catch sizes that are wrong by orders of magnitude, not to predict a run's peak to the byte.

The limit is passed in; only the command line reads the machine (:func:`available_memory`).
Stdlib only: this module is imported before any run, by the command line.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from descentlab.validation import InputError, InputValueError

__all__ = [
    "RECORD_BYTES",
    "available_memory",
    "check_memory",
    "experiment_bytes",
    "format_bytes",
    "memory_limit",
    "training_bytes",
]

RECORD_BYTES = 64
FLOAT_BYTES = 8
DATA_COPIES = 4
# parameter, gradient and up to two optimizer moments, float32 in training
PARAMETER_COPIES = 4
TRAIN_FLOAT_BYTES = 4
# inputs of the built-in sets, so a model's size is known before the data is loaded
BUNDLED_FEATURES = {"digits": 64, "breast_cancer": 30, "wine": 13, "diabetes": 10}


def available_memory() -> int | None:
    """Bytes of memory available now (``MemAvailable``, else free pages); None when unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def memory_limit() -> int | None:
    """The most one run may plan to use: half of the memory available now."""
    available = available_memory()
    return None if available is None else available // 2


def format_bytes(count: int | float) -> str:
    """``1536`` → ``'1.5 KiB'``; huge counts stay readable (``'8.7e+19 B'``)."""
    units = (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20))
    for unit, size in (*units, ("KiB", 2**10)):
        if count >= size:
            value = count / size
            return f"{value:.3g} {unit}" if value < 1e4 else f"{count:.2g} B"
    return f"{int(count)} B"


def _file_bytes(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # a missing file is refused by the loader, with its own message


def _data_bytes(config: Any, n_features: int) -> int:
    if getattr(config, "data", ""):
        return DATA_COPIES * _file_bytes(config.data)
    n_samples = getattr(config, "n_samples", 0)
    return DATA_COPIES * FLOAT_BYTES * n_samples * (n_features + 1)


def _steps(config: Any, batch_size: int) -> int:
    """Updates per epoch of mini-batches of ``batch_size`` over the config's samples."""
    n_samples = getattr(config, "n_samples", 1)
    return max(1, math.ceil(n_samples / max(1, batch_size)))


def _network(inputs: int, layers: tuple[int, ...], outputs: int) -> int:
    """Weights and biases of the affine maps ``inputs → layers → outputs``."""
    widths = (inputs, *layers, outputs)
    return sum((a + 1) * b for a, b in itertools.pairwise(widths))


def _parameter_bytes(parameters: int) -> int:
    return PARAMETER_COPIES * TRAIN_FLOAT_BYTES * parameters


# Recorded values of each experiment, from its config (the history terms of the estimate).
def _records_gd_onefeature(c: Any) -> int:
    return 3 * (c.epochs + 1)


def _records_lr_sweep(c: Any) -> int:
    return 3 * len(c.lrates) * (c.epochs + 1)


def _records_gd_multifeature(c: Any) -> int:
    return 2 * (c.epochs + 1) * (c.n_features + 2)


def _records_minibatch_sgd(c: Any) -> int:
    return sum(3 * (c.epochs * _steps(c, b) + 1) for b in c.batch_sizes)


def _records_batch_compare(c: Any) -> int:
    epochs = max(c.epochs, math.ceil(max(c.eval_budgets, default=0)))
    per_method = epochs * (c.n_features + 3) + 3 * c.repeat
    return 3 * c.n_seeds * per_method


def _records_linear_problem(runs: int) -> Callable[[Any], int]:
    def records(c: Any) -> int:
        return runs * 3 * c.epochs * _steps(c, c.batch_size)

    return records


def _records_optimizers(c: Any) -> int:
    return _records_linear_problem(len(c.optimizers))(c)


def _records_schedulers(c: Any) -> int:
    return _records_linear_problem(len(c.schedulers))(c)


def _records_minima(c: Any) -> int:
    curve = c.n_starts * len(c.lrates) * (c.steps + 1) * 2
    surfaces = len(c.surfaces) * len(c.optimizers) * (c.surface_steps + 1) * 3
    return curve + surfaces


def _records_loaders(c: Any) -> int:
    return len(c.kinds) * len(c.batch_sizes) * (c.repeat + 1) * 4


def _records_devices(c: Any) -> int:
    return len(c.devices) * (c.epochs * _steps(c, c.batch_size) + c.repeat + c.warmup) * 3


def _records_lr_find(c: Any) -> int:
    return 4 * c.num_steps + 3 * c.train_epochs * _steps(c, c.batch_size)


_RECORDS: dict[str, Callable[[Any], int]] = {
    "gd-onefeature": _records_gd_onefeature,
    "lr-sweep": _records_lr_sweep,
    "gd-multifeature": _records_gd_multifeature,
    "minibatch-sgd": _records_minibatch_sgd,
    "batch-compare": _records_batch_compare,
    "optimizers": _records_optimizers,
    "schedulers": _records_schedulers,
    "minima": _records_minima,
    "loaders": _records_loaders,
    "devices": _records_devices,
    "lr-find": _records_lr_find,
}
# the loaders keep several copies of the data per loader kind (tensors, datasets, batches)
_DATA_FACTOR = {"loaders": 3, "devices": 2}


def experiment_bytes(name: str, config: Any) -> int:
    """Estimated bytes a run of experiment ``name`` with ``config`` needs (NOTE [memory
    estimates]); an experiment without a formula counts its data and ``epochs`` alone."""
    features = 1 if name in ("gd-onefeature", "lr-sweep") else getattr(config, "n_features", 1)
    data = _data_bytes(config, features) * _DATA_FACTOR.get(name, 1)
    records = _RECORDS.get(name, lambda c: 3 * getattr(c, "epochs", 1))(config)
    parameters = 0
    if getattr(config, "model", "linear") == "mlp":
        parameters = _parameter_bytes(_network(features, tuple(config.layers), 1))
    return data + RECORD_BYTES * records + parameters


def training_bytes(config: Any) -> int:
    """Estimated bytes a ``descentlab train`` run with ``config`` (a ``TrainConfig``) needs."""
    dataset = config.dataset
    if dataset in BUNDLED_FEATURES:
        inputs, data = BUNDLED_FEATURES[dataset], 0
    elif dataset in ("regression", "classification"):
        inputs = config.n_features
        data = DATA_COPIES * FLOAT_BYTES * config.n_samples * (config.n_features + 1)
    else:  # a file: its columns are not read yet; its size bounds its data
        inputs, data = 1, DATA_COPIES * _file_bytes(dataset)
    outputs = config.n_classes if config.task == "classify" else 1
    layers = tuple(config.layers or ())
    parameters = _parameter_bytes(_network(inputs, layers, outputs))
    batch = min(config.batch_size, max(1, config.n_samples))
    activations = 2 * TRAIN_FLOAT_BYTES * batch * sum((inputs, *layers, outputs))
    history = RECORD_BYTES * 8 * config.epochs
    return data + parameters + activations + history


def _culprit(config: Any, estimate: Callable[[Any], int], total: int) -> str | None:
    """The field whose own value costs the most memory: set back to its default, it shrinks
    the estimate the most. None when every field has its default."""
    defaults = type(config)()
    best, saving = None, 0
    for field in dataclasses.fields(config):
        default = getattr(defaults, field.name)
        if getattr(config, field.name) == default:
            continue
        try:
            smaller = estimate(dataclasses.replace(config, **{field.name: default}))
        except (InputError, TypeError, AttributeError):  # a default that clashes with others
            continue
        if total - smaller > saving:
            best, saving = field.name, total - smaller
    return best


def _shown(value: Any) -> str:
    if isinstance(value, tuple):  # as typed: --layers 64,32 or --set batch_sizes=1,10
        return repr(",".join(str(item) for item in value))
    return repr(value)


def check_memory(
    config: Any,
    estimate: Callable[[Any], int],
    limit: int | None,
    *,
    spell: Callable[[str], str] = str,
) -> int:
    """Refuse ``config`` when ``estimate(config)`` exceeds ``limit`` bytes; returns the estimate.

    The message names the setting to change (spelt by ``spell``, e.g. as a command-line flag),
    the estimate and the limit. ``limit=None`` (unknown) checks nothing.
    """
    total = estimate(config)
    if limit is None or total <= limit:
        return total
    field = _culprit(config, estimate, total)
    setting = "the run's sizes" if field is None else spell(field)
    value = "the defaults" if field is None else _shown(getattr(config, field))
    raise InputValueError(
        f"{setting} must keep the run's memory estimate within the limit, got {value} "
        f"(about {format_bytes(total)} needed, the limit is {format_bytes(limit)}: half of the "
        "memory available now)"
    )
