"""Evaluation: a model's mean metrics on held-out data, and the loss the trainer watches."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from descentlab.tasks import Task

__all__ = ["Validation", "evaluate", "watched_loss"]

_EVAL_CHUNK = 8192


@torch.no_grad()
def evaluate(
    model: torch.nn.Module, task: Task, X: torch.Tensor, y: torch.Tensor
) -> dict[str, float]:
    """The task's mean metrics of ``model`` on ``(X, y)``, in chunks, without gradients."""
    was_training = model.training
    model.eval()
    sums: dict[str, torch.Tensor] = {}
    for start in range(0, X.shape[0], _EVAL_CHUNK):
        part = task.metric_sums(
            model(X[start : start + _EVAL_CHUNK]), y[start : start + _EVAL_CHUNK]
        )
        for name, value in part.items():
            sums[name] = sums[name] + value if name in sums else value
    model.train(was_training)
    means = {name: float(value) / X.shape[0] for name, value in sums.items()}
    if "accuracy" in means:
        means["zero_one"] = 1.0 - means["accuracy"]
    return means


@dataclass(frozen=True)
class Validation:
    """Validation data on the training device, evaluated after every epoch."""

    task: Task
    X: torch.Tensor
    y: torch.Tensor

    @classmethod
    def on_device(
        cls, data: tuple[torch.Tensor, torch.Tensor], task: Task, device: torch.device
    ) -> Validation:
        X, y = (t.to(device) for t in data)
        return cls(task, X, y)

    def metrics(self, model: torch.nn.Module) -> dict[str, float]:
        """``val_loss`` and the task's other metrics, each prefixed ``val_``."""
        return {f"val_{k}": v for k, v in evaluate(model, self.task, self.X, self.y).items()}


def watched_loss(record: dict[str, float]) -> float:
    """The loss an epoch is judged by: the validation loss when there is one, else the
    training loss (divergence after the epoch, ``ReduceLROnPlateau`` and early stopping)."""
    return record.get("val_loss", record["train_loss"])
