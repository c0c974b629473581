"""The embedded results store (SQLite) and its exports."""

from descentlab.store.errors import StoreWriteError
from descentlab.store.export import export_run
from descentlab.store.records import STATUSES, StoredExperiment, StoredRun, TrialRecord
from descentlab.store.sqlite import ResultsStore

__all__ = [
    "STATUSES",
    "ResultsStore",
    "StoreWriteError",
    "StoredExperiment",
    "StoredRun",
    "TrialRecord",
    "export_run",
]
