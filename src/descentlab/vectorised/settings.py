"""The settings of a vectorised group: the training fields it takes, their defaults, the checks.

A group's ``fixed`` mapping and each trial hold values of ``descentlab train``'s ``TrainConfig``
fields. This package sits beside ``train`` (NOTE [group layer] in :mod:`descentlab.vectorised`),
so it cannot build a ``TrainConfig``; it keeps the fields' defaults here, and
``tests/vectorised`` checks that they equal ``TrainConfig``'s, so a key left out means the same
thing to both. The optimizer's options (``momentum``, ``weight_decay``; ``betas``, ``eps`` for
Adam) may be given as keys of their own or in ``optimizer_options``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_betas,
    check_choice,
    check_nonnegative_float,
    check_positive_float,
    check_positive_int,
    check_seed,
    check_unit_interval,
    describe,
)

__all__ = [
    "DEFAULTS",
    "MODEL_KINDS",
    "OPTIMIZERS",
    "VARYING",
    "GroupSettings",
    "refusal",
    "resolve_settings",
]

#: ``TrainConfig``'s fields and defaults (kept equal by a test).
DEFAULTS: dict[str, Any] = {
    "model": "mlp", "task": "regress", "dataset": "regression", "target": "", "loss": "",
    "layers": None, "activation": None, "bias": True, "optimizer": "adam", "impl": "torch",
    "lrate": 1e-3, "optimizer_options": (), "schedule": "", "schedule_options": (),
    "batch_size": 64, "loader": "fast", "epochs": 20, "val_fraction": 0.2, "seed": 0,
    "device": "auto", "patience": 0, "checkpoint_every": 1, "n_samples": 1000,
    "n_features": 20, "n_classes": 2, "noise": 0.1, "data_seed": 42,
    "framework": "torch", "keras_loop": "descentlab",
}  # fmt: skip
#: Optimizer options that may be given as keys of their own.
OPTION_KEYS = ("momentum", "weight_decay", "betas", "eps")
#: What may differ between the trials of one group.
VARYING = ("lrate", "momentum", "weight_decay", "seed")
MODEL_KINDS = ("linear", "logistic", "mlp")
#: torch.optim.SGD's three faces in the registry: (default momentum, nesterov).
SGD_FAMILY: dict[str, tuple[float, bool]] = {
    "sgd": (0.0, False),
    "momentum": (0.9, False),
    "nesterov": (0.9, True),
}
#: The optimizers a group trains with, and the options each takes.
OPTIMIZERS: dict[str, tuple[str, ...]] = {
    **{name: ("momentum", "weight_decay") for name in SGD_FAMILY},
    "adam": ("betas", "eps", "weight_decay"),
}
ADAM_DEFAULTS = {"betas": (0.9, 0.999), "eps": 1e-8}
FLOAT32_MAX = 3.4028234663852886e38
#: ``torch_device.DEVICES``, without importing torch (kept equal by a test).
DEVICE_CHOICES = ("auto", "cpu", "cuda")
#: Settings with no effect on the numbers (every in-memory loader gives the same batches, NOTE
#: [epoch permutation]; checkpoints are the trainer's business).
_IGNORED = ("loader", "checkpoint_every")


@dataclass(frozen=True)
class GroupSettings:
    """One group's shared settings and the per-trial values, checked.

    ``shared`` holds every field but the varying ones; ``lrates``, ``momenta``,
    ``weight_decays`` and ``seeds`` hold one value per trial, in the trials' order (the momenta
    are zeros for Adam, which takes ``betas`` and ``eps`` instead).
    """

    shared: dict[str, Any]
    lrates: tuple[float, ...]
    momenta: tuple[float, ...]
    weight_decays: tuple[float, ...]
    seeds: tuple[int, ...]
    betas: tuple[float, float] = ADAM_DEFAULTS["betas"]
    eps: float = ADAM_DEFAULTS["eps"]

    @property
    def adam(self) -> bool:
        return self.shared["optimizer"] == "adam"

    @property
    def nesterov(self) -> bool:
        return not self.adam and SGD_FAMILY[self.shared["optimizer"]][1]


def _options(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | list) and all(
        isinstance(p, tuple | list) and len(p) == 2 and isinstance(p[0], str) for p in value
    ):
        return dict(value)
    raise InputTypeError(
        f"optimizer_options must be (key, value) pairs or a mapping, got {describe(value)}"
    )


def _merged(fixed: Mapping[str, Any], trial: Mapping[str, Any]) -> dict[str, Any]:
    """``fixed`` updated by ``trial``, options pulled out into top-level keys."""
    values: dict[str, Any] = {}
    for source in (fixed, trial):
        for key, value in source.items():
            if not isinstance(key, str) or (key not in DEFAULTS and key not in OPTION_KEYS):
                known = ", ".join([*DEFAULTS, *OPTION_KEYS])
                raise InputValueError(f"key must be a train setting ({known}), got {key!r}")
            if key == "optimizer_options":
                values.update(_options(value))
            else:
                values[key] = value
    return values


def refusal(values: Mapping[str, Any], varying: Sequence[str] = ()) -> str | None:
    """Why ``values`` (merged settings) cannot train as one vectorised group, or None."""
    for key in varying:
        if key not in VARYING:
            return (
                f"{key} must be the same in every trial of a vectorised group (only "
                f"{', '.join(VARYING)} may vary), got it varying"
            )
    get = {**DEFAULTS, **values}.get
    if get("model") not in MODEL_KINDS:
        return f"model must be one of {', '.join(MODEL_KINDS)}, got {get('model')!r}"
    if get("optimizer") not in OPTIMIZERS:
        return (
            f"optimizer must be one of {', '.join(OPTIMIZERS)} for a vectorised group, got "
            f"{get('optimizer')!r}"
        )
    taken = OPTIMIZERS[get("optimizer")]
    extra = sorted({k for k in (*values, *varying) if k not in DEFAULTS and k not in taken})
    if extra:
        return (
            f"options of optimizer {get('optimizer')!r} must be {' or '.join(taken)} for a "
            f"vectorised group, got {', '.join(extra)}"
        )
    if get("schedule"):
        return f"schedule must be unset for a vectorised group, got {get('schedule')!r}"
    if get("patience"):
        return (
            f"patience must be 0 (no early stopping) for a vectorised group, "
            f"got {get('patience')!r}"
        )
    if get("impl") != "torch":
        return f"impl must be 'torch' for a vectorised group, got {get('impl')!r}"
    if get("framework") != "torch":
        return f"framework must be 'torch' for a vectorised group, got {get('framework')!r}"
    return None


def _check_shared(shared: dict[str, Any]) -> None:
    """The checks ``TrainConfig`` makes on the fields the group uses (data sets are checked
    when they are built)."""
    check_choice("model", shared["model"], MODEL_KINDS)
    check_choice("task", shared["task"], ("regress", "classify"))
    if shared["model"] == "logistic" and shared["task"] != "classify":
        raise InputValueError(
            f"task must be 'classify' for model 'logistic', got {shared['task']!r}"
        )
    check_positive_int("batch_size", shared["batch_size"])
    check_positive_int("epochs", shared["epochs"])
    check_unit_interval("val_fraction", shared["val_fraction"])
    for name in ("n_samples", "n_features", "n_classes"):
        check_positive_int(name, shared[name])
    check_nonnegative_float("noise", shared["noise"])
    check_seed("data_seed", shared["data_seed"], bits=32)
    check_choice("device", shared["device"], DEVICE_CHOICES)


def _check_trial(values: dict[str, Any], optimizer: str) -> tuple[float, float, float, int]:
    lrate = check_positive_float("lrate", values["lrate"])
    if lrate > FLOAT32_MAX:
        raise InputValueError(
            f"lrate must be a finite positive number up to {FLOAT32_MAX:.4g} (the largest "
            f"float32, the models' dtype), got {values['lrate']!r}"
        )
    decay = check_nonnegative_float("weight_decay", values.get("weight_decay", 0.0))
    if not math.isfinite(decay):
        raise InputValueError(f"weight_decay must be a finite number >= 0, got {decay!r}")
    seed = check_seed("seed", values["seed"])
    if optimizer == "adam":
        return lrate, 0.0, decay, seed
    default_momentum, nesterov = SGD_FAMILY[optimizer]
    momentum = check_nonnegative_float("momentum", values.get("momentum", default_momentum))
    if not math.isfinite(momentum):
        raise InputValueError(f"momentum must be a finite number >= 0, got {momentum!r}")
    if nesterov and momentum == 0:
        raise InputValueError(f"momentum must be > 0 for optimizer 'nesterov', got {momentum!r}")
    return lrate, momentum, decay, seed


def _adam_options(values: dict[str, Any]) -> tuple[tuple[float, float], float]:
    """``betas`` and ``eps`` of an Adam group, checked as ``descentlab.optim`` checks them."""
    betas = check_betas("betas", values.get("betas", ADAM_DEFAULTS["betas"]))
    eps = check_positive_float("eps", values.get("eps", ADAM_DEFAULTS["eps"]))
    return betas, eps


def resolve_settings(
    fixed: Mapping[str, Any], trials: Sequence[Mapping[str, Any]]
) -> GroupSettings:
    """Check ``fixed`` and ``trials`` and split them into shared and per-trial values.

    Raises ``InputValueError`` naming the key when a key is unknown, a value is out of range,
    or the group cannot be vectorised (the reason :func:`refusal` gives).
    """
    if not isinstance(fixed, Mapping):
        raise InputTypeError(f"fixed must be a mapping of train settings, got {describe(fixed)}")
    if isinstance(trials, str | bytes) or not isinstance(trials, Sequence):
        raise InputTypeError(f"trials must be a sequence of mappings, got {describe(trials)}")
    if not trials:
        raise InputValueError("trials must hold at least one trial, got none")
    for index, trial in enumerate(trials):
        if not isinstance(trial, Mapping):
            raise InputTypeError(f"trials[{index}] must be a mapping, got {describe(trial)}")
    merged = [{**DEFAULTS, **_merged(fixed, trial)} for trial in trials]
    varying = [
        key
        for key in sorted({k for values in merged for k in values})
        if any(values.get(key, _MISSING) != merged[0].get(key, _MISSING) for values in merged)
    ]
    reason = refusal(merged[0], varying)
    if reason is not None:
        raise InputValueError(reason)
    shared = {k: v for k, v in merged[0].items() if k not in VARYING and k not in _IGNORED}
    _check_shared(shared)
    checked = [_check_trial(values, shared["optimizer"]) for values in merged]
    lrates, momenta, decays, seeds = (tuple(column) for column in zip(*checked, strict=True))
    if shared["optimizer"] != "adam":
        return GroupSettings(shared, lrates, momenta, decays, seeds)
    betas, eps = _adam_options(merged[0])
    return GroupSettings(shared, lrates, momenta, decays, seeds, betas, eps)


_MISSING = object()
