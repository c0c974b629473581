"""Every test in this folder runs with warnings as errors: a warning the user would see on their
terminal (NumPy overflow, matplotlib's log-axis and limit complaints) fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.filterwarnings("error"))
