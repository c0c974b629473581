"""The sweeps' place in the interactive report: objective vs parameter, and a heatmap of two.

NOTE [sweep adapter]: the sweeps store their own table (``sweeps``), built in parallel with this
report. The report depends on it through one function only, :func:`sweep_figures`: it returns
nothing for a store without a ``sweeps`` table, and otherwise the views of each sweep, built by
:func:`sweep_view` from :class:`SweepTrial` records (settings, objective, status). Wiring a
sweep store means filling :func:`read_sweeps` with the rows of that table; until then a store
that has sweeps gets a note saying the report cannot show them yet — never a silent gap.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from descentlab.report.run_views import trial_params
from descentlab.store.jsonsafe import plain
from descentlab.validation import InputValueError

__all__ = ["SweepTrial", "read_sweeps", "sweep_figures", "sweep_view"]

SWEEP_TABLE = "sweeps"


@dataclass(frozen=True)
class SweepTrial:
    """One trial of a sweep: the settings it varied, its objective (None when it diverged or
    failed) and its status."""

    params: dict[str, Any]
    objective: float | None
    status: str
    run_id: int | None = None


@dataclass(frozen=True)
class Sweep:
    name: str
    objective: str
    trials: list[SweepTrial] = field(default_factory=list)
    direction: str = "minimize"


def sweep_view(sweep: Sweep) -> dict[str, Any]:
    """The page's data of one sweep: the parameters that vary (the selects of both views) and
    every trial's point (NOTE [report data])."""
    if not sweep.trials:
        raise InputValueError(f"sweep must have trials, got none in {sweep.name!r}")
    points = [
        {"params": trial_params(t.params), "objective": t.objective, "status": t.status,
         "run_id": t.run_id}
        for t in sweep.trials
    ]  # fmt: skip
    names = sorted({name for point in points for name in point["params"]})
    varying = [n for n in names if len({repr(p["params"].get(n)) for p in points}) > 1]
    return plain(
        {
            "kind": "sweep",
            "title": f"Sweep {sweep.name}",
            "objective": sweep.objective,
            "direction": sweep.direction,
            "parameters": varying or names,
            "points": points,
        }
    )


def _tables(path: Path) -> set[str]:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        db.close()


def read_sweeps(path: Path) -> list[Sweep] | None:
    """The sweeps stored in the store file at ``path``: ``[]`` without a sweeps table, ``None``
    where the table exists but is not wired yet (NOTE [sweep adapter])."""
    if SWEEP_TABLE not in _tables(path):
        return []
    return None


def sweep_figures(store_path: str | Path, *, sweeps: Sequence[Sweep] | None = None) -> list[dict]:
    """The sweep views of a store (none for a store without sweeps); ``sweeps`` given instead
    of read, for a caller that holds them already."""
    found = list(sweeps) if sweeps is not None else read_sweeps(Path(store_path))
    if found is None:
        return [
            {
                "kind": "note",
                "title": "Sweeps",
                "text": "This store holds sweeps, which this version of the report cannot "
                "show yet; `descentlab runs` lists their runs.",
            }
        ]
    return [sweep_view(sweep) for sweep in found]
