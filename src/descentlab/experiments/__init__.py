"""The experiment registry: each SPEC §2 experiment is one module with a config and ``run()``.

NOTE [instant catalog]: the modules are imported when an experiment is first asked for, not when
this package is imported; names, sections and summaries come from :mod:`.catalog`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from descentlab.experiments.base import Experiment, Outcome
from descentlab.experiments.catalog import CATALOG
from descentlab.validation import check_choice

__all__ = ["EXPERIMENTS", "Experiment", "Outcome", "get_experiment"]


class _Registry(Mapping[str, Experiment]):
    """Name -> :class:`Experiment`, importing an experiment's module on first access."""

    def __getitem__(self, name: str) -> Experiment:
        entry = CATALOG[name]
        module = importlib.import_module(f"descentlab.experiments.{entry.module}")
        return module.EXPERIMENT

    def __iter__(self) -> Iterator[str]:
        return iter(CATALOG)

    def __len__(self) -> int:
        return len(CATALOG)


EXPERIMENTS: Mapping[str, Experiment] = _Registry()


def get_experiment(name: str) -> Experiment:
    """The registered experiment called ``name``."""
    check_choice("experiment", name, tuple(CATALOG))
    return EXPERIMENTS[name]
