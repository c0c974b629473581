"""Config fields of the experiments that train the linear model by mini-batch SGD and time it."""

from __future__ import annotations

from dataclasses import dataclass

from descentlab.experiments.data_config import RegressionDataConfig
from descentlab.linear.inputs import check_epochs, check_lrate
from descentlab.validation import check_positive_int

__all__ = ["TimedTrainingConfig"]


@dataclass(frozen=True)
class TimedTrainingConfig(RegressionDataConfig):
    """Data shape, the SGD settings and how many timed repeats; subclasses set the defaults."""

    n_features: int = 10
    batch_size: int = 32
    lrate: float = 0.01
    epochs: int = 20
    repeat: int = 5

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive_int("n_features", self.n_features)
        check_positive_int("batch_size", self.batch_size)
        check_lrate(self.lrate)
        check_epochs(self.epochs)
        check_positive_int("repeat", self.repeat)
