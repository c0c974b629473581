"""Running a submission in its own process, with a time limit per call and a memory limit.

NOTE [one worker per submission]: starting Python, NumPy (and PyTorch, for a torch submission) costs
from a few tenths of a second to a few seconds, so one worker loads the submission once and runs
every case. A call that runs past its time limit gets the worker killed (its whole process group);
the next call starts a fresh worker and loads the submission again. The worker is a plain
``python -c`` process, not ``multiprocessing``, so it never re-imports the caller's ``__main__``
script, and the grader reads only JSON from it (NOTE [untrusted child]).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from descentlab.grade.arrays import encode_wire
from descentlab.grade.protocol import (
    ChannelClosedError,
    ChannelTimeoutError,
    read_message,
    write_message,
)

__all__ = ["CallOutcome", "LoadOutcome", "Session"]

_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); from descentlab.grade.worker import main; main()"
)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class LoadOutcome:
    """What loading the submission gave: the functions found (name -> parameter names) or why not.

    ``status`` is ``"loaded"``, ``"raised"`` (``error`` describes it), ``"timeout"`` or
    ``"crashed"``.
    """

    status: str
    found: dict[str, list[str] | None] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    output: str = ""
    output_chars: int = 0
    exit_code: int | None = None


@dataclass(frozen=True)
class CallOutcome:
    """One call: ``status`` is ``"returned"``, ``"raised"``, ``"timeout"`` or ``"crashed"``."""

    status: str
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    modified: tuple[str, ...] = ()
    seconds: float = 0.0
    output: str = ""
    output_chars: int = 0
    exit_code: int | None = None


class _CrashedError(Exception):
    def __init__(self, exit_code: int | None) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


class _Process:
    """One worker process and its two pipes."""

    def __init__(self, cwd: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, _PACKAGE_ROOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.fd_in = self.proc.stdin.fileno()
        self.fd_out = self.proc.stdout.fileno()

    def request(self, message: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        try:
            write_message(self.fd_in, message)
            return read_message(self.fd_out, timeout)
        except ChannelTimeoutError:
            self.kill()
            raise
        except (ChannelClosedError, ValueError, UnicodeDecodeError):
            self.kill()
            raise _CrashedError(self.proc.returncode) from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


def _absolute_path() -> list[str]:
    """The caller's ``sys.path`` with relative entries resolved: the worker runs elsewhere."""
    return [os.path.abspath(entry or os.curdir) for entry in sys.path]


class Session:
    """A submission loaded in a worker process; use as a context manager.

    ``memory_mb`` caps the address space each call may add (``RLIMIT_AS``, NOTE [memory limit]);
    ``load_timeout`` bounds start-up and loading, each call has its own ``timeout``.
    """

    def __init__(
        self, spec: dict[str, Any], names: list[str], *, memory_mb: int | None, load_timeout: float
    ) -> None:
        self.spec = spec
        self.names = names
        self.memory_mb = memory_mb
        self.load_timeout = load_timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="descentlab-grade-")
        self._process: _Process | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process = None
        self._tmp.cleanup()

    def load(self) -> LoadOutcome:
        """Start a worker and load the submission (again, after a time-out or a crash)."""
        if self._process is not None:
            self._process.kill()
        process = self._process = _Process(self._tmp.name)
        try:
            process.request(
                {"op": "init", "sys_path": _absolute_path(), "memory_mb": self.memory_mb},
                self.load_timeout,
            )
            reply = process.request(
                {"op": "load", "spec": self.spec, "names": self.names}, self.load_timeout
            )
        except ChannelTimeoutError:
            self._process = None
            return LoadOutcome("timeout")
        except _CrashedError as crash:
            self._process = None
            return LoadOutcome("crashed", exit_code=crash.exit_code)
        output = {"output": reply.get("output", ""), "output_chars": reply.get("output_chars", 0)}
        if not reply.get("ok"):
            return LoadOutcome("raised", error=reply.get("error"), **output)
        return LoadOutcome("loaded", found=reply.get("found", {}), **output)

    def call(self, name: str, arguments: dict[str, Any], timeout: float) -> CallOutcome:
        """Call ``name`` with ``arguments`` (in order) in the worker, loading it first if needed."""
        if self._process is None:
            loaded = self.load()
            if loaded.status != "loaded":
                return CallOutcome("crashed", error=loaded.error, exit_code=loaded.exit_code)
        assert self._process is not None
        args = [
            {"name": k, "array": encode_wire(v)}
            if isinstance(v, np.ndarray)
            else {"name": k, "number": v}
            for k, v in arguments.items()
        ]
        start = time.perf_counter()
        try:
            reply = self._process.request({"op": "call", "name": name, "args": args}, timeout)
        except ChannelTimeoutError:
            self._process = None
            return CallOutcome("timeout", seconds=time.perf_counter() - start)
        except _CrashedError as crash:
            self._process = None
            return CallOutcome(
                "crashed", seconds=time.perf_counter() - start, exit_code=crash.exit_code
            )
        return CallOutcome(
            status=str(reply.get("status")),
            result=reply.get("result"),
            error=reply.get("error"),
            modified=tuple(reply.get("modified", ())),
            seconds=float(reply.get("seconds", 0.0)),
            output=str(reply.get("output", "")),
            output_chars=int(reply.get("output_chars", 0)),
        )
