"""A submission loaded in a sandboxed worker process, called case by case.

NOTE [one worker per submission]: starting Python, NumPy (and PyTorch, for a torch submission) costs
from a few tenths of a second to a few seconds, so one worker loads the submission once and runs
every case. A call that runs past its time limit, crashes the worker or sends a reply that breaks
the schema gets the worker killed (its whole sandbox); the next call starts a fresh worker, warms
it up and loads the submission again. Two submissions never share a worker.

The grader keeps what the worker must not decide: the arguments it sent (pristine copies, compared
with the ones the worker sends back, so an in-place modification is seen here, whatever the
learner did to NumPy in its own process), the clock, and the schema check of every reply.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from descentlab.grade.inside.channel import (
    ChannelClosedError,
    ChannelTimeoutError,
    read_message,
    write_message,
)
from descentlab.grade.inside.wire import encode_wire
from descentlab.grade.process_cap import ProcessCap
from descentlab.grade.reply_schema import BadReplyError, check_array, check_reply
from descentlab.grade.sandbox import Limits, WorkerCommand, worker_command
from descentlab.grade.submission_spec import frameworks_used

__all__ = [
    "CallOutcome",
    "LoadOutcome",
    "Prepared",
    "Session",
    "WorkerCrashedError",
    "WorkerProcess",
    "place_files",
    "prepare_root",
    "start_worker",
]

_INSIDE = Path(__file__).parent / "inside"


@dataclass(frozen=True)
class LoadOutcome:
    """What loading the submission gave: the functions found (name -> parameter names) or why not.

    ``status`` is ``"loaded"``, ``"raised"`` (``error`` describes it), ``"timeout"`` or
    ``"crashed"`` (``reason`` says how).
    """

    status: str
    found: dict[str, list[str] | None] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    output: str = ""
    output_chars: int = 0
    exit_code: int | None = None
    reason: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallOutcome:
    """One call: ``status`` is ``"returned"``, ``"raised"``, ``"timeout"`` or ``"crashed"``;
    ``modified`` names the array arguments that came back changed (or not at all)."""

    status: str
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    modified: tuple[str, ...] = ()
    seconds: float = 0.0
    output: str = ""
    output_chars: int = 0
    exit_code: int | None = None
    reason: str = ""


class WorkerCrashedError(Exception):
    """The worker exited, was killed or sent a malformed reply; ``reason`` says which."""

    def __init__(self, exit_code: int | None, reason: str) -> None:
        super().__init__(reason)
        self.exit_code = exit_code
        self.reason = reason


def prepare_root() -> Path:
    """A private folder for one submission: ``worker/dlgrade_worker`` (the inside code) and an
    empty ``submission/`` (shown read-only in the sandbox, filled by :func:`place_files`)."""
    root = Path(tempfile.mkdtemp(prefix="descentlab-grade-"))
    package = root / "worker" / "dlgrade_worker"
    package.mkdir(parents=True)
    for source in _INSIDE.glob("*.py"):
        shutil.copyfile(source, package / source.name)
    (root / "submission").mkdir()
    return root


def place_files(root: Path, spec: dict[str, Any]) -> None:
    """Write the neighbour modules the spec carries into ``root/submission`` (a bind mount shows
    them to a worker that is already running)."""
    submission = root / "submission"
    for relative, text in spec.get("files", {}).items():
        target = (submission / relative).resolve()
        if submission.resolve() not in target.parents:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


class WorkerProcess:
    """One sandboxed worker and its two pipes (:func:`start_worker` starts one warm)."""

    def __init__(self, command: WorkerCommand, limits: Limits) -> None:
        self.command = command
        self.cap = ProcessCap.create(limits.processes)
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in kill)
        self.last_error = ""
        argv = command.argv if self.cap is None else self.cap.wrap(command.argv)
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            cwd=command.cwd,
            env=command.env,
            start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.fd_in = self.proc.stdin.fileno()
        self.fd_out = self.proc.stdout.fileno()

    def stderr_tail(self) -> str:
        """The last line the sandbox tool or the worker's start-up printed (the worker points its
        own stderr at /dev/null before any learner code runs)."""
        if self.errors.closed:
            return self.last_error
        with contextlib.suppress(OSError, ValueError):
            self.errors.seek(0)
            text = self.errors.read()[-2000:].decode("utf-8", "replace").strip()
            return text.splitlines()[-1] if text else ""
        return ""

    def request(
        self, message: dict[str, Any], timeout: float | None, **expect: Any
    ) -> dict[str, Any]:
        try:
            write_message(self.fd_in, message)
            reply = read_message(self.fd_out, timeout)
            check_reply(message["op"], reply, **expect)
        except ChannelTimeoutError:
            self.kill()
            raise
        except ChannelClosedError as error:
            self.kill()
            code = self.proc.returncode
            reason = self.stderr_tail() if code not in (None, 0) or not str(error) else str(error)
            raise WorkerCrashedError(code, reason or str(error)) from None
        except BadReplyError as error:
            self.kill()
            raise WorkerCrashedError(None, f"the worker sent a malformed reply: {error}") from None
        return reply

    def kill(self) -> None:
        """End the worker and everything it started (its PID namespace ends with it)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        self.proc.wait()
        if self.cap is not None:
            self.cap.close()
        self.last_error = self.stderr_tail()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self.errors.close()


