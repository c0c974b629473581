"""File arguments of the on-disk loaders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = ["check_data_file"]


def check_data_file(name: str, path: Any, suffixes: tuple[str, ...]) -> Path:
    """An existing file with one of ``suffixes``, as a ``Path``."""
    kinds = "/".join(suffixes)
    if not isinstance(path, str | Path):
        raise InputTypeError(f"{name} must be a path to a {kinds} file, got {describe(path)}")
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise InputValueError(f"{name} must be a {kinds} file, got {str(path)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"{name} must be an existing file, got {str(path)!r}")
    return path
