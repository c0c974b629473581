"""Every bad input gets one exact message (the shape ``<name> must be <rule>, got <value>``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from descentlab.data import split_dataset, training_dataset
from descentlab.models import make_model, parse_layers
from descentlab.train import (
    FitConfig,
    TrainConfig,
    build_optimizer,
    fit,
    make_task,
    resolve_device,
)

X = torch.zeros(8, 2)
Y = torch.zeros(8, 1)
TASK = make_task("regress", np.zeros((8, 1)))


def _fit(**kwargs):
    model = make_model("linear", 2, 1)
    arguments = {
        "model": model,
        "optimizer": build_optimizer(model, "sgd", lrate=0.1),
        "loader": [(X, Y)],
        "task": TASK,
    }
    settings = {"epochs": 1, "device": "cpu"}
    for name, value in kwargs.items():
        (arguments if name in arguments else settings)[name] = value
    return fit(**arguments, config=FitConfig(**settings))


CASES = [
    (
        lambda: make_model("cnn", 2),
        ValueError,
        "model must be one of 'linear', 'logistic', 'mlp', got 'cnn'",
    ),
    (lambda: make_model("mlp", 0), ValueError, "n_inputs must be a positive integer, got 0"),
    (
        lambda: make_model("mlp", 2, layers=()),
        ValueError,
        "layers must list at least one hidden width for model 'mlp', got () (e.g. 64,32,16)",
    ),
    (
        lambda: make_model("mlp", 2, layers=(4, 0)),
        ValueError,
        "layers entry must be a positive integer, got 0",
    ),
    (
        lambda: make_model("mlp", 2, layers="64"),
        TypeError,
        "layers must be a sequence of positive integers, got '64'",
    ),
    (
        lambda: make_model("linear", 2, layers=(4,)),
        ValueError,
        "layers must be empty for model 'linear' (it has no hidden layers), got (4,)",
    ),
    (
        lambda: make_model("mlp", 2, layers=(3,), activation="swish"),
        ValueError,
        "activation must be one of 'relu', 'tanh', 'sigmoid', 'gelu', got 'swish'",
    ),
    (
        lambda: make_model("linear", 2, activation="relu"),
        ValueError,
        "activation must be None for model 'linear' (it has no hidden layers), got 'relu'",
    ),
    (lambda: make_model("linear", 2, bias=1), TypeError, "bias must be True or False, got 1"),
    (
        lambda: make_model("linear", 2, seed=-1),
        ValueError,
        "seed must be an integer in [0, 2**63 - 1], got -1",
    ),
    (
        lambda: make_task("cluster", np.zeros((3, 1))),
        ValueError,
        "task must be one of 'regress', 'classify', got 'cluster'",
    ),
    (
        lambda: make_task("regress", np.zeros((3, 1)), loss="huber"),
        ValueError,
        "loss for task 'regress' must be one of 'mse', 'mae', got 'huber'",
    ),
    (
        lambda: make_task("classify", np.array([[0.5], [1.0]])),
        ValueError,
        "classification targets must be integer class labels, got 0.5 (use --task regress for numeric targets)",
    ),
    (
        lambda: make_task("classify", np.ones((3, 1))),
        ValueError,
        "classification targets must hold at least 2 classes, got 1",
    ),
    (
        lambda: split_dataset(training_dataset("wine"), 1.0, seed=0),
        ValueError,
        "val_fraction must be a number in [0, 1), got 1.0",
    ),
    (
        lambda: split_dataset(training_dataset("wine"), 0.001, seed=0),
        ValueError,
        "val_fraction must leave at least one sample in each part of the 178 samples, got 0.001",
    ),
    (
        lambda: training_dataset("mnist"),
        ValueError,
        "dataset must be one of 'regression', 'classification', 'digits', 'breast_cancer', 'wine', 'diabetes' or a .csv/.parquet/.pq/.npy file, got 'mnist'",
    ),
    (
        lambda: training_dataset("wine", target="y"),
        ValueError,
        "target must come with a data file, got target 'y' for 'wine'",
    ),
    (
        lambda: training_dataset("missing.csv"),
        ValueError,
        "data must be an existing file, got 'missing.csv' (not found)",
    ),
    (
        lambda: resolve_device("tpu"),
        ValueError,
        "device must be one of 'auto', 'cpu', 'cuda', got 'tpu'",
    ),
    (
        lambda: build_optimizer(make_model("linear", 2), "adam", lrate=0),
        ValueError,
        "lrate must be a finite positive number, got 0.0",
    ),
    (
        lambda: build_optimizer(make_model("linear", 2), "adam", lrate=0.1, impl="jax"),
        ValueError,
        "impl must be one of 'torch', 'descentlab', got 'jax'",
    ),
    (lambda: _fit(epochs=0), ValueError, "epochs must be a positive integer, got 0"),
    (
        lambda: _fit(loader=[]),
        ValueError,
        "loader must yield at least one batch per epoch, got len(loader) == 0",
    ),
    (
        lambda: _fit(loader=iter([(X, Y)])),
        TypeError,
        "loader must be re-iterable with a len() (batches per epoch), got",
    ),
    (
        lambda: _fit(patience=2),
        ValueError,
        "patience needs validation data (val_fraction > 0), got patience=2 without val_data",
    ),
    (
        lambda: _fit(resume=True),
        ValueError,
        "resume needs a checkpoint path, got resume=True with checkpoint=None",
    ),
    (
        lambda: _fit(scheduler_unit="batch"),
        ValueError,
        "scheduler_unit must be one of 'epoch', 'step', got 'batch'",
    ),
    (lambda: _fit(model="linear"), TypeError, "model must be a torch.nn.Module, got 'linear'"),
    (
        lambda: _fit(task="regress"),
        TypeError,
        "task must be a descentlab Task (see make_task), got 'regress'",
    ),
    (
        lambda: TrainConfig(model="logistic"),
        ValueError,
        "task must be 'classify' for model 'logistic', got 'regress'",
    ),
    (
        lambda: TrainConfig(dataset="digits"),
        ValueError,
        "task must be 'classify' for dataset 'digits', got 'regress'",
    ),
    (lambda: TrainConfig(batch_size=0), ValueError, "batch_size must be a positive integer, got 0"),
    (  # a float32 model cannot take a larger rate: torch failed with an overflow (exit 1)
        lambda: TrainConfig(lrate=1e300),
        ValueError,
        "lrate must be a finite positive number up to 3.403e+38 (the largest float32",
    ),
    (lambda: TrainConfig(loader="npy"), ValueError, "loader must be one of"),
    (
        lambda: TrainConfig(val_fraction=0.0, patience=3),
        ValueError,
        "patience needs a validation set (val_fraction > 0), got patience=3 with val_fraction=0",
    ),
    (
        lambda: TrainConfig(model="linear", activation="tanh"),
        ValueError,
        "activation must be unset for model 'linear' (it has no hidden layers), got 'tanh'",
    ),
    (
        lambda: TrainConfig(optimizer="lbfgs"),
        ValueError,
        "optimizer must be one of 'sgd', 'momentum'",
    ),
    (
        lambda: TrainConfig(schedule="warmup"),
        ValueError,
        "schedule must be one of 'step', 'multistep'",
    ),
    (
        lambda: TrainConfig(lrate=float("nan")),
        ValueError,
        "lrate must be a finite positive number, got nan",
    ),
    (
        lambda: TrainConfig(optimizer_options=(("lr", 0.1),)),
        ValueError,
        "lr must be set by lrate (the run's learning rate), not as an option of 'adam', got lr=0.1",
    ),
    (
        lambda: TrainConfig(optimizer="sgd", optimizer_options=(("impl", "torch"),)),
        ValueError,
        "impl must be a hyperparameter of 'sgd' (momentum, dampening, weight_decay, nesterov, "
        "maximize), got impl='torch'",
    ),
    (
        lambda: TrainConfig(schedule="one_cycle", schedule_options=(("epochs", 5),)),
        ValueError,
        "epochs must be a hyperparameter of 'one_cycle' (max_lr, total_steps, ",
    ),
    (
        lambda: TrainConfig(schedule="step", schedule_options=(("optimizer", 1),)),
        ValueError,
        "optimizer must be a hyperparameter of 'step' (step_size, gamma), got optimizer=1",
    ),
    (
        lambda: build_optimizer(make_model("linear", 2), "adam", lrate=0.1, lr=0.2),
        ValueError,
        "lr must be given as lrate, not as a hyperparameter, got lr=0.2",
    ),
    (
        lambda: parse_layers("64,,32"),
        ValueError,
        "layers must be items separated by ',' with none left out, got '64,,32'",
    ),
    (
        lambda: parse_layers("64,32,"),
        ValueError,
        "layers must be items separated by ',' with none left out, got '64,32,'",
    ),
]


@pytest.mark.parametrize(("call", "kind", "message"), CASES, ids=[c[2][:40] for c in CASES])
def test_bad_input(call, kind, message):
    with pytest.raises(kind) as caught:
        call()
    assert str(caught.value).startswith(message)


def test_cuda_refused_without_cuda():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError) as caught:
        resolve_device("cuda")
    assert str(caught.value) == (
        "device must be 'cpu' or 'auto' on this machine (torch sees no CUDA device), got 'cuda'"
    )
