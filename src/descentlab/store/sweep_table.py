"""A stored sweep's trials as a table, and a run's objective: read from the results store alone
(the Optuna study is not needed to read a sweep), by ``descentlab sweeps show`` and the report."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from descentlab.store.records import StoredSweep
from descentlab.validation import InputError, InputValueError

__all__ = ["objective_value", "sweep_table"]


def objective_value(results: Mapping[str, Any], path: str) -> float | None:
    """The number at the dotted ``path`` of a run's results; None when it is not finite.
    A path that leads nowhere is refused, naming what is there."""
    node: Any = results
    walked = []
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            there = ", ".join(sorted(node)) if isinstance(node, Mapping) else type(node).__name__
            where = ".".join(walked) or "the results"
            raise InputValueError(
                f"objective must be a dotted path to a number in the run's results, got "
                f"{path!r} ({where} holds {there})"
            )
        node = node[part]
        walked.append(part)
    if isinstance(node, bool) or not isinstance(node, int | float):
        if node is None:
            return None
        raise InputValueError(f"objective must name a number, got {path!r} = {node!r}")
    return float(node) if math.isfinite(node) else None


def _value(run: Any, path: str) -> float | None:
    try:
        return objective_value(run.results, path)
    except InputError:
        return None


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
