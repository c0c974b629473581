"""Which process wrote a ``running`` run, and whether that process still exists.

NOTE [process identity]: a pid alone is not enough to say a run is still going: after the run's
process dies, the kernel may hand the same pid to an unrelated process. On Linux the store also
keeps the process start time (``/proc/<pid>/stat`` field 22, clock ticks since boot) with the
boot id, so a pid that now belongs to a newer process, or a run from before a reboot, counts as
gone. Elsewhere (no ``/proc``) only the pid is checked, with ``os.kill(pid, 0)``. A run recorded on
another host is never judged: its process cannot be seen from here.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import NamedTuple

__all__ = ["ProcessIdentity", "current_process", "process_gone"]

_PROC = Path("/proc")


class ProcessIdentity(NamedTuple):
    """The process that began a run: ``start`` is ``"<boot id>:<start ticks>"``, None off Linux."""

    pid: int
    host: str
    start: str | None


def current_process() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(pid, socket.gethostname(), _start_token(pid))


def process_gone(pid: int | None, host: str | None, start: str | None) -> bool:
    """True when the process recorded as ``(pid, host, start)`` is known to have ended.

    False when it is alive, when it ran on another host, or when nothing was recorded.
    """
    if pid is None or host != socket.gethostname():
        return False
    if start is not None and _PROC.is_dir():
        now = _start_token(pid)
        return now is None or now != start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


def _start_token(pid: int) -> str | None:
    """``"<boot id>:<start ticks>"`` of a live process; None when it is gone (or a zombie), or
    when there is no ``/proc``."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
        boot = (_PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20 or fields[0] == "Z":  # a zombie has ended; only its exit code is left
        return None
    return f"{boot}:{fields[19]}"
