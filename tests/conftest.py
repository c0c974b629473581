from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

# CI (CI=true) replays the same examples every run, so a red build is about the change, not about
# which random examples were drawn; a developer's run explores new ones each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def regression() -> tuple[np.ndarray, np.ndarray]:
    """A small, well-conditioned 4-feature regression problem."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((60, 4))
    y = X @ np.array([[1.5], [-2.0], [0.5], [3.0]]) + 0.1 * rng.standard_normal((60, 1))
    return X, y


@pytest.fixture
def onefeature() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 1))
    y = 2.5 * x + 0.2 * rng.standard_normal((40, 1))
    return x, y


# NOTE [hang guard]: a wall-clock limit on a subprocess (or a wait) that does real work is a hang
# guard only: 3600 s for a CLI run or a benchmark smoke run that needs seconds of CPU, so that a
# machine loaded by other work (2 cores, several test runs at once) can never reach it by slowness
# alone. A limit near the expected time (300 s was) fails the suite whenever the machine is busy.
# Waits for something to happen poll with an early exit, so a generous deadline costs nothing
# when it happens at once.
