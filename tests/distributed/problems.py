"""The small problems the equivalence tests train, once in one process and once per rank.

Imported by the tests and by ``equivalence_worker.py``, which torchrun runs as each rank, so the
two sides build bit-for-bit the same data, model, optimizer and batch order from one seed.
"""

from __future__ import annotations

import torch

from descentlab.loading.shard import ShardLoader
from descentlab.models import make_model
from descentlab.tasks import make_task
from descentlab.train.batch_source import make_train_loader
from descentlab.train.fit import FitConfig, fit
from descentlab.train.optimizer_choice import build_optimizer

#: (model, optimizer, task): the linear model on regression, the MLP on classification.
CASES = [
    ("linear", "sgd", "regress"),
    ("linear", "adam", "regress"),
    ("mlp", "sgd", "classify"),
    ("mlp", "adam", "classify"),
]
SAMPLES = 50  # 50 = 8 × 6 + 2: the last global batch is partial, so one of 3 ranks gets nothing
BATCH = 6  # a multiple of 2 and 3
EPOCHS = 3
LRATE = {"sgd": 0.05, "adam": 0.01}


def data(task: str) -> tuple[torch.Tensor, torch.Tensor, object]:
    generator = torch.Generator().manual_seed(11)
    X = torch.randn(SAMPLES, 5, generator=generator)
    if task == "regress":
        y = X @ torch.tensor([1.0, -2.0, 0.5, 0.0, 3.0]) + 0.1 * torch.randn(
            SAMPLES, generator=generator
        )
    else:
        y = (X[:, 0] + X[:, 1] > 0).long() + (X[:, 2] > 1).long()
    y = y.numpy()
    made = make_task(task, y)
    return X, made.targets(y), made


def train(
    case: tuple[str, str, str], ranks=None, *, order_seed: int = 5
) -> dict[str, torch.Tensor]:
    """The parameters after :data:`EPOCHS` epochs of ``case``, in one process (``ranks`` None)
    or as one rank of a joined process group."""
    model_name, optimizer_name, task_name = case
    X, y, task = data(task_name)
    shape = {"layers": (8, 4)} if model_name == "mlp" else {}
    model = make_model(model_name, 5, task.n_outputs, seed=3, **shape)
    optimizer = build_optimizer(model, optimizer_name, lrate=LRATE[optimizer_name])
    if ranks is None:
        loader = make_train_loader(X, y, BATCH, seed=order_seed)
    else:
        loader = ShardLoader(
            X, y, BATCH, seed=order_seed, rank=ranks.rank, world_size=ranks.world_size
        )
    fit(model, optimizer, loader, task, FitConfig(epochs=EPOCHS, device="cpu"), ranks=ranks)
    return {name: value.detach().clone() for name, value in model.state_dict().items()}
