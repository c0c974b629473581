"""The embedded results store (SQLite) and its exports."""

from descentlab.store.errors import StoreWriteError
from descentlab.store.export import export_run
from descentlab.store.records import (
    STATUSES,
    SWEEP_STATES,
    StoredExperiment,
    StoredRun,
    StoredSweep,
    TrialRecord,
)
from descentlab.store.sqlite import ResultsStore

__all__ = [
    "STATUSES",
    "SWEEP_STATES",
    "ResultsStore",
    "StoreWriteError",
    "StoredExperiment",
    "StoredRun",
    "StoredSweep",
    "TrialRecord",
    "export_run",
]
