"""Export a stored run's metrics (and its trials') as a long table: CSV or Parquet."""

from __future__ import annotations

import csv
from pathlib import Path

from descentlab.store.sqlite import ResultsStore
from descentlab.validation import InputValueError, check_choice

__all__ = ["FORMATS", "export_run"]

FORMATS = ("csv", "parquet")
_COLUMNS = ("run_id", "label", "metric", "step", "value")


def export_run(store: ResultsStore, run_id: int, path: str | Path, fmt: str) -> int:
    """Write ``run_id`` and its trials' metrics to ``path``; returns the number of rows.

    Refuses to overwrite an existing file.
    """
    check_choice("format", fmt, FORMATS)
    path = Path(path)
    if path.exists():
        raise InputValueError(
            f"export path must not exist yet (nothing is overwritten), got {str(path)!r}"
        )
    run = store.get_run(run_id)
    runs = [run, *store.children(run.id)]
    rows = [
        (r.id, r.label, name, step, None if value != value else float(value))
        for r in runs
        for name, values in store.metrics(r.id).items()
        for step, value in enumerate(values.tolist())
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with path.open("x", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(_COLUMNS)
            writer.writerows(rows)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({c: [row[i] for row in rows] for i, c in enumerate(_COLUMNS)})
        pq.write_table(table, path)
    return len(rows)
