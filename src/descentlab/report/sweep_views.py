"""The sweeps' place in the interactive report: objective vs parameter, and a heatmap of two.

NOTE [sweep adapter]: the sweeps live in the store's ``sweeps`` table (schema 3, NOTE [sweep
link]) and their trials are ordinary runs linked to it. The report reads them through one
function, :func:`sweep_figures`: nothing for a store without sweeps, otherwise the views of each
sweep, built by :func:`sweep_view` from :class:`SweepTrial` records (the trial's varied
settings, its objective as ``descentlab sweeps show`` computes it, its state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from descentlab.report.run_views import trial_params
from descentlab.store.jsonsafe import plain
from descentlab.validation import InputValueError

__all__ = ["SweepTrial", "read_sweeps", "sweep_figures", "sweep_view"]


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


def read_sweeps(path: Path, *, only: int | None = None) -> list[Sweep]:
    """The sweeps stored in the store file at ``path`` (none in a store without sweeps), or
    the one whose id is ``only``, each with its trials as ``descentlab sweeps show`` lists
    them."""
    from descentlab.store import ResultsStore
    from descentlab.store.sweep_table import sweep_table

    found = []
    with ResultsStore.open_readonly(path) as store:
        chosen = store.list_sweeps() if only is None else [store.get_sweep(only)]
        for stored in chosen:
            rows = sweep_table(store, stored)
            if not rows:
                continue
            trials = [
                SweepTrial(row["params"], row["value"], row["state"] or row["status"],
                           row["run_id"])
                for row in sorted(rows, key=lambda row: (row["trial"] is None, row["trial"]))
            ]  # fmt: skip
            found.append(
                Sweep(
                    name=f"{stored.id} ({stored.name or stored.target})",
                    objective=str(stored.spec.get("objective", "")),
                    trials=trials,
                    direction=str(stored.spec.get("direction", "minimize")),
                )
            )
    return found


def sweep_figures(store_path: str | Path, *, sweeps: Sequence[Sweep] | None = None) -> list[dict]:
    """The sweep views of a store (none for a store without sweeps); ``sweeps`` given instead
    of read, for a caller that holds them already."""
    found = list(sweeps) if sweeps is not None else read_sweeps(Path(store_path))
    return [sweep_view(sweep) for sweep in found]
