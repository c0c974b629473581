"""The output folder: created by descentlab or refused; held by one run at a time.

NOTE [ownership]: descentlab writes only into a folder it created (marked by a ``.descentlab``
file) or into an empty or missing one. A non-empty folder without the marker holds someone else's
files, so it is refused rather than overwritten. Re-running into our own folder replaces only the
files that descentlab itself writes there; the results store keeps every earlier run.

NOTE [folder claim]: a run claims its folder (``OUT/<experiment>/``, ``OUT/train/``, a redraw
folder) with an exclusive ``fcntl.flock`` on ``.descentlab.lock`` inside it, held until the run
ends. The kernel drops the lock when the process dies, even by SIGKILL, so there is no stale
lock to clean up; a second run into the same folder is refused at once, naming the holder's pid.
The lock file itself is never removed (removing it would let two runs lock two different files).

NOTE [run manifest]: ``manifest.json`` says which run the folder holds (``run_id``), whether its
files are complete and which files that run wrote (NOTE [file ledger]). A run that claims the
folder first removes the files the previous run listed (and any hidden ``.tmp`` file a killed
writer left), so the files of two runs never mix; it writes the manifest with ``complete: true``
last, after every other file.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from descentlab.atomic_files import (
    TEMP_SUFFIX,
    OutputWriteError,
    recording_into,
    write_text,
)
from descentlab.validation import InputValueError

__all__ = [
    "LOCK",
    "MANIFEST",
    "MARKER",
    "FolderBusyError",
    "FolderClaim",
    "PreviousRun",
    "check_owned_folder",
    "claim_folder",
    "prepare_output",
    "read_manifest",
]

MARKER = ".descentlab"
LOCK = ".descentlab.lock"
MANIFEST = "manifest.json"


class FolderBusyError(InputValueError):
    """Another live run holds the folder (NOTE [folder claim])."""


def _unusable(name: str, path: Path, error: OSError) -> InputValueError:
    reason = error.strerror or str(error)
    if error.errno == errno.ENAMETOOLONG:
        reason = "a name in the path is too long"
    return InputValueError(f"{name} must be a writable folder, got {str(path)!r} ({reason})")


def check_owned_folder(path: Path, name: str = "out", *, also_ours: tuple[str, ...] = ()) -> None:
    """Refuse an existing file, or a non-empty folder descentlab did not create (NOTE
    [ownership]). ``also_ours`` names entries that only descentlab writes there (a folder whose
    entries are all such is accepted)."""
    try:
        if path.exists() and not path.is_dir():
            raise InputValueError(f"{name} must be a folder, got {str(path)!r} (an existing file)")
        if not path.is_dir() or (path / MARKER).is_file():
            return
        entries = {entry.name for entry in path.iterdir()}
    except OSError as error:
        raise _unusable(name, path, error) from None
    if entries - set(also_ours):
        raise InputValueError(
            f"{name} must be empty or a folder descentlab created, got {str(path)!r} "
            "(it holds other files; choose another folder)"
        )


def prepare_output(out: str | Path, *, name: str = "out", also_ours: tuple[str, ...] = ()) -> Path:
    """Create or reuse ``out`` (NOTE [ownership]) and check that it is writable; returns the
    resolved path. ``name`` is the argument or flag named in a refusal."""
    if not isinstance(out, str | Path) or not str(out).strip():
        # an empty name would silently mean the current folder
        raise InputValueError(f"{name} must name a folder, got {out!r}")
    path = Path(out).expanduser()
    check_owned_folder(path, name, also_ours=also_ours)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not (path / MARKER).is_file():
            write_text(path / MARKER, "This folder was created by descentlab.\n", name=name)
    except OutputWriteError as error:
        raise _unusable(name, path, OSError(error.errno, os.strerror(error.errno or 0))) from None
    except OSError as error:
        raise _unusable(name, path, error) from None
    if not os.access(path, os.W_OK):
        raise _unusable(name, path, OSError(errno.EACCES, "permission denied"))
    return path.resolve()


@dataclass(frozen=True)
class PreviousRun:
    """What the folder's manifest said before this run claimed it."""

    run_id: int | None
    experiment: str | None
    complete: bool
    files: tuple[str, ...]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None when there is none (or it is unreadable)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


