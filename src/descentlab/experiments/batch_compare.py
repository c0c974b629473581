"""SPEC §2.5: full batch vs mini-batch vs single-sample SGD, compared on matched budgets.

Every method starts from the same initial weight (drawn from the seed, NOTE [seed streams]) on
the same data with the same lrate; only the batch size differs. For each seed, each method is
compared four ways:

* matched epochs — every method sees each sample once per epoch;
* matched gradient evaluations — counted in sample-gradients (a batch of ``b`` rows costs ``b``),
  the state after the last update that fits in the budget (full batch makes no update until a
  whole epoch is paid for);
* matched updates — after the same number of weight updates (the comparison that flatters small
  batches, shown because it is the one often made by accident, SPEC §6);
* matched wall time — each method trains epoch after epoch until its measured training time
  reaches the budget (see NOTE [wall-time budget]).

Time per epoch is measured (``descentlab.measure.time_repeated``: warm-up, median of repeats) and
peak memory is read from the process (``descentlab.measure.PeakMemory``: sampled RSS and
``tracemalloc``) while the epochs-budget trajectory is trained and recorded.

NOTE [wall-time budget]: the budget counts training only. Each epoch call is timed on its own
(``descentlab.measure.time_call``) and the clock stops while the loss and distance are evaluated,
which happens after the run on the saved epoch-end weights. A method stops after the first epoch
that reaches the budget; its value "at the budget" is the last epoch end within it. With
``time_budget=0`` the budget is the time the slowest method needs for ``epochs`` epochs (its
median time per epoch × ``epochs``), so that method gets about the epochs budget and the others
what they can do in the same time — but never less than ``MIN_AUTO_BUDGET`` (20 ms): on a busy
machine one scheduler time slice lasts milliseconds, and a budget of the same size would measure
the scheduler rather than the methods. Wall-time results depend on the machine and its load;
everything else is reproducible from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.data import Dataset
from descentlab.divergence import minibatch_divergence
from descentlab.experiments.base import Experiment, Outcome, trial_record
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import load_data
from descentlab.experiments.training_config import TimedTrainingConfig
from descentlab.linear import fast_backend, get_backend, least_squares
from descentlab.linear.batches import batch_indices
from descentlab.linear.initial import batch_rng, initial_weight
from descentlab.measure import PeakMemory, time_call, time_repeated
from descentlab.store.records import TrialRecord
from descentlab.validation import (
    InputValueError,
    check_nonnegative_float,
    check_positive_float,
    check_positive_int,
)

__all__ = ["METHODS", "BatchCompareConfig", "run"]

METHODS = ("full batch", "mini-batch", "single-sample")
MAX_BUDGET_EPOCHS = 100_000
MIN_AUTO_BUDGET = 0.02
CURVE_POINTS = 120


@dataclass(frozen=True)
class BatchCompareConfig(TimedTrainingConfig):
    n_samples: int = 1000
    n_features: int = 10
    batch_size: int = 32
    lrate: float = 0.01
    epochs: int = 20
    n_seeds: int = 3
    eval_budgets: tuple[float, ...] = (0.1, 1.0, 5.0)
    time_budget: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive_int("n_seeds", self.n_seeds)
        if not self.eval_budgets:
            raise InputValueError("eval_budgets must list at least one budget in epochs, got ()")
        for budget in self.eval_budgets:
            check_positive_float("eval_budget", budget)
        check_nonnegative_float("time_budget", self.time_budget)


def default_data(config: BatchCompareConfig) -> Dataset:
    return load_data(config, config.n_features)


class _KernelSGD:
    """A backend's own step kernel over the same batch orders, one epoch per call (the torch
    counterpart of :class:`~descentlab.linear.fast_backend.CompiledSGD`)."""

    def __init__(self, backend: Any, X: np.ndarray, y: np.ndarray, w0: np.ndarray, b: int,
                 lrate: float, rng: np.random.Generator) -> None:  # fmt: skip
        self.backend, self.batch_size, self.lrate, self.rng = backend, b, lrate, rng
        self.X, self.y, self.w, self.restore = backend.native(X, y, w0.reshape(-1, 1))

    def epoch(self) -> None:
        for idx in batch_indices(len(self.X), self.batch_size, rng=self.rng):
            batch = self.backend.take(self.X, idx), self.backend.take(self.y, idx)
            self.w, _ = self.backend.step(*batch, self.w, self.lrate)

    @property
    def weight(self) -> np.ndarray:
        return np.asarray(self.restore(self.w), dtype=np.float64).ravel()  # NumPy in, NumPy out


def _runner(config: BatchCompareConfig, X: np.ndarray, y: np.ndarray, b: int, seed: int) -> Any:
    w0, rng = initial_weight(X.shape[1], seed).ravel(), batch_rng(seed)
    if config.backend == "numpy":
        return fast_backend.CompiledSGD(X, y.ravel(), w0, b, config.lrate, rng)
    return _KernelSGD(get_backend(config.backend), X, y, w0, b, config.lrate, rng)


def _loss_and_distance(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, w_star: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Full-data MSE and ``||w - w*||`` at each row of ``W`` (k, n), in chunks of weights."""
    losses = np.empty(len(W))
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, len(W), 256):
            chunk = W[start : start + 256]
            losses[start : start + 256] = np.mean((y - X @ chunk.T) ** 2, axis=0)
        distances = np.linalg.norm(W - w_star.ravel(), axis=1)
    return losses, distances


