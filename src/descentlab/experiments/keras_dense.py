"""SPEC §2.10: dense 64-32-16 ReLU networks in Keras, trained by ``model.fit`` from a ``tf.data``
pipeline at batch sizes 16, 64, 256 and the full batch, on matched budgets, timed, over seeds.

Two tasks: regression on ``make_regression(10000, 20, noise=0.1)`` (MSE loss, MAE metric) and
binary classification on ``make_classification(10000, 20, n_redundant=0)`` (binary
cross-entropy, accuracy). A seeded ``val_fraction`` of the rows (drawn from ``data_seed``, the
same for every run) is held out; features — and the regression target — are standardised with
the training part's mean and standard deviation (NOTE [split scaling]), so the regression loss
and MAE are in units of the target's standard deviation.

For each task, batch size and seed, the network starts from the seed's initial weights (the same
for every batch size, NOTE [keras determinism]) and is trained twice (NOTE [matched budgets]):

* equal epochs — ``epochs`` passes over the training part, validation after each epoch;
* equal updates — exactly ``updates`` optimizer steps (the full batch makes one per epoch, batch
  16 hundreds), validated once at the end.

Batches come from :func:`descentlab.loading.tf_data.epoch_stream`: a ``tf.data`` pipeline with a
new seeded permutation every epoch, batch, prefetch (the permutation the lab's loaders draw from
the same seed). Time per epoch is each epoch's training measured apart from its validation, the
first epoch of every ``fit`` left out as the warm-up (function tracing, iterator start-up), the
median of the rest reported (each update's loss is read back for the divergence check, a small
read that is part of the timed epoch); it depends on the machine and its load, everything else is
reproducible from the seed.

NOTE [matched budgets]: the two budgets answer different questions. Per epoch, every batch size
sees each sample once and small batches make many more updates; per update, large batches see
more samples. The update counts are read back from the optimizer's step counter after each fit
(``updates`` in every run's record), never assumed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.data import Dataset, classification_data, load_file, regression_data
from descentlab.data.split import split_dataset
from descentlab.divergence import Divergence
from descentlab.experiments.base import Experiment, Outcome, trial_record
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import RegressionDataConfig
from descentlab.linear.inputs import check_lrate
from descentlab.store.records import TrialRecord
from descentlab.validation import (
    InputValueError,
    check_bool,
    check_choice,
    check_int,
    check_positive_int,
    check_unit_interval,
)

__all__ = ["BUDGETS", "TASKS", "KerasDenseConfig", "run"]

TASKS = ("regression", "classification")
BUDGETS = ("epochs", "updates")
OPTIMIZER_NAMES = ("adam", "sgd")  # keras_training.OPTIMIZERS, without importing Keras here
METRIC_NAMES = {"regression": "mae", "classification": "accuracy"}
MAX_UPDATES = 10_000_000


@dataclass(frozen=True)
class KerasDenseConfig(RegressionDataConfig):
    backend: str = "tf"  # Keras on TensorFlow; the other backends do not apply
    n_samples: int = 10000
    noise: float = 0.1
    n_features: int = 20
    tasks: tuple[str, ...] = TASKS
    layers: tuple[int, ...] = (64, 32, 16)
    batch_sizes: tuple[int, ...] = (16, 64, 256)
    full_batch: bool = True
    """Also train with the whole training part as one batch."""
    epochs: int = 5
    """The equal-epochs budget; the first epoch is the untimed warm-up, so at least 2."""
    updates: int = 100
    """The equal-updates budget: optimizer steps for every batch size."""
    n_seeds: int = 3
    val_fraction: float = 0.2
    optimizer: str = "adam"
    lrate: float = 0.001
    prefetch: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("backend", self.backend, ("tf",))
        check_positive_int("n_features", self.n_features)
        if self.n_features < 2:
            raise InputValueError(
                f"n_features must be at least 2 (make_classification needs two), got "
                f"{self.n_features}"
            )
        if not self.tasks:
            raise InputValueError("tasks must list at least one task, got ()")
        for task in self.tasks:
            check_choice("tasks", task, TASKS)
        if len(set(self.tasks)) != len(self.tasks):
            raise InputValueError(f"tasks must not repeat a task, got {self.tasks}")
        if self.data and len(self.tasks) != 1:
            raise InputValueError(
                "tasks must name the one task of the data file (regression or classification), "
                f"got {','.join(self.tasks)}"
            )
        if not self.layers:
            raise InputValueError("layers must list at least one hidden width, got ()")
        for width in self.layers:
            check_positive_int("layers entry", width)
        for size in self.batch_sizes:
            check_positive_int("batch_size", size)
        check_bool("full_batch", self.full_batch)
        if not self.batch_sizes and not self.full_batch:
            raise InputValueError(
                "batch_sizes must list a batch size when full_batch is false, got ()"
            )
        check_int("epochs", self.epochs, minimum=2)
        check_positive_int("updates", self.updates)
        if self.updates > MAX_UPDATES:
            raise InputValueError(f"updates must be at most {MAX_UPDATES}, got {self.updates}")
        check_positive_int("n_seeds", self.n_seeds)
        check_unit_interval("val_fraction", self.val_fraction)
        if not 0 < self.val_fraction < 1:
            raise InputValueError(
                f"val_fraction must be in (0, 1) (the metrics are validation metrics), got "
                f"{self.val_fraction}"
            )
        check_choice("optimizer", self.optimizer, OPTIMIZER_NAMES)
        check_lrate(self.lrate)
        check_int("prefetch", self.prefetch, minimum=0)


def _builtin(task: str, config: KerasDenseConfig) -> Dataset:
    if task == "classification":
        return classification_data(
            config.n_samples, config.n_features, random_state=config.data_seed
        )
    return regression_data(
        config.n_samples, config.n_features, noise=config.noise, random_state=config.data_seed
    )


def default_data(config: KerasDenseConfig) -> Dataset:
    """The first task's data: the user's file (then the only task), else the built-in set."""
    if not config.data:
        return _builtin(config.tasks[0], config)
    data = load_file(config.data, target=config.target, features=config.features)
    if config.tasks[0] == "classification":
        labels = set(np.unique(data.y).tolist())
        if not labels <= {0.0, 1.0}:
            shown = sorted(labels)[:5]
            raise InputValueError(
                f"target must hold the classes 0 and 1 for task classification, got {shown}"
            )
    return data


@dataclass(frozen=True)
class _Problem:
    task: str
    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    described: dict[str, Any]
    validation: Any = None
    """The validation part as a batched ``tf.data.Dataset`` (in order, no shuffle)."""


def _problem(task: str, data: Dataset, config: KerasDenseConfig) -> _Problem:
    """The seeded split (``data_seed``), standardised by the training part (NOTE [split
    scaling]): features always, the target for regression; float32 for Keras."""
    train, val, _ = split_dataset(
        data, config.val_fraction, seed=config.data_seed, scale_target=task == "regression"
    )
    if val is None:  # val_fraction is checked to be in (0, 1)
        raise InputValueError(f"val_fraction must hold out rows, got {config.val_fraction}")

    def f32(array: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(array, dtype=np.float32).reshape(len(array), -1)

    from descentlab.experiments.keras_training import validation_batches

    X_val, y_val = f32(val.X), f32(val.y)
    return _Problem(
        task,
        f32(train.X),
        f32(train.y),
        X_val,
        y_val,
        {**data.describe(), "n_train": train.n_samples, "n_val": val.n_samples},
        validation_batches(X_val, y_val),
    )


def batch_sizes(config: KerasDenseConfig, n_train: int) -> list[int]:
    """The batch sizes run, ascending: a size above the training rows is the full batch."""
    sizes = [min(b, n_train) for b in config.batch_sizes]
    if config.full_batch:
        sizes.append(n_train)
    return sorted(set(sizes))


def _batches_per_epoch(n: int, b: int) -> int:
    return -(-n // b)


def _fit(
    dense: Any,
    problem: _Problem,
    config: KerasDenseConfig,
    weights: list,
    b: int,
    seed: int,
    budget: str,
) -> dict[str, Any]:
    """One budget's ``fit`` from the seed's initial weights: the per-epoch curves, the final
    validation numbers, the counted updates, the epochs' training seconds and where it
    diverged."""
    from descentlab.experiments.keras_training import epoch_clock, update_watch
    from descentlab.loading.tf_data import epoch_stream

    per_epoch = _batches_per_epoch(len(problem.X), b)
    if budget == "epochs":
        data_epochs, keras_epochs, limit = config.epochs, config.epochs, None
    else:
        data_epochs = keras_epochs = _batches_per_epoch(config.updates, per_epoch)
        limit = config.updates
    stream = epoch_stream(
        problem.X, problem.y, b, epochs=data_epochs, seed=seed, prefetch=config.prefetch
    )
    dense.restart(weights)
    clock, watch = epoch_clock(), update_watch(limit)
    history = dense.model.fit(
        stream,
        epochs=keras_epochs,
        steps_per_epoch=per_epoch,
        validation_data=problem.validation if budget == "epochs" else None,
        callbacks=[clock, watch],
        shuffle=False,  # the stream is shuffled, epoch by epoch
        verbose=0,
    ).history
    metric = METRIC_NAMES[problem.task]
    curves = {
        "loss": np.asarray(history.get("loss", []), dtype=np.float64),
        "metric": np.asarray(history.get(metric, []), dtype=np.float64),
        "val_loss": np.asarray(history.get("val_loss", []), dtype=np.float64),
        "val_metric": np.asarray(history.get(f"val_{metric}", []), dtype=np.float64),
        "epoch_s": np.asarray(clock.seconds, dtype=np.float64),
    }
    if budget == "epochs" and len(curves["val_loss"]):
        final = {"loss": float(curves["val_loss"][-1]), metric: float(curves["val_metric"][-1])}
    else:
        final = dense.model.evaluate(problem.validation, verbose=0, return_dict=True)
    return {
        "curves": curves,
        "val_loss": float(final["loss"]),
        "val_metric": float(final[metric]),
        "updates": dense.updates,
        "epochs_run": len(clock.seconds),
        "batches_per_epoch": per_epoch,
        "seen": watch.seen,
    }


def _timing(seconds: np.ndarray, per_epoch: int) -> dict[str, Any] | None:
    """Median, min and max of the timed epochs (every epoch after the first, NOTE [keras
    reuse]); None when the fit stopped before a second epoch."""
    timed = [float(s) for s in seconds[1:]]
    if not timed:
        return None
    median = statistics.median(timed)
    return {
        "median_s": median,
        "min_s": min(timed),
        "max_s": max(timed),
        "samples_s": timed,
        "per_update_s": median / per_epoch,
        "warmup_s": float(seconds[0]),
    }


def _record(
    problem: _Problem, config: KerasDenseConfig, b: int, seed: int, budget: str, fit: dict
) -> tuple[dict[str, Any], TrialRecord]:
    n_train = len(problem.X)
    expected = config.epochs * fit["batches_per_epoch"] if budget == "epochs" else config.updates
    divergence = None
    label = f"{problem.task} b={b} seed={seed} equal {budget}"
    if fit["seen"] is not None:
        epoch, step, loss = fit["seen"]
        divergence = Divergence(epoch, step, config.lrate, loss, name=label)
    record = {
        "task": problem.task,
        "batch_size": b,
        "full_batch": b == n_train,
        "seed": seed,
        "budget": budget,
        "updates": fit["updates"],
        "expected_updates": expected,
        "epochs_run": fit["epochs_run"],
        "batches_per_epoch": fit["batches_per_epoch"],
        "val_loss": fit["val_loss"],
        "val_metric": fit["val_metric"],
        "final_train_loss": float(fit["curves"]["loss"][-1])
        if len(fit["curves"]["loss"])
        else None,
        "time_per_epoch": _timing(fit["curves"]["epoch_s"], fit["batches_per_epoch"])
        if budget == "epochs"
        else None,
        "status": "finished" if divergence is None else "diverged",
        "divergence": None if divergence is None else divergence.as_json(),
    }
    trial = trial_record(
        label,
        {"task": problem.task, "batch_size": b, "seed": seed, "budget": budget},
        fit["curves"],
        {k: record[k] for k in ("task", "batch_size", "seed", "budget", "updates", "status")},
        divergence,
    )
    return record, trial


def _stats(values: list[float]) -> dict[str, float]:
    array = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return {
            "mean": float(array.mean()),
            "std": float(array.std()),
            "min": float(array.min()),
            "max": float(array.max()),
        }


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per task, budget and batch size: mean, std, min and max over the seeds."""
    summary: dict[str, Any] = {}
    for run in runs:
        task = summary.setdefault(run["task"], {})
        task.setdefault(run["budget"], {}).setdefault(str(run["batch_size"]), []).append(run)
    for budgets in summary.values():
        for budget, by_size in budgets.items():
            for size, mine in by_size.items():
                entry = {q: _stats([r[q] for r in mine]) for q in ("val_loss", "val_metric")}
                entry["updates"] = sorted({r["updates"] for r in mine})
                times = [r["time_per_epoch"]["median_s"] for r in mine if r["time_per_epoch"]]
                if budget == "epochs" and times:
                    entry["time_per_epoch_s"] = _stats(times)
                by_size[size] = entry
    return summary


