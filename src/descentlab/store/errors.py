"""What a failing SQLite call means for the user: a damaged store, or a store that cannot be
written (disk full, file-size limit, read-only), always naming the store file.

NOTE [store errors]: no ``sqlite3`` exception leaves the store. A damaged file is the user's to
repair or replace, so it is an ``InputValueError`` (the CLI's one line, exit 2). A write that the
environment refuses midway is a :class:`StoreWriteError`, an ``OSError``: the run lifecycle catches
it to mark the run failed (or leaves it ``running`` for the next writer to mark ``interrupted``).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from descentlab.validation import InputValueError

__all__ = ["StoreWriteError", "damaged", "translated"]

_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_ENVIRONMENT = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


class StoreWriteError(OSError):
    """The results store could not be written: the message names the file and the reason."""


def damaged(path: Path, detail: str) -> InputValueError:
    return InputValueError(
        f"store must be an undamaged descentlab results store, got {str(path)!r}, which is "
        f"damaged: {detail} (restore it from a copy or use another --store)"
    )


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """Turn any ``sqlite3.Error`` raised inside into a damage or an environment error."""
    try:
        yield
    except sqlite3.Error as error:
        raise _meaning(path, error) from error


def _meaning(path: Path, error: sqlite3.Error) -> Exception:
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith(_DAMAGE):
        return damaged(path, str(error))
    if name.startswith(_BUSY):
        return StoreWriteError(
            errno.EBUSY, f"the results store is locked by another process ({error})", str(path)
        )
    if name.startswith(_ENVIRONMENT):
        return StoreWriteError(errno.EIO, _reason(path, error), str(path))
    return StoreWriteError(errno.EIO, f"the results store failed: {error}", str(path))


def _reason(path: Path, error: sqlite3.Error) -> str:
    """SQLite says "disk I/O error" for a full disk and for a file-size limit alike; say which."""
    try:
        import resource  # POSIX only

        soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
        limited = soft != resource.RLIM_INFINITY
    except ImportError:
        soft, limited = 0, False
    if limited:
        return f"cannot write the results store: the file-size limit (ulimit -f) is {soft} bytes"
    try:
        stat = os.statvfs(path.parent)
    except OSError:
        stat = None
    if stat is not None and stat.f_bavail * stat.f_frsize < 1 << 20:
        return "cannot write the results store: the disk is full"
    name = getattr(error, "sqlite_errorname", "")
    if name.startswith("SQLITE_READONLY") or name.startswith("SQLITE_CANTOPEN"):
        return f"cannot write the results store: it or its folder is read-only ({error})"
    return f"cannot write the results store: {error}"
