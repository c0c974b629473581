"""K linear or logistic models trained as one compiled computation (NOTE [configuration axis
last] in :mod:`descentlab.vectorised.linear_kernel`)."""

from __future__ import annotations

import numpy as np

from descentlab.tasks import Task
from descentlab.vectorised.linear_kernel import BCE, CE, MSE, group_epoch
from descentlab.vectorised.metrics import validation_metrics
from descentlab.vectorised.outcome import GroupRecorder, GroupResult
from descentlab.vectorised.problem import SeedGroup
from descentlab.vectorised.settings import GroupSettings

__all__ = ["kernel_loss", "train_linear_group"]


def kernel_loss(task: Task) -> int | None:
    """The kernel's code for ``task``'s loss, or None when the kernel has no such loss."""
    if task.name == "regress":
        return MSE if task.loss_name == "mse" else None
    return BCE if task.n_outputs == 1 else CE


def train_linear_group(
    settings: GroupSettings, task: Task, groups: list[SeedGroup], member: list[int]
) -> list[GroupResult]:
    """Train every trial; ``member[k]`` is trial ``k``'s index into ``groups``."""
    trials = [np.flatnonzero(np.asarray(member) == s) for s in range(len(groups))]
    states = [
        _GroupState(settings, group, rows) for group, rows in zip(groups, trials, strict=True)
    ]
    batch_size = settings.shared["batch_size"]
    n = groups[0].X.shape[0]
    recorder = GroupRecorder(settings.lrates, -(-n // batch_size))
    loss = kernel_loss(task)
    K = len(member)
    adam = np.array([*settings.betas, settings.eps] if settings.adam else [], dtype=np.float64)
    for epoch in range(1, settings.shared["epochs"] + 1):
        sums, stopped_at, stopped_loss = np.zeros(K), np.zeros(K, np.int64), np.zeros(K)
        validation: dict[str, np.ndarray] = {}
        for state, group, rows in zip(states, groups, trials, strict=True):
            alive = recorder.running[rows].copy()
            part = (np.zeros(len(rows)), np.zeros(len(rows), np.int64), np.zeros(len(rows)))
            group_epoch(
                group.X, group.Y, group.next_order(), batch_size, loss, state.W, state.B,
                state.VW, state.VB, state.hyper, settings.nesterov, settings.shared["bias"],
                state.SW, state.SB, adam, (epoch - 1) * recorder.batches, alive, *part,
            )  # fmt: skip
            sums[rows], stopped_at[rows], stopped_loss[rows] = part
            for name, values in state.validation(task, group).items():
                validation.setdefault(name, np.empty(K))[rows] = values
        recorder.record_epoch(epoch, sums / n, stopped_at, stopped_loss, validation)
        if not recorder.running.any():
            break
    return recorder.results()


class _GroupState:
    """One seed group's weights (d, C, K), biases (C, K), momentum buffers and rates."""

    def __init__(self, settings: GroupSettings, group: SeedGroup, rows: np.ndarray) -> None:
        weight, *bias = (t.numpy() for t in group.initial)
        K = len(rows)
        self.W = np.ascontiguousarray(np.repeat(weight.T[:, :, None], K, axis=2))
        self.B = np.zeros((weight.shape[0], K), dtype=np.float32)
        if bias:
            self.B[:] = bias[0][:, None]
        self.VW, self.VB = np.zeros_like(self.W), np.zeros_like(self.B)
        self.SW, self.SB = np.zeros_like(self.W), np.zeros_like(self.B)
        columns = (settings.lrates, settings.momenta, settings.weight_decays)
        self.hyper = np.array([[values[t] for t in rows] for values in columns], dtype=np.float32)

    def validation(self, task: Task, group: SeedGroup) -> dict[str, np.ndarray]:
        """The validation metrics of the group's configurations (empty without validation)."""
        if group.val_features is None:
            return {}
        with np.errstate(over="ignore", invalid="ignore"):
            outputs = np.einsum("nd,dck->knc", group.val_features, self.W) + self.B.T[:, None, :]
        return validation_metrics(task, outputs, group.val_targets, group.val_labels)