def _headline(results: dict[str, Any]) -> str:
    parts = []
    for task, budgets in results["summary"].items():
        metric = results["tasks"][task]["metric"]
        for budget, by_size in budgets.items():
            values = ", ".join(
                f"b={size} {entry['val_metric']['mean']:.3g}" for size, entry in by_size.items()
            )
            parts.append(f"{task} val {metric} at equal {budget}: {values}")
    return "; ".join(parts)


def run(config: KerasDenseConfig, data: Dataset) -> Outcome:
    from descentlab.experiments.keras_training import initial_weights, make_dense_model

    seeds = [config.seed + k for k in range(config.n_seeds)]
    runs, trials, tasks = [], [], {}
    for index, task in enumerate(config.tasks):
        problem = _problem(task, data if index == 0 else _builtin(task, config), config)
        n_features = problem.X.shape[1]
        dense = make_dense_model(
            n_features, config.layers, task, optimizer=config.optimizer, lrate=config.lrate
        )
        sizes = batch_sizes(config, len(problem.X))
        tasks[task] = {
            "data": problem.described,
            "metric": METRIC_NAMES[task],
            "loss": "binary cross-entropy" if task == "classification" else "MSE",
            "batch_sizes": sizes,
        }
        for seed in seeds:  # every batch size of a seed back to back: the load drifts alike
            weights = initial_weights(n_features, config.layers, task, seed)
            for b in sizes:
                for budget in BUDGETS:
                    fit = _fit(dense, problem, config, weights, b, seed, budget)
                    record, trial = _record(problem, config, b, seed, budget, fit)
                    runs.append(record)
                    trials.append(trial)
    results = {
        "tasks": tasks,
        "seeds": seeds,
        "epochs": config.epochs,
        "updates": config.updates,
        "optimizer": {"name": config.optimizer, "lrate": config.lrate},
        "layers": list(config.layers),
        "determinism": (
            "seeded Glorot-uniform kernels per layer and the seeded tf.data epoch permutation; "
            "op determinism on, jit_compile off: same seed, same bits on one machine"
        ),
        "timing": "training only, validation excluded; first epoch of each fit is the warm-up",
        "runs": runs,
    }
    results["summary"] = _summary(runs)
    results["headline"] = _headline(results)
    plot_data = {"tasks": list(config.tasks), "budgets": list(BUDGETS)}
    return Outcome(results, trials, plot_data)


def headline(results: dict[str, Any]) -> str:
    return results["headline"]


EXPERIMENT = Experiment(
    **catalog_fields("keras-dense"),
    config_type=KerasDenseConfig,
    default_data=default_data,
    run=run,
    headline=headline,
)
