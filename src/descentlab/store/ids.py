"""Run ids: SQLite's INTEGER PRIMARY KEY, so a positive signed 64-bit integer."""

from __future__ import annotations

import numbers
from typing import Any

from descentlab.validation import InputTypeError, InputValueError

__all__ = ["ID_LIMIT", "check_run_id"]

ID_LIMIT = 2**63


def check_run_id(run_id: Any) -> int:
    """``run_id`` as an int; refused before SQLite would raise ``OverflowError`` on it."""
    if isinstance(run_id, bool) or not isinstance(run_id, numbers.Integral):
        raise InputTypeError(f"run id must be an integer, got {run_id!r}")
    if not 0 < run_id < ID_LIMIT:
        raise InputValueError(f"run id must be a positive integer below 2**63, got {run_id}")
    return int(run_id)
