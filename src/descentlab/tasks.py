"""Tasks: what the model's outputs mean, the loss that trains it and the metrics that judge it.

* ``regress``: numeric targets (m, 1); loss ``mse`` (mean squared error, the §1 cost) or ``mae``
  (mean absolute error); metrics MSE and MAE.
* ``classify``: class labels. Two classes → one logit and the binary cross-entropy; K > 2
  classes → K logits and the multi-class cross-entropy. Metrics: accuracy and the 0/1 loss
  (its complement: the fraction of wrong predictions).

The losses are written out from their definitions (checked against ``torch.nn.functional`` in
the tests) and take logits, so they stay finite where a probability would round to 0 or 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from descentlab.validation import InputValueError, check_choice

__all__ = [
    "LOSSES",
    "TASKS",
    "Task",
    "binary_cross_entropy",
    "cross_entropy",
    "make_task",
    "mean_absolute_error",
    "mean_squared_error",
]

TASKS = ("regress", "classify")
LOSSES = {"regress": ("mse", "mae"), "classify": ("cross_entropy",)}


def mean_squared_error(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """mean((ŷ - y)²) over every entry."""
    return (output - target).square().mean()


def mean_absolute_error(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """mean(|ŷ - y|) over every entry."""
    return (output - target).abs().mean()


def binary_cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """mean(-y·log σ(z) - (1-y)·log(1-σ(z))) = mean(softplus(z) - y·z), stable for any z."""
    return (torch.nn.functional.softplus(logits) - target * logits).mean()


def cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """mean(-log softmax(z)[y]) = mean(logsumexp(z) - z_y) for integer labels y of shape (m,)."""
    picked = logits.gather(1, target.unsqueeze(1)).squeeze(1)
    return (torch.logsumexp(logits, dim=1) - picked).mean()


_LOSS_FUNCTIONS = {"mse": mean_squared_error, "mae": mean_absolute_error}


@dataclass(frozen=True)
class Task:
    """A task bound to its data: the loss, the number of model outputs and the class labels.

    Build one with :func:`make_task`. ``classes`` holds the original label values in the order of
    the model's classes (empty for regression).
    """

    name: str
    loss_name: str
    n_outputs: int
    classes: tuple[float, ...] = ()

    def loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The mean training loss of a batch (a 0-d tensor that autograd can differentiate)."""
        if self.name == "regress":
            return _LOSS_FUNCTIONS[self.loss_name](output, target)
        if self.n_outputs == 1:
            return binary_cross_entropy(output, target)
        return cross_entropy(output, target)

    def targets(self, y: np.ndarray) -> torch.Tensor:
        """The training targets for labels ``y`` (m, 1): float32 (m, 1) values, float32 (m, 1)
        0/1 labels for two classes, or int64 (m,) class indices."""
        if self.name == "regress":
            return torch.as_tensor(np.asarray(y, dtype=np.float32).reshape(-1, 1))
        index = np.searchsorted(np.asarray(self.classes), np.asarray(y).ravel())
        if self.n_outputs == 1:
            return torch.as_tensor(index.astype(np.float32).reshape(-1, 1))
        return torch.as_tensor(index.astype(np.int64))

    @torch.no_grad()
    def metric_sums(self, output: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        """Per-batch sums of the metrics (divide by the sample count for the means)."""
        if self.name == "regress":
            error = output - target
            return {
                "loss": _sum_of_loss(self, output, target),
                "mse": error.square().sum(),
                "mae": error.abs().sum(),
            }
        predicted = (output > 0).to(target.dtype) if self.n_outputs == 1 else output.argmax(dim=1)
        correct = (predicted == target).sum().to(torch.float64)
        return {"loss": _sum_of_loss(self, output, target), "accuracy": correct}


def _sum_of_loss(task: Task, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return task.loss(output, target).to(torch.float64) * output.shape[0]


def make_task(name: str, y: np.ndarray, *, loss: str | None = None) -> Task:
    """The task ``name`` (``regress`` or ``classify``) for training labels ``y``.

    For classification the classes are the distinct values of ``y`` (at least two, each an
    integer); ``loss`` defaults to ``mse`` for regression and ``cross_entropy`` for
    classification.
    """
    check_choice("task", name, TASKS)
    loss = loss or LOSSES[name][0]
    check_choice(f"loss for task {name!r}", loss, LOSSES[name])
    if name == "regress":
        width = 1 if np.ndim(y) < 2 else int(np.shape(y)[1])
        return Task(name, loss, width)
    values = np.asarray(y, dtype=np.float64).ravel()
    classes = np.unique(values)
    if not np.all(classes == np.round(classes)):
        bad = float(classes[classes != np.round(classes)][0])
        raise InputValueError(
            f"classification targets must be integer class labels, got {bad!r} "
            "(use --task regress for numeric targets)"
        )
    if classes.size < 2:
        raise InputValueError(
            f"classification targets must hold at least 2 classes, got {classes.size}"
        )
    outputs = 1 if classes.size == 2 else int(classes.size)
    return Task(name, loss, outputs, tuple(float(c) for c in classes))
