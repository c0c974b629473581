"""The MLP regression problem of ``optimizers`` (SPEC §2.6) and the update loop over it.

NOTE [MLP fairness]: NOTE [fair comparison] in :mod:`.linear_problem` holds for the MLP too.
The network is built once from the run seed (``make_model``, NOTE [seeded init]) and every
optimizer trains a deep copy of it, so all runs start from the same parameters; the batches come
from the same ``batch_rng(seed)`` stream as the linear runs, over the training part; every run
makes the same number of updates. Features and targets are standardised with the training
part's statistics (NOTE [split scaling]). The network is float64, so descentlab's optimizers
(which compute in float64, NOTE [adaptor numerics]) and ``torch.optim`` agree to rounding.

An MLP has no closed-form optimum, so there is no distance to it: the runs are compared by the
training-part MSE and the validation MSE after every epoch. The least-squares MSE of a linear
model on the same training part is reported as the line that a network has to get under.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from descentlab.data import Dataset, split_dataset
from descentlab.divergence import Divergence
from descentlab.experiments.linear_problem import Descent
from descentlab.linear import least_squares
from descentlab.linear.batches import batch_indices
from descentlab.linear.initial import batch_rng
from descentlab.models import ACTIVATIONS, check_layers, make_model
from descentlab.tasks import mean_squared_error
from descentlab.validation import check_choice

__all__ = ["MLPProblem", "check_network", "descend_mlp", "mlp_problem"]

OptimizerBuilder = Callable[[Iterator[torch.nn.Parameter]], torch.optim.Optimizer]


def check_network(layers: Sequence[int], activation: str) -> None:
    """Check an experiment's ``layers`` (hidden widths, at least one) and ``activation``."""
    check_layers("mlp", layers)
    check_choice("activation", activation, list(ACTIVATIONS))


@dataclass(frozen=True)
class MLPProblem:
    """The standardised training part ``X``, ``y`` (float64 tensors), the validation part (None
    when nothing is held out), the initial network (never trained itself: runs train copies)
    and the least-squares MSE of a linear model on the training part."""

    X: torch.Tensor
    y: torch.Tensor
    X_val: torch.Tensor | None
    y_val: torch.Tensor | None
    model: torch.nn.Module
    linear_loss: float
    target_scaling: dict[str, Any]

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())


@torch.no_grad()
def _mse(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    return float(mean_squared_error(model(X), y))


def mlp_problem(
    data: Dataset,
    *,
    layers: Sequence[int],
    activation: str,
    val_fraction: float,
    split_seed: int,
    seed: int,
) -> MLPProblem:
    """Split ``data`` (``val_fraction`` held out, rows drawn from ``split_seed``), standardise
    both parts by the training part, and build the float64 network from ``seed``."""
    train, val, scaling = split_dataset(data, val_fraction, seed=split_seed, scale_target=True)
    X = torch.from_numpy(np.asarray(train.X, dtype=np.float64))
    y = torch.from_numpy(np.asarray(train.y, dtype=np.float64).reshape(-1, 1))
    optimum = least_squares(train.X, train.y.reshape(-1, 1), backend="numpy")
    residual = train.y.reshape(-1, 1) - train.X @ optimum
    model = make_model(
        "mlp", train.n_features, 1, layers=layers, activation=activation, seed=seed
    ).double()
    return MLPProblem(
        X=X,
        y=y,
        X_val=None if val is None else torch.from_numpy(np.asarray(val.X, dtype=np.float64)),
        y_val=None if val is None else torch.from_numpy(val.y.reshape(-1, 1).astype(np.float64)),
        model=model,
        linear_loss=float(np.mean(residual * residual)),
        target_scaling={"mean": scaling["target"]["mean"][0], "std": scaling["target"]["std"][0]},
    )


def descend_mlp(
    problem: MLPProblem,
    build: OptimizerBuilder,
    *,
    batch_size: int,
    epochs: int,
    seed: int,
    drop_last: bool = False,
) -> Descent:
    """Train a copy of ``problem.model`` with ``build(parameters)`` over mini-batches of the
    training part (NOTE [MLP fairness]).

    ``build`` receives the copy's parameters and returns any ``torch.optim.Optimizer``
    (descentlab's through the adaptor, or torch's own). Per epoch (and at the start) the
    training-part and validation MSE are recorded; per update the batch MSE at the incoming
    parameters and the learning rate. A non-finite loss stops the run as ``diverged``.
    """
    model = copy.deepcopy(problem.model)
    optimizer = build(model.parameters())
    rng = batch_rng(seed)
    has_val = problem.X_val is not None and problem.y_val is not None

    def val_loss() -> float:
        return _mse(model, problem.X_val, problem.y_val) if has_val else math.nan

    epoch_losses, val_losses = [_mse(model, problem.X, problem.y)], [val_loss()]
    batch_losses: list[float] = []
    lrates: list[float] = []
    per_epoch, status, diverged_at, divergence = 0, "finished", None, None
    for _ in range(epochs):
        per_epoch = 0
        for idx in batch_indices(len(problem.y), batch_size, rng=rng, drop_last=drop_last):
            rows = torch.from_numpy(idx)
            optimizer.zero_grad(set_to_none=True)
            loss = mean_squared_error(model(problem.X[rows]), problem.y[rows])
            value = loss.item()
            if not math.isfinite(value):
                status, diverged_at = "diverged", len(lrates)
                rate = float(optimizer.param_groups[0]["lr"])
                divergence = Divergence(len(epoch_losses), len(lrates) + 1, rate, value)
                break
            loss.backward()
            lrates.append(float(optimizer.param_groups[0]["lr"]))
            batch_losses.append(value)
            optimizer.step()
            per_epoch += 1
        if status == "diverged":
            break
        epoch_losses.append(_mse(model, problem.X, problem.y))
        val_losses.append(val_loss())
        if not math.isfinite(epoch_losses[-1]):
            status, diverged_at = "diverged", len(lrates)
            divergence = Divergence(
                len(epoch_losses) - 1, len(lrates), float(lrates[-1]), epoch_losses[-1]
            )
            break
    return Descent(
        epoch_losses=np.asarray(epoch_losses),
        distances=None,
        batch_losses=np.asarray(batch_losses),
        lrates=np.asarray(lrates, dtype=np.float64),
        weights=None,
        steps_per_epoch=per_epoch,
        status=status,
        diverged_at=diverged_at,
        val_losses=np.asarray(val_losses) if has_val else None,
        divergence=divergence,
    )
