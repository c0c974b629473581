"""Experiment configs: frozen dataclasses, overridden from ``key=value`` strings, type-checked.

Every config shares the fields of :class:`CommonConfig`. A field's type annotation decides how a
``--set`` value is parsed (:mod:`descentlab.values`): ``int``, ``float``, ``bool``, ``str`` or a
tuple whose items are separated by commas (``lrates=0.001,0.01``). Values are checked again by
each config's ``__post_init__``.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any

from descentlab.linear import BACKENDS
from descentlab.validation import InputTypeError, InputValueError, check_choice, check_seed
from descentlab.values import parse_field, split_assignments

__all__ = ["CommonConfig", "apply_overrides", "config_fields", "parse_assignments"]


@dataclass(frozen=True)
class CommonConfig:
    """Fields every experiment has."""

    seed: int = 0
    backend: str = "numpy"
    data: str = ""
    target: str = ""
    features: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_seed("seed", self.seed)
        check_choice("backend", self.backend, BACKENDS)
        for name in ("data", "target"):
            if not isinstance(getattr(self, name), str):
                raise InputTypeError(f"{name} must be a string, got {getattr(self, name)!r}")
        if not self.data:  # else a column choice would be silently ignored
            for name in ("target", "features"):
                if getattr(self, name):
                    raise InputValueError(
                        f"{name} must come with data (--data FILE), got "
                        f"{name}={getattr(self, name)!r} without a data file"
                    )


def config_fields(config_type: type) -> dict[str, Any]:
    """Field name → resolved type annotation."""
    hints = typing.get_type_hints(config_type)
    return {f.name: hints[f.name] for f in dataclasses.fields(config_type)}


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` → ``{"a": "1", "b": "x"}``; each item needs one ``=``, each key once."""
    return split_assignments("--set", items)


def apply_overrides(config: Any, overrides: dict[str, Any]) -> Any:
    """A copy of ``config`` with ``overrides`` (strings are parsed by the field's type)."""
    fields = config_fields(type(config))
    changes = {}
    for key, value in overrides.items():
        if key not in fields:
            valid = ", ".join(sorted(fields))
            raise InputValueError(f"--set key must be one of: {valid}; got {key!r}")
        changes[key] = parse_field(key, value, fields[key]) if isinstance(value, str) else value
    return dataclasses.replace(config, **changes)
