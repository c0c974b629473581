"""Packages whose public names are imported on first use (NOTE [lazy package] in ``descentlab``).

A package lists where each name lives and hands its ``__getattr__`` and ``__dir__`` to
:func:`lazy_names`, so importing the package costs nothing until a name is used.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["keep_names_over_submodules", "lazy_names"]


def lazy_names(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: name ``n`` is ``homes[n]``'s attribute ``n``
    (a module path), imported on first access and then kept in the package's ``namespace``."""

    def getattr_(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(homes[name]), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(homes))

    return getattr_, dir_


def keep_names_over_submodules(package: str, homes: Mapping[str, str]) -> None:
    """Keep ``package``'s public name ``n`` when its home is the submodule ``package.n``.

    NOTE [shadowed names]: ``descentlab.train.fit`` is both a submodule and the function it
    holds. Python binds every submodule on its package once the submodule is imported, so
    after anything imported the module ``descentlab.train.fit`` first (another descentlab
    module, a test, a user's ``from descentlab.train.fit import FitConfig``), ``from
    descentlab.train import fit`` gave the module, never reaching the lazy ``__getattr__``.
    The package's class is swapped for one whose ``__setattr__`` binds the submodule's
    namesake instead of the submodule; the module itself stays in ``sys.modules``.
    """
    shadowed = {name for name, home in homes.items() if home in (name, f"{package}.{name}")}

    class Package(types.ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if (
                name in shadowed
                and isinstance(value, types.ModuleType)
                and value.__name__ == f"{package}.{name}"
            ):
                value = getattr(value, name)
            super().__setattr__(name, value)

    sys.modules[package].__class__ = Package
