"""The oracle of the vectorised tests: each trial run by itself through ``descentlab train``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from descentlab.train.session import run_training
from descentlab.train.train_config import TrainConfig
from descentlab.vectorised import GroupResult

OPTION_KEYS = ("momentum", "weight_decay", "betas", "eps")


def trainer_run(fixed: Mapping[str, Any], trial: Mapping[str, Any], out: Path) -> dict[str, Any]:
    """The results of ``run_training`` for ``fixed`` updated by ``trial``."""
    values = {**fixed, **trial}
    options = tuple((key, values.pop(key)) for key in OPTION_KEYS if key in values)
    return run_training(TrainConfig(**values, optimizer_options=options), out=out).results


def assert_same_run(result: GroupResult, trained: dict[str, Any], *, rtol: float) -> None:
    """Status, divergence message and every history series of the group's result equal the
    trainer's (float series within ``rtol``; the trainer's wall-clock series are left out)."""
    assert result.status == trained["status"]
    assert result.message == trained["message"]
    expected = {
        k: v for k, v in trained["history"].items() if k not in ("seconds", "samples_per_second")
    }
    assert set(result.history) == set(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(
            result.history[name], values, rtol=rtol, atol=1e-6, equal_nan=True, err_msg=name
        )
    assert result.final == {name: values[-1] for name, values in result.history.items()}


@pytest.fixture
def trainer(tmp_path: Path) -> Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]:
    """``trainer(fixed, trial)``: one trial through the trainer, each in a folder of its own."""
    count = iter(range(1_000_000))
    return lambda fixed, trial: trainer_run(fixed, trial, tmp_path / f"run{next(count)}")
