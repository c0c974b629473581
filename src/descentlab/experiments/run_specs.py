"""An optimizer or schedule with its hyperparameters, written as one entry of a list field.

``name`` alone, or ``name:key=value:key=value`` — e.g. ``adam:lr=0.01:betas=0.5/0.99``; commas
separate the entries (``optimizers=sgd:lr=0.1,adam:lr=0.05``). The grammar is
:mod:`descentlab.values`'s (NOTE [value syntax]); a value's kind is that of the
hyperparameter's default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from descentlab.validation import InputValueError
from descentlab.values import check_stray_number, format_value, kinds_of_defaults
from descentlab.values import parse_spec as parse_entry

__all__ = ["RunSpec", "parse_spec", "parse_specs"]


@dataclass(frozen=True)
class RunSpec:
    """A parsed entry: the registry ``name``, the hyperparameters it set, and its ``label``."""

    name: str
    given: dict[str, Any]
    label: str


def parse_spec(where: str, text: str, defaults: Mapping[str, Mapping[str, Any]]) -> RunSpec:
    """Parse ``text``; ``defaults`` maps each allowed name to its hyperparameters' defaults."""
    kinds = {name: kinds_of_defaults(hyper) for name, hyper in defaults.items()}
    entry = parse_entry(where, text, kinds)
    shown = ", ".join(f"{k}={format_value(v)}" for k, v in entry.given.items())
    return RunSpec(entry.name, entry.given, f"{entry.name}({shown})" if shown else entry.name)


def parse_specs(
    field: str, texts: Sequence[str], parse: Callable[[str, str], RunSpec]
) -> list[RunSpec]:
    """``parse(where, text)`` every entry of a list field; refuses no entries and repeats."""
    if isinstance(texts, str) or not isinstance(texts, Sequence) or len(texts) == 0:
        raise InputValueError(f"{field} must list at least one entry, got {texts!r}")
    for i, text in enumerate(texts):  # before any entry is built: the likelier mistake
        check_stray_number(f"{field}[{i}]", text)
    specs = [parse(f"{field}[{i}]", text) for i, text in enumerate(texts)]
    labels = [s.label for s in specs]
    for label in labels:
        if labels.count(label) > 1:
            raise InputValueError(f"{field} must not repeat an entry, got {label!r} twice")
    return specs
