"""An optimizer or schedule with its hyperparameters, written as one ``--set`` string.

``name`` alone, or ``name:key=value:key=value`` — e.g. ``adam:lr=0.01:betas=0.5/0.99``. A
value is parsed by the type of the hyperparameter's default: numbers, ``true``/``false``, and
sequences (betas, milestones) written with ``/``. Commas separate the entries of a list field
(``optimizers=sgd:lr=0.1,adam:lr=0.05``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from descentlab.validation import InputValueError, check_choice

__all__ = ["RunSpec", "parse_spec", "parse_specs"]


@dataclass(frozen=True)
class RunSpec:
    """A parsed entry: the registry ``name``, the hyperparameters it set, and its ``label``."""

    name: str
    given: dict[str, Any]
    label: str


def _value(where: str, key: str, text: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise InputValueError(f"{key} must be true or false, got {text!r} in {where}")
        return lowered == "true"
    if isinstance(default, tuple | list):
        parts = text.split("/")
        kind = int if default and all(isinstance(d, int) for d in default) else float
        return tuple(_value(where, key, p, kind(0)) for p in parts)
    if isinstance(default, str):
        return text
    kind = int if isinstance(default, int) else float
    try:
        return kind(text)
    except ValueError:
        rule = "an integer" if kind is int else "a number"
        raise InputValueError(f"{key} must be {rule}, got {text!r} in {where}") from None


def parse_spec(where: str, text: str, defaults: Mapping[str, Mapping[str, Any]]) -> RunSpec:
    """Parse ``text``; ``defaults`` maps each allowed name to its hyperparameters' defaults."""
    if not isinstance(text, str) or not text.strip():
        raise InputValueError(f"{where} must be name or name:key=value:..., got {text!r}")
    name, *pairs = [part.strip() for part in text.strip().split(":")]
    check_choice(f"{where} name", name, tuple(defaults))
    allowed = defaults[name]
    given: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = (part.strip() for part in pair.partition("="))
        if not sep or not key or not value:
            raise InputValueError(f"{where} must be name or name:key=value:..., got {text!r}")
        if key not in allowed:
            raise InputValueError(
                f"{where} key must be one of {', '.join(allowed)} for {name!r}, got {key!r}"
            )
        if key in given:
            raise InputValueError(f"{where} must set each key once, got {key!r} twice in {text!r}")
        given[key] = _value(where, key, value, allowed[key])
    shown = ", ".join(
        f"{k}={'/'.join(f'{x:g}' for x in v) if isinstance(v, tuple) else v}"
        for k, v in given.items()
    )
    return RunSpec(name, given, f"{name}({shown})" if shown else name)


def parse_specs(
    field: str, texts: Sequence[str], parse: Callable[[str, str], RunSpec]
) -> list[RunSpec]:
    """``parse(where, text)`` every entry of a list field; refuses no entries and repeats."""
    if isinstance(texts, str) or not isinstance(texts, Sequence) or len(texts) == 0:
        raise InputValueError(f"{field} must list at least one entry, got {texts!r}")
    specs = [parse(f"{field}[{i}]", text) for i, text in enumerate(texts)]
    labels = [s.label for s in specs]
    for label in labels:
        if labels.count(label) > 1:
            raise InputValueError(f"{field} must not repeat an entry, got {label!r} twice")
    return specs
