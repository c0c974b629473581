"""Config fields of the built-in regression data, shared by the linear-model experiments."""

from __future__ import annotations

from dataclasses import dataclass

from descentlab.data import Dataset, load_file, regression_data
from descentlab.experiments.common_config import CommonConfig
from descentlab.validation import check_nonnegative_float, check_positive_int, check_seed

__all__ = ["RegressionDataConfig", "load_data"]


@dataclass(frozen=True)
class RegressionDataConfig(CommonConfig):
    """``make_regression`` settings (SPEC §2.1 defaults); ignored when ``data`` names a file."""

    n_samples: int = 100
    noise: float = 20.0
    data_seed: int = 42

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive_int("n_samples", self.n_samples)
        check_nonnegative_float("noise", self.noise)
        check_seed("data_seed", self.data_seed, bits=32)


def load_data(config: RegressionDataConfig, n_features: int) -> Dataset:
    """The user's file when ``config.data`` is set, else the built-in synthetic data."""
    if config.data:
        return load_file(config.data, target=config.target, features=config.features)
    return regression_data(
        config.n_samples, n_features, noise=config.noise, random_state=config.data_seed
    )
