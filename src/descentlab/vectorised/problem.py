"""What the trials of a group train on, built exactly as ``descentlab train`` builds it.

NOTE [group seeds]: a trial's ``seed`` drives the same three streams as a training run (NOTE
[train seeds] in ``train/session.py``): ``numpy.random.SeedSequence(seed).generate_state(3)``
gives the split seed, the model's seed and the loader's seed. Trials that share a seed share
their split, initial weights and batch order, so the group keeps one copy of each per distinct
seed (a *seed group*) and the trials index it. The batch order of each epoch is
``torch.randperm`` from a generator seeded with the loader's seed, one call per epoch (NOTE
[epoch permutation]); the initial weights come from ``descentlab.models.make_model`` with the
model's seed, so they are the trainer's bits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.data import split_dataset, training_dataset
from descentlab.tasks import Task, make_task

__all__ = ["SeedGroup", "build_seed_groups", "stream_seeds"]


def stream_seeds(seed: int) -> tuple[int, int, int]:
    """``(split, model, loader)`` seeds of a run's ``seed`` (NOTE [group seeds])."""
    split, model, loader = np.random.SeedSequence(seed).generate_state(3)
    return int(split), int(model), int(loader)


@dataclass
class SeedGroup:
    """The data, initial parameters and batch orders of the trials sharing one seed.

    ``X`` (n, d) and ``Y`` (n, outputs) are float32 training arrays (``Y`` holds one-hot rows
    for a multi-class task), ``labels`` the class indices or None; the ``val_*`` arrays the same
    for validation (None without). ``initial`` is the model's parameter list (torch tensors in
    ``model.parameters()`` order), ``generator`` the loader's ``torch.Generator``.
    """

    seed: int
    X: np.ndarray
    Y: np.ndarray
    labels: np.ndarray | None
    val_features: np.ndarray | None
    val_targets: np.ndarray | None
    val_labels: np.ndarray | None
    initial: list[Any]
    generator: Any

    def next_order(self) -> np.ndarray:
        """The next epoch's row order (int64), drawn like every loader draws it."""
        import torch

        return torch.randperm(self.X.shape[0], generator=self.generator).numpy()


def _targets(task: Task, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Float32 targets ``(m, outputs)`` and the class indices (None for regression)."""
    targets = task.targets(y).numpy()
    if task.name == "classify" and task.n_outputs > 1:
        one_hot = np.zeros((targets.shape[0], task.n_outputs), dtype=np.float32)
        one_hot[np.arange(targets.shape[0]), targets] = 1.0
        return one_hot, targets
    if task.name == "classify":
        return targets, targets[:, 0].astype(np.int64)
    return targets, None


def build_seed_groups(
    shared: dict[str, Any], seeds: tuple[int, ...]
) -> tuple[Task, list[SeedGroup]]:
    """The task and one :class:`SeedGroup` per distinct seed, in the order seeds first appear."""
    import torch

    from descentlab.models import make_model

    data = training_dataset(
        shared["dataset"],
        target=shared["target"],
        n_samples=shared["n_samples"],
        n_features=shared["n_features"],
        n_classes=shared["n_classes"],
        noise=shared["noise"],
        data_seed=shared["data_seed"],
    )
    task = make_task(shared["task"], data.y, loss=shared["loss"] or None)
    layers = shared["layers"]
    if layers is None:
        layers = (64, 32, 16) if shared["model"] == "mlp" else ()
    activation = shared["activation"]
    if activation is None and shared["model"] == "mlp":
        activation = "relu"
    groups = []
    for seed in dict.fromkeys(seeds):
        split_seed, model_seed, loader_seed = stream_seeds(seed)
        train, val, _ = split_dataset(
            data, shared["val_fraction"], seed=split_seed, scale_target=task.name == "regress"
        )
        model = make_model(
            shared["model"], data.n_features, task.n_outputs, layers=tuple(layers),
            activation=activation, bias=shared["bias"], seed=model_seed,
        )  # fmt: skip
        Y, labels = _targets(task, train.y)
        val_targets = val_labels = val_features = None
        if val is not None:
            val_features = np.asarray(val.X, dtype=np.float32)
            val_targets, val_labels = _targets(task, val.y)
        groups.append(
            SeedGroup(
                seed, np.ascontiguousarray(train.X, dtype=np.float32), Y, labels,
                val_features, val_targets, val_labels,
                [p.detach().clone() for p in model.parameters()],
                torch.Generator().manual_seed(loader_seed),
            )
        )  # fmt: skip
    return task, groups
