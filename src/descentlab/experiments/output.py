"""The output folder: created by descentlab, or refused.

NOTE [ownership]: descentlab writes only into a folder it created (marked by a ``.descentlab``
file) or into an empty or missing one. A non-empty folder without the marker holds someone else's
files, so it is refused rather than overwritten. Re-running into our own folder replaces only the
files that descentlab itself writes there; the results store keeps every earlier run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from descentlab.validation import InputValueError

__all__ = ["MARKER", "prepare_output"]

MARKER = ".descentlab"


def prepare_output(out: str | Path) -> Path:
    """Create or reuse ``out`` and check that it is writable; returns the resolved path."""
    path = Path(out).expanduser()
    if path.exists() and not path.is_dir():
        raise InputValueError(f"out must be a folder, got {str(path)!r} (an existing file)")
    if path.is_dir() and any(path.iterdir()) and not (path / MARKER).is_file():
        raise InputValueError(
            f"out must be empty or a folder descentlab created, got {str(path)!r} "
            "(it holds other files; choose another folder)"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
        (path / MARKER).write_text("This folder was created by descentlab.\n")
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputValueError(
            f"out must be a writable folder, got {str(path)!r} ({reason})"
        ) from None
    if not os.access(path, os.W_OK):
        raise InputValueError(
            f"out must be a writable folder, got {str(path)!r} (permission denied)"
        )
    return path.resolve()
