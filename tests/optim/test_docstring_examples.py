"""Every runnable example in the optim docstrings runs and prints what it claims."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import descentlab.optim
from descentlab.optim.schedules import SCHEDULES

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(descentlab.optim.__path__, prefix="descentlab.optim.")
)


@pytest.mark.parametrize("module_name", ["descentlab.optim", *MODULES])
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_every_named_optimizer_and_schedule_has_math_and_an_example() -> None:
    for name, build in descentlab.optim.OPTIMIZERS.items():
        assert ".. math::" in build.__doc__ and ">>>" in build.__doc__, name
    for name, cls in SCHEDULES.items():
        assert ">>>" in cls.__doc__, name
