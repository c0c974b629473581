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
    K = len(member)
    by_group = np.argsort(np.asarray(member), kind="stable")  # kernel slot → trial
    counts = np.bincount(np.asarray(member), minlength=len(groups))
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    X = np.stack([g.X for g in groups])
    Y = np.stack([g.Y for g in groups])
    d, C = X.shape[2], Y.shape[2]
    W = np.empty((d, C, K), dtype=np.float32)
    B = np.zeros((C, K), dtype=np.float32)
    for slot, trial in enumerate(by_group):
        weight, *bias = groups[member[trial]].initial
        W[:, :, slot] = weight.numpy().T
        if bias:
            B[:, slot] = bias[0].numpy()
    VW, VB = np.zeros_like(W), np.zeros_like(B)
    hyper = np.array(
        [[getattr(settings, name)[t] for t in by_group] for name in ("lrates", "momenta", "weight_decays")],
        dtype=np.float64,
    )
    batch_size = settings.shared["batch_size"]
    n = X.shape[1]
    batches = -(-n // batch_size)
    recorder = GroupRecorder(settings.lrates, batches)
    loss = kernel_loss(task)
    for epoch in range(1, settings.shared["epochs"] + 1):
        orders = np.stack([g.next_order() for g in groups])
        alive = recorder.running[by_group].copy()
        sums = np.zeros(K, dtype=np.float64)
        stopped_at = np.zeros(K, dtype=np.int64)
        stopped_loss = np.zeros(K, dtype=np.float64)
        group_epoch(
            X, Y, orders, starts, batch_size, loss, W, B, VW, VB, hyper, settings.nesterov,
            settings.shared["bias"],
            alive, sums, stopped_at, stopped_loss,
        )  # fmt: skip
        validation = _validation(task, groups, starts, W, B)
        back = np.empty(K, dtype=np.int64)
        back[by_group] = np.arange(K)  # trial → kernel slot
        recorder.record_epoch(
            epoch,
            sums[back] / n,
            stopped_at[back],
            stopped_loss[back],
            {name: values[back] for name, values in validation.items()},
        )
        if not recorder.running.any():
            break
    return recorder.results()


def _validation(
    task: Task, groups: list[SeedGroup], starts: np.ndarray, W: np.ndarray, B: np.ndarray
) -> dict[str, np.ndarray]:
    """Each kernel slot's validation metrics (empty without validation data)."""
    if groups[0].val_X is None:
        return {}
    parts: list[dict[str, np.ndarray]] = []
    for s, group in enumerate(groups):
        k0, k1 = starts[s], starts[s + 1]
        with np.errstate(over="ignore", invalid="ignore"):
            outputs = np.einsum("nd,dck->knc", group.val_X, W[:, :, k0:k1]) + B[:, k0:k1].T[:, None, :]
        parts.append(validation_metrics(task, outputs, group.val_Y, group.val_labels))
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
