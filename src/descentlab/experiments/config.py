"""Experiment configs: frozen dataclasses, overridden from ``key=value`` strings, type-checked.

Every config shares the fields of :class:`CommonConfig`. A field's type annotation decides how a
``--set`` value is parsed: ``int``, ``float``, ``bool``, ``str`` or a tuple of ints/floats written
with commas (``lrates=0.001,0.01``). Values are checked again by each config's ``__post_init__``.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any

from descentlab.linear import BACKENDS
from descentlab.validation import InputTypeError, InputValueError, check_choice, check_seed

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


def _parse(key: str, text: str, kind: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin is tuple:
        (item,) = {a for a in typing.get_args(kind) if a is not Ellipsis}
        parts = [p.strip() for p in text.split(",") if p.strip()]
        return tuple(_parse(key, p, item) for p in parts)
    if kind is bool:
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise InputValueError(f"{key} must be true or false, got {text!r}")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise InputValueError(f"{key} must be an integer, got {text!r}") from None
    if kind is float:
        try:
            return float(text)
        except ValueError:
            raise InputValueError(f"{key} must be a number, got {text!r}") from None
    return text


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` → ``{"a": "1", "b": "x"}``; each item needs one ``=``."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputValueError(f"--set must be key=value, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def apply_overrides(config: Any, overrides: dict[str, Any]) -> Any:
    """A copy of ``config`` with ``overrides`` (strings are parsed by the field's type)."""
    fields = config_fields(type(config))
    changes = {}
    for key, value in overrides.items():
        if key not in fields:
            valid = ", ".join(sorted(fields))
            raise InputValueError(f"--set key must be one of: {valid}; got {key!r}")
        changes[key] = _parse(key, value, fields[key]) if isinstance(value, str) else value
    return dataclasses.replace(config, **changes)
