"""The resolved settings of one ``descentlab train`` run: a frozen, checked dataclass."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from descentlab.data.catalog import DATASETS, dataset_task
from descentlab.loading import IN_MEMORY_KINDS
from descentlab.models import ACTIVATIONS, MODELS, check_layers
from descentlab.optim import OPTIMIZERS, hyperparameters
from descentlab.optim.schedules import SCHEDULES as SCHEDULE_CLASSES
from descentlab.tasks import LOSSES, TASKS
from descentlab.torch_device import DEVICES
from descentlab.train.optimizer_choice import IMPLEMENTATIONS, SCHEDULES
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_choice,
    check_int,
    check_nonnegative_float,
    check_positive_float,
    check_positive_int,
    check_seed,
    check_unit_interval,
    describe,
)

__all__ = ["FLOAT32_MAX", "FRAMEWORKS", "KERAS_LOOPS", "TrainConfig"]

FLOAT32_MAX = 3.4028234663852886e38  # numpy.finfo(numpy.float32).max, without importing torch
FRAMEWORKS = ("torch", "keras")
KERAS_LOOPS = ("descentlab", "fit")  # NOTE [keras loops] in descentlab.train.keras_fit


def _check_options(name: str, value: Any) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str) for pair in value
    ):
        raise InputTypeError(f"{name} must be a tuple of (key, value) pairs, got {describe(value)}")


def _check_option_keys(options: tuple, owner: str, allowed: list[str]) -> None:
    """Refuse keys the run sets itself (``lr`` is ``lrate``) or that ``owner`` does not take,
    before they reach a call as a second value for one of its arguments."""
    allowed = [key for key in allowed if key != "lr"]
    for key, value in options:
        if key == "lr":
            raise InputValueError(
                f"lr must be set by lrate (the run's learning rate), not as an option of "
                f"{owner!r}, got lr={value!r}"
            )
        if key not in allowed:
            raise InputValueError(
                f"{key} must be a hyperparameter of {owner!r} ({', '.join(allowed)}), "
                f"got {key}={value!r}"
            )


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; checked on construction.

    ``dataset`` is a built-in name (``regression``, ``classification``, ``digits``,
    ``breast_cancer``, ``wine``, ``diabetes``) or a .csv/.parquet/.npy path with ``target`` its
    label column. ``n_samples``, ``n_features``, ``n_classes``, ``noise`` and ``data_seed``
    shape the synthetic sets. ``optimizer_options`` and ``schedule_options`` are (key, value)
    pairs passed to the optimizer and scheduler. ``patience = 0`` disables early stopping.
    ``layers`` and ``activation`` default to ``(64, 32, 16)`` and ``relu`` for an MLP and must
    stay unset for the other models. ``framework`` is ``torch`` or ``keras`` (the same model,
    copied from torch's initial weights, trained by ``keras_loop``: ``descentlab`` or ``fit``).
    """

    model: str = "mlp"
    task: str = "regress"
    dataset: str = "regression"
    target: str = ""
    loss: str = ""
    layers: tuple[int, ...] | None = None
    activation: str | None = None
    bias: bool = True
    optimizer: str = "adam"
    impl: str = "torch"
    lrate: float = 1e-3
    optimizer_options: tuple[tuple[str, Any], ...] = ()
    schedule: str = ""
    schedule_options: tuple[tuple[str, Any], ...] = ()
    batch_size: int = 64
    loader: str = "fast"
    epochs: int = 20
    val_fraction: float = 0.2
    seed: int = 0
    device: str = "auto"
    patience: int = 0
    checkpoint_every: int = 1
    n_samples: int = 1000
    n_features: int = 20
    n_classes: int = 2
    noise: float = 0.1
    data_seed: int = 42
    framework: str = "torch"
    keras_loop: str = "descentlab"

    def __post_init__(self) -> None:
        check_choice("model", self.model, MODELS)
        check_choice("task", self.task, TASKS)
        if self.model == "logistic" and self.task != "classify":
            raise InputValueError(
                f"task must be 'classify' for model 'logistic', got {self.task!r}"
            )
        natural = dataset_task(self.dataset)
        if natural is not None and natural != self.task:
            raise InputValueError(
                f"task must be {natural!r} for dataset {self.dataset!r}, got {self.task!r}"
            )
        if natural is None and not isinstance(self.dataset, str):
            raise InputTypeError(
                f"dataset must be a name or file path, got {describe(self.dataset)}"
            )
        if natural is None and self.dataset not in DATASETS and "." not in self.dataset:
            choices = ", ".join(repr(n) for n in DATASETS)
            raise InputValueError(
                f"dataset must be one of {choices} or a .csv/.parquet/.npy file, "
                f"got {self.dataset!r}"
            )
        if self.loss:
            check_choice(f"loss for task {self.task!r}", self.loss, LOSSES[self.task])
        mlp = self.model == "mlp"
        if self.layers is None:
            object.__setattr__(self, "layers", (64, 32, 16) if mlp else ())
        object.__setattr__(self, "layers", check_layers(self.model, self.layers))
        if self.activation is None and mlp:
            object.__setattr__(self, "activation", "relu")
        if self.activation is not None:
            check_choice("activation", self.activation, list(ACTIVATIONS))
            if not mlp:
                raise InputValueError(
                    f"activation must be unset for model {self.model!r} (it has no hidden "
                    f"layers), got {self.activation!r}"
                )
        check_choice("optimizer", self.optimizer, list(OPTIMIZERS))
        check_choice("impl", self.impl, IMPLEMENTATIONS)
        if check_positive_float("lrate", self.lrate) > FLOAT32_MAX:
            # the model trains in float32: torch cannot turn a larger rate into an update
            raise InputValueError(
                f"lrate must be a finite positive number up to {FLOAT32_MAX:.4g} (the largest "
                f"float32, the models' dtype), got {self.lrate!r}"
            )
        if self.schedule:
            check_choice("schedule", self.schedule, SCHEDULES)
        _check_options("optimizer_options", self.optimizer_options)
        _check_options("schedule_options", self.schedule_options)
        _check_option_keys(
            self.optimizer_options, self.optimizer, list(hyperparameters(self.optimizer))
        )
        if self.schedule:
            fields = dataclasses.fields(SCHEDULE_CLASSES[self.schedule])
            _check_option_keys(self.schedule_options, self.schedule, [f.name for f in fields])
        check_positive_int("batch_size", self.batch_size)
        check_choice("loader", self.loader, IN_MEMORY_KINDS)
        check_positive_int("epochs", self.epochs)
        check_unit_interval("val_fraction", self.val_fraction)
        check_seed("seed", self.seed)
        check_choice("device", self.device, DEVICES)
        if check_int("patience", self.patience, minimum=0) and self.val_fraction == 0:
            raise InputValueError(
                f"patience needs a validation set (val_fraction > 0), got patience="
                f"{self.patience} with val_fraction=0"
            )
        check_positive_int("checkpoint_every", self.checkpoint_every)
        check_positive_int("n_samples", self.n_samples)
        check_positive_int("n_features", self.n_features)
        check_positive_int("n_classes", self.n_classes)
        check_nonnegative_float("noise", self.noise)
        check_seed("data_seed", self.data_seed, bits=32)
        self._check_framework()

    def _check_framework(self) -> None:
        """What a Keras run cannot do, refused by name (NOTE [keras optimizers])."""
        check_choice("framework", self.framework, FRAMEWORKS)
        check_choice("keras_loop", self.keras_loop, KERAS_LOOPS)
        if self.framework != "keras":
            if self.keras_loop != KERAS_LOOPS[0]:
                raise InputValueError(
                    f"keras_loop must be left at 'descentlab' with framework "
                    f"{self.framework!r} (it chooses the Keras loop), got {self.keras_loop!r}"
                )
            return
        from descentlab.train.keras_optimizers import check_keras_optimizer

        refused = (
            ("impl", self.impl != "torch", "'torch' (Keras runs its own optimizers)", self.impl),
            ("schedule", bool(self.schedule), "unset (no schedules in Keras runs yet)",
             self.schedule),
            ("device", self.device == "cuda", "'auto' or 'cpu' (Keras runs on the CPU)",
             self.device),
        )  # fmt: skip
        for name, bad, rule, value in refused:
            if bad:
                raise InputValueError(
                    f"{name} must be {rule} with framework 'keras', got {value!r}"
                )
        check_keras_optimizer(self.optimizer, dict(self.optimizer_options))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (options as dicts)."""
        fields = dataclasses.asdict(self)
        fields["optimizer_options"] = dict(self.optimizer_options)
        fields["schedule_options"] = dict(self.schedule_options)
        return fields
