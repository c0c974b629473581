"""Training (SPEC §2.5 and §5): one ``fit`` for any model, optimizer, schedule and loader, with
checkpoints that resume bit-exactly, early stopping and divergence detection.

The names below are imported on first use, so ``descentlab``'s command line can register the
``train`` command without loading torch, scikit-learn and matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

from descentlab.lazy import keep_names_over_submodules

_HOMES = {
    "load_checkpoint": "checkpoint",
    "save_checkpoint": "checkpoint",
    "TrainConfig": "train_config",
    "DEVICES": "descentlab.torch_device",
    "resolve_device": "descentlab.torch_device",
    "FitConfig": "fit_config",
    "FitResult": "fit",
    "Progress": "fit",
    "evaluate": "evaluation",
    "fit": "fit",
    "make_train_loader": "batch_source",
    "build_optimizer": "optimizer_choice",
    "build_scheduler": "optimizer_choice",
    "TrainReport": "session",
    "run_training": "session",
    "LOSSES": "descentlab.tasks",
    "TASKS": "descentlab.tasks",
    "Task": "descentlab.tasks",
    "make_task": "descentlab.tasks",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'descentlab.train' has no attribute {name!r}")
    home = _HOMES[name]
    module = home if home.startswith("descentlab.") else f"descentlab.train.{home}"
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


keep_names_over_submodules(__name__, _HOMES)  # NOTE [shadowed names]
