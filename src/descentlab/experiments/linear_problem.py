"""The linear least-squares problem the optimizer and schedule experiments share (§2.6–2.7).

NOTE [fair comparison]: the runs of one experiment differ only in the optimizer or the schedule.
Each starts from the same initial weight and sees the same batches in the same order (both
drawn from the run seed, NOTE [seed streams]), for the same number of updates, on standardised
features *and* targets. Raw targets would make the gradients as large as the targets' scale,
which plain SGD feels and the sign-like adaptive methods (Adam, RMSprop) do not; unequal update
counts would favour whichever method was given more.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from descentlab.data import Dataset, standardize
from descentlab.divergence import Divergence
from descentlab.experiments.base import trial_record
from descentlab.experiments.data_config import RegressionDataConfig, load_data
from descentlab.linear import least_squares
from descentlab.linear.batches import batch_indices, n_batches
from descentlab.linear.initial import batch_rng, initial_weight
from descentlab.linear.inputs import check_epochs
from descentlab.optim.schedules import ReduceLROnPlateau
from descentlab.optim.transforms import (
    GradientTransformation,
    LearningRate,
    apply_updates,
    learning_rate_at,
)
from descentlab.store.records import TrialRecord
from descentlab.validation import InputTypeError, InputValueError, check_choice, check_positive_int

__all__ = [
    "MODELS",
    "Descent",
    "LinearProblem",
    "LinearProblemConfig",
    "descend",
    "descent_metrics",
    "descent_trial",
    "linear_problem",
    "problem_data",
]

MODELS = ("linear",)


@dataclass(frozen=True)
class LinearProblemConfig(RegressionDataConfig):
    """The data, model and update budget of a §2.6/§2.7 comparison.

    ``model`` is the plug-in point for other models: a subclass lists the ones it can train in
    ``MODELS`` (``optimizers`` adds ``"mlp"``, :mod:`.mlp_problem`).
    """

    MODELS: ClassVar[tuple[str, ...]] = MODELS

    n_samples: int = 200
    n_features: int = 5
    model: str = "linear"
    batch_size: int = 20
    epochs: int = 30
    drop_last: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive_int("n_features", self.n_features)
        check_choice("model", self.model, self.MODELS)
        check_positive_int("batch_size", self.batch_size)
        check_epochs(self.epochs)
        if not isinstance(self.drop_last, bool):
            raise InputTypeError(f"drop_last must be true or false, got {self.drop_last!r}")
        if self.backend != "numpy":
            raise InputValueError(
                "backend must be 'numpy' for this experiment (its optimizers and schedules are "
                f"the NumPy ones, checked against torch.optim in the tests), got {self.backend!r}"
            )

    def budget(self) -> dict[str, Any]:
        """The keyword arguments of :func:`descend` that every run of the experiment shares."""
        return {
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "seed": self.seed,
            "drop_last": self.drop_last,
        }

    def steps_per_epoch(self, n_samples: int) -> int:
        """Updates in one epoch over ``n_samples`` rows (``batch_size`` too large is an error)."""
        count = n_batches(n_samples, self.batch_size, drop_last=self.drop_last)
        if count == 0:
            raise InputValueError(
                f"batch_size must be at most n_samples when drop_last is true, got "
                f"batch_size={self.batch_size} for {n_samples} samples"
            )
        return count


def problem_data(config: LinearProblemConfig) -> Dataset:
    """The user's file, or ``make_regression`` with ``config.n_features`` features."""
    return load_data(config, config.n_features)


@dataclass(frozen=True)
class LinearProblem:
    """Standardised ``X`` (m, n) and ``y`` (m, 1), and the least-squares optimum on them."""

    X: np.ndarray
    y: np.ndarray
    optimum: np.ndarray
    optimum_loss: float
    target_scaling: dict[str, Any]

    def loss(self, w: np.ndarray) -> float:
        residual = self.y - self.X @ w
        return float(np.mean(residual * residual))

    def distance(self, w: np.ndarray) -> float:
        """Euclidean distance from ``w`` to the least-squares weights."""
        return float(np.linalg.norm(w - self.optimum))


def linear_problem(data: Dataset) -> LinearProblem:
    """Standardise features and targets (NOTE [fair comparison]) and solve least squares."""
    if len(data.y) < 2:  # one sample standardises to all zeros: nothing left to fit
        raise InputValueError(f"data must have at least 2 samples, got {len(data.y)}")
    X, _ = standardize(np.asarray(data.X, dtype=np.float64))
    y, scaling = standardize(np.asarray(data.y, dtype=np.float64).reshape(-1, 1))
    optimum = least_squares(X, y, backend="numpy")
    residual = y - X @ optimum
    return LinearProblem(
        X=X,
        y=y,
        optimum=optimum,
        optimum_loss=float(np.mean(residual * residual)),
        target_scaling={"mean": scaling["mean"][0], "std": scaling["std"][0]},
    )


