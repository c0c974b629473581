"""Every file descentlab writes: whole or not at all.

NOTE [atomic files]: a file is written to a temporary file in its own folder (a hidden name
ending in ``.tmp``), flushed and ``fsync``-ed, then moved over the target with ``os.replace``
(atomic on POSIX and Windows), and the folder is synced. A reader therefore sees the previous
file or the new one, never a torn one; a process killed midway leaves at most a hidden ``.tmp``
file, which the next run claiming the folder removes (NOTE [run manifest]). The checkpoints of
``descentlab train`` are written the same way (NOTE [atomic checkpoint]).

A write that fails for lack of room or rights (a full disk, the file-size limit, a read-only
folder) raises :class:`OutputWriteError` naming the file, and leaves no partial file behind.

NOTE [file ledger]: while a run holds its folder (:mod:`descentlab.lifecycle.output_folder`),
each file written into that folder is first recorded in the folder's manifest, so the next run
knows which files to remove, even after a kill. The ledger is found through a context
variable, so the drawing code needs no extra argument to take part.
"""

from __future__ import annotations

import contextvars
import errno
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from descentlab.validation import InputValueError

__all__ = [
    "TEMP_SUFFIX",
    "OutputWriteError",
    "publish_new",
    "recording_into",
    "sync_folder",
    "write_bytes",
    "write_file",
    "write_text",
]

TEMP_SUFFIX = ".tmp"

#: errno values that mean "no room for this file" rather than a defect.
NO_ROOM = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


class OutputWriteError(InputValueError):
    """A file could not be written (no room, no rights, a bad path); names the file.

    An ``InputError`` so the CLI answers it with one line and exit code 2: the cause lies in the
    user's machine (disk, quota, permissions), not in descentlab.
    """

    def __init__(self, path: str | Path, error: OSError, *, name: str = "output file") -> None:
        self.path = Path(path)
        self.errno = error.errno
        reason = error.strerror or str(error)
        super().__init__(f"{name} must be writable, got {str(path)!r} ({reason})")

    @property
    def no_room(self) -> bool:
        return self.errno in NO_ROOM


class Ledger(Protocol):
    def record(self, path: Path) -> None: ...


_LEDGER: contextvars.ContextVar[Ledger | None] = contextvars.ContextVar("ledger", default=None)


@contextmanager
def recording_into(ledger: Ledger) -> Iterator[None]:
    """Record every file written while inside the block in ``ledger`` (NOTE [file ledger])."""
    token = _LEDGER.set(ledger)
    try:
        yield
    finally:
        _LEDGER.reset(token)


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def write_file(
    path: str | Path, write: Callable[[BinaryIO], object], *, name: str = "output file"
) -> Path:
    """Write ``path`` atomically (NOTE [atomic files]): ``write`` fills a binary stream."""
    path = Path(path)
    ledger = _LEDGER.get()
    if ledger is not None:
        ledger.record(path)
    temporary = _temporary_name(path)
    try:
        # O_EXCL: never follow or reuse a name someone else made; 0o666 minus the umask, as
        # for any file a program creates (mkstemp would give 0o600).
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise OutputWriteError(path, error, name=name) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OutputWriteError(path, error, name=name) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return path


def write_bytes(path: str | Path, data: bytes, *, name: str = "output file") -> Path:
    return write_file(path, lambda stream: stream.write(data), name=name)


def write_text(path: str | Path, text: str, *, name: str = "output file") -> Path:
    return write_bytes(path, text.encode("utf-8"), name=name)


def publish_new(
    path: str | Path, write: Callable[[Path], object], *, name: str = "output file"
) -> Path:
    """Write a file that must not exist yet: ``write(staging)`` writes a fresh path in a hidden
    staging folder beside ``path``, which is then linked into place only if ``path`` is still
    free (``os.link`` never replaces), so two writers cannot both create it."""
    path = Path(path)
    staging = _temporary_name(path)
    try:
        staging.mkdir()
    except OSError as error:
        raise OutputWriteError(path, error, name=name) from None
    try:
        written = staging / path.name
        write(written)
        with open(written, "rb+") as stream:
            os.fsync(stream.fileno())
        os.link(written, path)
    except FileExistsError:
        raise InputValueError(
            f"{name} must not exist yet (nothing is overwritten), got {str(path)!r}"
        ) from None
    except OSError as error:
        raise OutputWriteError(path, error, name=name) from None
    finally:
        for leftover in staging.iterdir():
            leftover.unlink(missing_ok=True)
        staging.rmdir()
    sync_folder(path.parent)
    return path


def sync_folder(folder: str | Path) -> None:
    """``fsync`` a folder so a rename in it survives a power cut (no-op where unsupported)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
