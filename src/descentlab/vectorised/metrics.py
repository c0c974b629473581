"""Validation metrics of K models at once, as ``train.evaluation.evaluate`` computes them.

``outputs`` is (K, n, C): model ``k``'s outputs (predictions or logits) for the n validation
samples. Each metric is a mean over the samples: ``loss``, ``mse``, ``mae`` for regression (the
squared and absolute errors summed over the outputs), ``loss``, ``accuracy``, ``zero_one`` for
classification. The sums are taken in float32, the models' dtype, as the trainer takes them, so
a loss that overflows float32 is infinite here too (and the trial diverges at the same epoch).
"""

from __future__ import annotations

import numpy as np

from descentlab.tasks import Task

__all__ = ["validation_metrics"]


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def validation_metrics(
    task: Task, outputs: np.ndarray, Y: np.ndarray, labels: np.ndarray | None
) -> dict[str, np.ndarray]:
    """``val_*`` metrics, one value per model (``Y`` (n, C) float targets, ``labels`` (n,))."""
    z = outputs.astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        if task.name == "regress":
            error = z - Y
            squares, absolute = np.square(error), np.abs(error)
            mse = squares.sum(axis=(1, 2)).astype(np.float64) / z.shape[1]
            mae = absolute.sum(axis=(1, 2)).astype(np.float64) / z.shape[1]
            loss = (squares if task.loss_name == "mse" else absolute).mean(axis=(1, 2))
            loss = loss.astype(np.float64)
            return {"val_loss": loss, "val_mse": mse, "val_mae": mae}
        if task.n_outputs == 1:
            y = Y[:, 0]
            loss = (_softplus(z[:, :, 0]) - y * z[:, :, 0]).mean(axis=1).astype(np.float64)
            accuracy = ((z[:, :, 0] > 0) == (y > 0.5)).mean(axis=1)
        else:
            top = z.max(axis=2, keepdims=True)
            lse = top[:, :, 0] + np.log(np.exp(z - top).sum(axis=2))
            picked = np.take_along_axis(z, labels[None, :, None], axis=2)[:, :, 0]
            loss = (lse - picked).mean(axis=1).astype(np.float64)
            accuracy = (z.argmax(axis=2) == labels[None, :]).mean(axis=1)
    return {"val_loss": loss, "val_accuracy": accuracy, "val_zero_one": 1.0 - accuracy}