def start_worker(
    command: WorkerCommand,
    limits: Limits,
    *,
    memory_mb: int | None,
    warm: list[str],
    timeout: float,
) -> WorkerProcess:
    """Start a worker and warm it up (NOTE [warm-up]); raises ChannelTimeoutError or
    WorkerCrashedError when it does not answer in ``timeout`` seconds."""
    process = WorkerProcess(command, limits)
    message = {"op": "init", "sys_path": [], "memory_mb": memory_mb, "warm": warm}
    process.request(message, timeout)
    return process


@dataclass
class Prepared:
    """A sandbox made ahead of time: its private folder, command and warmed-up worker."""

    root: Path
    command: WorkerCommand
    process: WorkerProcess | None


class Session:
    """A submission loaded in a sandboxed worker; use as a context manager.

    ``sandbox`` is a resolved kind (``bwrap``, ``unshare`` or ``none``); ``memory_mb`` caps the
    address space each call may add (``RLIMIT_AS``, NOTE [memory limit]); ``load_timeout``
    bounds start-up, warm-up and loading, each call has its own ``timeout``; ``warm`` names the
    frameworks to warm up before loading (default: those the spec imports, NOTE [warm-up]).
    """

    def __init__(
        self,
        spec: dict[str, Any],
        names: list[str],
        *,
        sandbox: str,
        memory_mb: int | None,
        load_timeout: float,
        warm: list[str] | None = None,
        limits: Limits | None = None,
        prepared: Prepared | None = None,
    ) -> None:
        self.spec = spec
        self.names = names
        self.memory_mb = memory_mb
        self.load_timeout = load_timeout
        self.warm = frameworks_used(spec) if warm is None else list(warm)
        self.limits = limits or Limits()
        if prepared is None:
            root = prepare_root()
            prepared = Prepared(root, worker_command(sandbox, root, self.limits), None)
        self.root = prepared.root
        self.command = prepared.command
        self._ready = prepared.process
        place_files(self.root, spec)
        self._process: WorkerProcess | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for process in (self._process, self._ready):
            if process is not None:
                process.kill()
        self._process = self._ready = None
        shutil.rmtree(self.root, ignore_errors=True)

    def _start(self) -> WorkerProcess:
        if self._ready is not None:
            process, self._ready = self._ready, None
            return process
        return start_worker(
            self.command,
            self.limits,
            memory_mb=self.memory_mb,
            warm=self.warm,
            timeout=self.load_timeout,
        )

    def load(self) -> LoadOutcome:
        """Start a worker and load the submission (again, after a time-out or a crash)."""
        if self._process is not None:
            self._process.kill()
            self._process = None
        deadline = time.monotonic() + self.load_timeout
        try:
            process = self._start()
            self._process = process
            left = max(0.001, deadline - time.monotonic())
            reply = process.request(
                {"op": "load", "spec": self.spec, "names": self.names}, left, names=self.names
            )
        except ChannelTimeoutError:
            self._process = None
            return LoadOutcome("timeout")
        except WorkerCrashedError as crash:
            self._process = None
            return LoadOutcome("crashed", exit_code=crash.exit_code, reason=crash.reason)
        output = {"output": reply["output"], "output_chars": reply["output_chars"]}
        if not reply["ok"]:
            return LoadOutcome("raised", error=reply["error"], **output)
        return LoadOutcome("loaded", found=reply["found"], notes=tuple(reply["notes"]), **output)

    def call(self, name: str, arguments: dict[str, Any], timeout: float) -> CallOutcome:
        """Call ``name`` with ``arguments`` (in order) in the worker, loading it first if needed."""
        if self._process is None:
            loaded = self.load()
            if loaded.status != "loaded":
                return CallOutcome(
                    "crashed", error=loaded.error, exit_code=loaded.exit_code, reason=loaded.reason
                )
        assert self._process is not None
        pristine = {k: np.array(v, copy=True) for k, v in arguments.items() if _is_array(v)}
        args = [
            {"name": k, "array": encode_wire(v)} if _is_array(v) else {"name": k, "number": v}
            for k, v in arguments.items()
        ]
        start = time.perf_counter()
        try:
            reply = self._process.request(
                {"op": "call", "name": name, "args": args}, timeout, n_args=len(args)
            )
        except ChannelTimeoutError:
            self._process = None
            return CallOutcome("timeout", seconds=time.perf_counter() - start)
        except WorkerCrashedError as crash:
            self._process = None
            return CallOutcome(
                "crashed",
                seconds=time.perf_counter() - start,
                exit_code=crash.exit_code,
                reason=crash.reason,
            )
        seconds = time.perf_counter() - start
        modified = tuple(
            key
            for key, record in zip(arguments, reply["arguments"], strict=True)
            if key in pristine and not _unchanged(pristine[key], record)
        )
        return CallOutcome(
            status=reply["status"],
            result=reply.get("result"),
            error=reply.get("error"),
            modified=modified,
            seconds=seconds,
            output=reply["output"],
            output_chars=reply["output_chars"],
        )


def _is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray)


def _unchanged(original: np.ndarray, record: dict[str, Any] | None) -> bool:
    """True when the argument came back with the same dtype, shape and bytes (NaN included)."""
    if record is None:
        return False
    after = check_array(record, "argument")
    return (
        after.dtype == original.dtype
        and after.shape == original.shape
        and after.tobytes() == np.ascontiguousarray(original).tobytes()
    )
