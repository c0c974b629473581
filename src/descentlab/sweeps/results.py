"""A stored sweep read back for ``descentlab sweeps``: its trials sorted by objective and its
figures, from the results store alone (the study is not needed to read a sweep)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from descentlab.store.records import StoredSweep
from descentlab.store.sweep_table import sweep_table

__all__ = ["draw_sweep", "sweep_table"]  # sweep_table lives in store (the report reads it too)


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
