"""A stored sweep read back for ``descentlab sweeps``: its trials sorted by objective and its
figures, from the results store alone (the study is not needed to read a sweep)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from descentlab.store.records import StoredSweep
from descentlab.sweeps.trial_run import objective_value
from descentlab.validation import InputError

__all__ = ["draw_sweep", "sweep_table"]

_ORDER = {"complete": 0, "pruned": 1, "diverged": 2, "failed": 3, None: 4}


def _value(run: Any, path: str) -> float | None:
    try:
        return objective_value(run.results, path)
    except InputError:
        return None


def sweep_table(store: Any, sweep: StoredSweep) -> list[dict[str, Any]]:
    """One row per trial run: trial, run id, state, objective value, parameters; complete
    trials first, best first (by the sweep's direction), then pruned, diverged, failed and
    runs without a state (running, or interrupted by a kill and queued again)."""
    objective = sweep.spec.get("objective", "")
    sign = -1.0 if sweep.spec.get("direction") == "maximize" else 1.0
    rows = []
    for run in store.sweep_runs(sweep.id):
        value = _value(run, objective) if run.status in ("finished",) else None
        state = run.sweep_state or (run.status if run.status != "finished" else None)
        params = run.sweep_params or {}
        rows.append({"trial": run.sweep_trial, "run_id": run.id, "state": state,
                     "status": run.status, "value": value, "params": params})  # fmt: skip

    def order(row: dict[str, Any]) -> tuple:
        value = row["value"]
        ranked = sign * value if value is not None and math.isfinite(value) else math.inf
        return (_ORDER.get(row["state"], 4), ranked, row["trial"])

    return sorted(rows, key=order)


def draw_sweep(store: Any, sweep: StoredSweep, folder: str | Path) -> list[Any]:
    """The sweep's figures (objective vs each parameter, the lrate × batch-size heatmap where
    both vary, the best trials' learning curves) into ``folder``, claimed while they are drawn
    (NOTE [folder claim]), each file written atomically."""
    from descentlab.lifecycle.output_folder import claim_folder, prepare_output
    from descentlab.plots.sweep_figures import sweep_figures

    table = sweep_table(store, sweep)
    best = [row for row in table if row["state"] == "complete"][:5]
    curves = {row["trial"]: store.metrics(row["run_id"]) for row in best}
    folder = prepare_output(folder, name="--to")
    with claim_folder(folder, name="--to") as claim:
        with claim.recording():
            figures = sweep_figures(sweep, table, curves, folder)
        claim.finish()
    return figures