@dataclass
class FolderClaim:
    """A folder held by one run (NOTE [folder claim]); a context manager that releases it."""

    folder: Path
    previous: PreviousRun | None
    _lock: int
    run_id: int | None = None
    experiment: str | None = None
    files: list[str] = field(default_factory=list)
    complete: bool = False

    def record(self, path: Path) -> None:
        """Add ``path`` to the manifest before it is written (NOTE [file ledger])."""
        path = Path(path)
        if path.name in (MANIFEST, LOCK, MARKER) or path.name in self.files:
            return
        if path.parent.resolve() != self.folder:
            return
        self.files.append(path.name)
        self._write_manifest()

    def set_run(self, run_id: int, experiment: str) -> None:
        self.run_id, self.experiment = run_id, experiment
        self._write_manifest()

    def finish(self) -> None:
        """Mark the folder's files complete: the manifest is the last file written."""
        self.complete = True
        self._write_manifest()

    def recording(self):
        """While inside, files written into the folder are recorded (NOTE [file ledger])."""
        return recording_into(self)

    def _write_manifest(self) -> None:
        manifest = {
            "run_id": self.run_id,
            "experiment": self.experiment,
            "complete": self.complete,
            "files": sorted(self.files),
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        write_text(self.folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")

    def release(self) -> None:
        if self._lock >= 0:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
            self._lock = -1

    def __enter__(self) -> FolderClaim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder(handle: int) -> str:
    try:
        text = os.pread(handle, 200, 0).decode("utf-8", "replace").split()
    except OSError:
        text = []
    if len(text) >= 2:
        return f"pid {text[0]} on {text[1]}"
    return "another process"


def claim_folder(
    folder: str | Path, *, name: str = "out", keep: tuple[str, ...] = ()
) -> FolderClaim:
    """Create ``folder`` if needed, lock it for this run and clear the previous run's files
    (except ``keep``); refuses at once a folder another run holds (NOTE [folder claim])."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        folder = folder.resolve()
        handle = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as error:
        raise _unusable(name, folder, error) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(handle)
        os.close(handle)
        raise FolderBusyError(
            f"{name} must not be in use by another run, got {str(folder)!r} (held by {holder}; "
            "wait for it to end or choose another folder)"
        ) from None
    except OSError as error:
        os.close(handle)
        raise _unusable(name, folder, error) from None
    try:
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        previous = _clear_previous(folder, keep)
        kept = [entry for entry in keep if (folder / entry).exists()]
        claim = FolderClaim(folder, previous, handle, files=kept)
        if previous is not None and previous.complete:
            # Its files are gone: until this run begins, the manifest names the previous run
            # as incomplete (left as it was when it already said so, so that a run refused
            # before it begins does not hide what the previous run left).
            claim.run_id, claim.experiment = previous.run_id, previous.experiment
            claim._write_manifest()
            claim.run_id = claim.experiment = None
    except OSError as error:
        os.close(handle)
        raise _unusable(name, folder, error) from None
    except BaseException:
        os.close(handle)
        raise
    return claim


def _clear_previous(folder: Path, keep: tuple[str, ...]) -> PreviousRun | None:
    manifest = read_manifest(folder)
    previous = None
    if manifest is not None:
        files = tuple(
            f for f in manifest.get("files", []) if isinstance(f, str) and Path(f).name == f
        )
        run_id = manifest.get("run_id")
        previous = PreviousRun(
            run_id=run_id if isinstance(run_id, int) else None,
            experiment=manifest.get("experiment"),
            complete=manifest.get("complete") is True,
            files=files,
        )
        for entry in files:
            if entry not in keep and entry not in (LOCK, MARKER, MANIFEST):
                (folder / entry).unlink(missing_ok=True)
    for entry in folder.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX) and entry.is_file():
            entry.unlink(missing_ok=True)
    return previous