def _evals_per_update(m: int, b: int, epochs: int) -> np.ndarray:
    """Cumulative sample-gradients after 0, 1, 2, … updates (the last batch may be partial)."""
    sizes = [b] * (m // b) + ([m % b] if m % b else [])
    return np.concatenate([[0], np.cumsum(np.tile(sizes, epochs))])


def _curve_points(steps: int, steps_per_epoch: int) -> np.ndarray:
    """Update counts to evaluate: log-spaced, plus every epoch end."""
    spaced = np.round(np.logspace(0, np.log10(max(steps, 1)), CURVE_POINTS)).astype(int)
    ends = np.arange(0, steps + 1, steps_per_epoch)
    return np.unique(np.concatenate([[0], spaced, ends, [steps]]).clip(0, steps))


def _at_most(values: np.ndarray, budget: float) -> int:
    """Index of the last entry of the non-decreasing ``values`` within ``budget``."""
    return int(np.searchsorted(values, budget, side="right")) - 1


def _stats(values: list[float]) -> dict[str, float]:
    array = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # a diverged seed's inf gives std nan
        return {
            "mean": float(array.mean()),
            "std": float(array.std()),
            "min": float(array.min()),
            "max": float(array.max()),
        }


def _trajectory(config: BatchCompareConfig, X: np.ndarray, y: np.ndarray, b: int, seed: int):
    """The epochs-budget run with every update recorded, and the peak memory it took."""
    backend = fast_backend.BACKEND if config.backend == "numpy" else get_backend(config.backend)
    with PeakMemory() as probe:
        history = backend.minibatchSGD(X, y, b, config.epochs, config.lrate, seed=seed)
    return history, probe.result


def _wall_time_run(runner: Any, budget: float) -> tuple[np.ndarray, np.ndarray]:
    """Epoch-end weights and cumulative training seconds (NOTE [wall-time budget])."""
    weights, seconds, spent = [runner.weight], [0.0], 0.0
    while spent < budget and len(seconds) <= MAX_BUDGET_EPOCHS:
        _, took = time_call(runner.epoch)
        spent += took
        weights.append(runner.weight)
        seconds.append(spent)
        if not np.isfinite(weights[-1]).all():
            break
    return np.asarray(weights), np.asarray(seconds)


def run(config: BatchCompareConfig, data: Dataset) -> Outcome:
    X, y = data.X, data.y
    m = X.shape[0]
    w_star = np.asarray(least_squares(X, y), dtype=np.float64)
    optimum_loss = float(np.mean((y - X @ w_star) ** 2))
    sizes = {"full batch": m, "mini-batch": min(config.batch_size, m), "single-sample": 1}
    seeds = [config.seed + k for k in range(config.n_seeds)]
    runners, per_epoch = {}, {}
    for method, b in sizes.items():
        for seed in seeds:
            runners[method, seed] = _runner(config, X, y, b, seed)
            timing = time_repeated(runners[method, seed].epoch, repeat=config.repeat, warmup=1)
            per_epoch[method, seed] = timing
    slowest = max(t.median for t in per_epoch.values())
    budget = config.time_budget or max(MIN_AUTO_BUDGET, config.epochs * slowest)

    trials, runs = [], []
    for method, b in sizes.items():
        for seed in seeds:
            record, trial = _compare(config, X, y, w_star, method, b, seed, budget)
            record["time_per_epoch"] = per_epoch[method, seed].as_dict()
            runs.append(record)
            trials.append(trial)
    results = {
        "optimum_weights": w_star.ravel().tolist(),
        "optimum_loss": optimum_loss,
        "seeds": seeds,
        "batch_sizes": sizes,
        "time_budget_s": budget,
        "time_budget_rule": (
            "given"
            if config.time_budget
            else "epochs × the slowest method's median time per epoch, at least 20 ms"
        ),
        "runs": runs,
        "summary": _summaries(runs),
    }
    plot_data = {"methods": list(sizes), "lrate": config.lrate, "epochs": config.epochs}
    return Outcome(results, trials, plot_data)


def _compare(
    config: BatchCompareConfig,
    X: np.ndarray,
    y: np.ndarray,
    w_star: np.ndarray,
    method: str,
    b: int,
    seed: int,
    budget: float,
) -> tuple[dict[str, Any], TrialRecord]:
    """One method and seed on every budget: the results record and the stored trial."""
    m = X.shape[0]
    history, memory = _trajectory(config, X, y, b, seed)
    W = np.asarray(history.weights, dtype=np.float64).reshape(len(history.weights), X.shape[1])
    per = history.steps_per_epoch
    evals_at = _evals_per_update(m, b, config.epochs)[: len(W)]
    by_evals = [max(0, _at_most(evals_at, e * m)) for e in config.eval_budgets]
    matched_updates = min(config.epochs, len(W) - 1)
    points = np.unique(
        np.concatenate([_curve_points(len(W) - 1, per), by_evals, [matched_updates]])
    )
    loss, distance = _loss_and_distance(X, y, W[points], w_star)
    epoch_loss, epoch_distance = _loss_and_distance(X, y, W[:: max(per, 1)], w_star)
    time_W, seconds = _wall_time_run(_runner(config, X, y, b, seed), budget)
    time_loss, time_distance = _loss_and_distance(X, y, time_W, w_star)

    def state(k: int) -> dict[str, Any]:
        i = int(np.searchsorted(points, k))
        return {"updates": int(k), "loss": float(loss[i]), "distance": float(distance[i])}

    within = _at_most(seconds, budget)
    record = {
        "method": method,
        "seed": seed,
        "batch_size": b,
        "steps_per_epoch": per,
        "status": history.status,
        "matched_epochs": {"epochs": config.epochs, **state(len(W) - 1)},
        "matched_evals": [
            {"budget_epochs": e, "sample_gradients": int(e * m), **state(k)}
            for e, k in zip(config.eval_budgets, by_evals, strict=True)
        ],
        "matched_updates": state(matched_updates),
        "matched_time": {
            "budget_s": budget,
            "epochs": within,
            "time_s": float(seconds[within]),
            "loss": float(time_loss[within]),
            "distance": float(time_distance[within]),
        },
        "peak_memory": memory.as_dict(),
    }
    divergence = minibatch_divergence(
        np.asarray(history.batch_losses, dtype=np.float64),
        np.asarray(history.epoch_losses, dtype=np.float64),
        config.lrate,
        name=f"{method} seed {seed}",
    )
    record["divergence"] = None if divergence is None else divergence.as_json()
    trial = trial_record(
        f"{method} seed={seed}",
        {"method": method, "batch_size": b, "seed": seed, "lrate": config.lrate},
        {
            "updates": points.astype(np.float64),
            "evals": evals_at[points].astype(np.float64),
            "loss": loss,
            "distance": distance,
            "epoch_loss": epoch_loss,
            "epoch_distance": epoch_distance,
            "time_s": seconds,
            "time_loss": time_loss,
            "time_distance": time_distance,
        },
        {k: record[k] for k in ("method", "seed", "batch_size", "status")},
        divergence,
    )
    return record, trial


def _summaries(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per method: mean, std, min and max over seeds of every compared number."""
    summary = {}
    for method in METHODS:
        mine = [r for r in runs if r["method"] == method]
        entry: dict[str, Any] = {}
        for key in ("matched_epochs", "matched_updates", "matched_time"):
            entry[key] = {q: _stats([r[key][q] for r in mine]) for q in ("loss", "distance")}
        entry["matched_evals"] = [
            {
                "budget_epochs": budget["budget_epochs"],
                **{
                    q: _stats([r["matched_evals"][i][q] for r in mine])
                    for q in ("loss", "distance")
                },
            }
            for i, budget in enumerate(mine[0]["matched_evals"])
        ]
        entry["epochs_within_time_budget"] = _stats([r["matched_time"]["epochs"] for r in mine])
        entry["time_per_epoch_s"] = _stats([r["time_per_epoch"]["median_s"] for r in mine])
        for key in ("rss_increase_bytes", "traced_peak_bytes"):
            entry[f"peak_{key}"] = _stats([r["peak_memory"][key] or 0 for r in mine])
        summary[method] = entry
    return summary


def headline(results: dict[str, Any]) -> str:
    """Mean distance to the optimum per method after the epochs budget and the time budget."""
    parts = []
    for method, entry in results["summary"].items():
        epochs = entry["matched_epochs"]["distance"]["mean"]
        timed = entry["matched_time"]["distance"]["mean"]
        parts.append(f"{method} ‖w−w*‖ {epochs:.3g} (epochs), {timed:.3g} (time)")
    return "; ".join(parts)


EXPERIMENT = Experiment(
    **catalog_fields("batch-compare"),
    config_type=BatchCompareConfig,
    default_data=default_data,
    run=run,
    headline=headline,
)