@dataclass(frozen=True)
class Descent:
    """One run. ``epoch_losses`` and ``distances`` hold the start and the end of every epoch
    (full-data MSE and ‖w − w*‖); ``batch_losses`` (the batch MSE at the incoming weight),
    ``lrates`` (the rate that update used) and ``weights[1:]`` hold one entry per update.

    A model without a closed-form optimum (the MLP of :mod:`.mlp_problem`) has no
    ``distances`` and no ``weights``; it has ``val_losses`` (validation MSE, per epoch like
    ``epoch_losses``, which are then the training-part MSE). ``divergence`` says where a
    diverged run's loss became non-finite (NOTE [divergence report])."""

    epoch_losses: np.ndarray
    distances: np.ndarray | None
    batch_losses: np.ndarray
    lrates: np.ndarray
    weights: np.ndarray | None
    steps_per_epoch: int
    status: str
    diverged_at: int | None
    val_losses: np.ndarray | None = None
    divergence: Divergence | None = None

    @property
    def steps(self) -> int:
        return len(self.lrates)


def descend(
    problem: LinearProblem,
    build: Callable[[LearningRate], GradientTransformation],
    rate: LearningRate | ReduceLROnPlateau,
    *,
    batch_size: int,
    epochs: int,
    seed: int,
    drop_last: bool = False,
) -> Descent:
    """Mini-batch descent on ``problem`` with the optimizer ``build(rate)``.

    The gradient of the batch MSE is the hand-derived ``-(2/b) X_bᵀ (y_b - X_b w)``. ``rate`` is
    a number, a step schedule (evaluated at the update count, as the optimizer does), or a
    :class:`ReduceLROnPlateau`, which is fed the full-data MSE after every epoch; when it lowers
    the rate the optimizer is built again with the new rate and keeps its state. A non-finite
    loss stops the run as ``diverged``.
    """
    m, n = problem.X.shape
    w = initial_weight(n, seed)
    rng = batch_rng(seed)
    plateau = rate if isinstance(rate, ReduceLROnPlateau) else None
    plateau_state = plateau.init() if plateau is not None else None
    optimizer = build(plateau_state.lr if plateau_state is not None else rate)
    state = optimizer.init(w)
    weights, batch_losses, lrates = [w.ravel()], [], []
    epoch_losses, distances = [problem.loss(w)], [problem.distance(w)]
    per_epoch, status, diverged_at, divergence = 0, "finished", None, None
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            per_epoch = 0
            for idx in batch_indices(m, batch_size, rng=rng, drop_last=drop_last):
                X_b, y_b = problem.X[idx], problem.y[idx]
                residual = y_b - X_b @ w
                loss = float(np.mean(residual * residual))
                used = plateau_state.lr if plateau_state is not None else rate
                if not math.isfinite(loss):
                    status, diverged_at = "diverged", len(lrates)
                    divergence = Divergence(
                        len(epoch_losses),
                        len(lrates) + 1,
                        float(learning_rate_at(used, len(lrates))),
                        loss,
                    )
                    break
                grad = (-2.0 / len(idx)) * (X_b.T @ residual)
                lrates.append(learning_rate_at(used, len(lrates)))
                batch_losses.append(loss)
                updates, state = optimizer.update(grad, state, w)
                w = apply_updates(w, updates)
                weights.append(w.ravel())
                per_epoch += 1
            if status == "diverged":
                break
            epoch_losses.append(problem.loss(w))
            distances.append(problem.distance(w))
            if not math.isfinite(epoch_losses[-1]):
                status, diverged_at = "diverged", len(lrates)
                divergence = Divergence(
                    len(epoch_losses) - 1, len(lrates), float(lrates[-1]), epoch_losses[-1]
                )
                break
            if plateau is not None:
                new_rate, plateau_state = plateau.update(plateau_state, epoch_losses[-1])
                optimizer = build(new_rate)
    return Descent(
        epoch_losses=np.asarray(epoch_losses),
        distances=np.asarray(distances),
        batch_losses=np.asarray(batch_losses),
        lrates=np.asarray(lrates, dtype=np.float64),
        weights=np.asarray(weights),
        steps_per_epoch=per_epoch,
        status=status,
        diverged_at=diverged_at,
        divergence=divergence,
    )


def descent_trial(
    label: str, config: dict[str, Any], descent: Descent, summary: dict[str, Any], lr: float
) -> TrialRecord:
    """The stored record of one run (its series from :func:`descent_metrics`); ``lr`` is the
    run's starting rate (a diverged run names the rate of the step that diverged)."""
    divergence = descent.divergence
    if divergence is None and descent.status == "diverged":  # a loop that did not say where
        divergence = Divergence(len(descent.epoch_losses), descent.steps, lr, None)
    if divergence is not None:
        divergence = dataclasses.replace(divergence, name=label)
    return trial_record(label, config, descent_metrics(descent), summary, divergence)


def descent_metrics(descent: Descent) -> dict[str, np.ndarray]:
    """The stored series of a run: per epoch, per update, and each weight per update (the
    series a run does not have are left out)."""
    metrics = {"epoch_loss": descent.epoch_losses}
    if descent.val_losses is not None:
        metrics["val_loss"] = descent.val_losses
    if descent.distances is not None:
        metrics["distance_to_optimum"] = descent.distances
    metrics.update({"batch_loss": descent.batch_losses, "lrate": descent.lrates})
    if descent.weights is not None:
        metrics.update(
            {f"weight[{j}]": descent.weights[:, j] for j in range(descent.weights.shape[1])}
        )
    return metrics
