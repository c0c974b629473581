"""Training (SPEC §2.5 and §5): one ``fit`` for any model, optimizer, schedule and loader, with
checkpoints that resume bit-exactly, early stopping and divergence detection."""

from descentlab.train.checkpoint import load_checkpoint, save_checkpoint
from descentlab.train.config import TrainConfig
from descentlab.train.devices import DEVICES, resolve_device
from descentlab.train.fit import FitResult, Progress, evaluate, fit
from descentlab.train.loaders import make_train_loader
from descentlab.train.optimizers import build_optimizer, build_scheduler
from descentlab.train.session import TrainReport, run_training
from descentlab.train.tasks import LOSSES, TASKS, Task, make_task

__all__ = [
    "DEVICES",
    "LOSSES",
    "TASKS",
    "FitResult",
    "Progress",
    "Task",
    "TrainConfig",
    "TrainReport",
    "build_optimizer",
    "build_scheduler",
    "evaluate",
    "fit",
    "load_checkpoint",
    "make_task",
    "make_train_loader",
    "resolve_device",
    "run_training",
    "save_checkpoint",
]
