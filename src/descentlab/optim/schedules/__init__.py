"""Learning-rate schedules: pure functions of the step count (plateau: of the metric history).

Every step schedule is a frozen dataclass you call with the step ``t = 0, 1, …`` and that
matches ``torch.optim.lr_scheduler`` after ``t`` calls to ``scheduler.step()``. Pass one
anywhere a learning rate is accepted: ``adam(lr=CosineAnnealingLR(1e-3, T_max=100))``.
"""

from descentlab.optim.schedules._base import StepSchedule
from descentlab.optim.schedules.cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from descentlab.optim.schedules.decay import ExponentialLR, MultiStepLR, StepLR
from descentlab.optim.schedules.one_cycle import OneCycleLR
from descentlab.optim.schedules.plateau import PlateauState, ReduceLROnPlateau
from descentlab.optim.schedules.registry import SCHEDULES, make_schedule
from descentlab.optim.schedules.sequential import SequentialLR
from descentlab.optim.schedules.warmup import LinearLR

__all__ = [
    "SCHEDULES",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "ExponentialLR",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "PlateauState",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
    "StepSchedule",
    "make_schedule",
]
