"""A cap on the number of processes a worker's sandbox may hold, through a ``pids`` cgroup.

NOTE [process limit]: ``RLIMIT_NPROC`` (set by the worker before any learner code) counts the
processes of a user inside the sandbox's user namespace, but Linux does not apply it to root: a
grader run as root (CI, containers) would let a fork bomb take the machine. Where this process can
create a ``pids`` cgroup (cgroup v2 with the controller enabled, or the v1 ``pids`` hierarchy,
writable by root), each worker gets its own with ``pids.max`` set, and everything left in it is
killed when the worker ends. Elsewhere the limit is the rlimit alone.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from pathlib import Path

__all__ = ["ProcessCap", "cgroup_root"]

_counter = itertools.count()


def cgroup_root() -> Path | None:
    """A writable folder under which ``pids`` cgroups can be made, or None."""
    if os.geteuid() != 0:
        return None
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        fields = line.split(" - ")
        if len(fields) != 2:
            continue
        mount_point = Path(fields[0].split()[4])
        fstype, _, options = ([*fields[1].split(), "", "", ""])[:3]
        if fstype == "cgroup" and "pids" in options.split(","):
            return mount_point
        if fstype == "cgroup2":
            controllers = mount_point / "cgroup.controllers"
            with contextlib.suppress(OSError):
                if "pids" in controllers.read_text().split():
                    subtree = mount_point / "cgroup.subtree_control"
                    if "pids" not in subtree.read_text().split():
                        subtree.write_text("+pids")
                    return mount_point
    return None


class ProcessCap:
    """One ``pids`` cgroup: :meth:`wrap` a command to start in it; :meth:`close` kills what is
    left in it and removes it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, maximum: int) -> ProcessCap | None:
        root = cgroup_root()
        if root is None:
            return None
        path = root / "descentlab-grade" / f"{os.getpid()}-{next(_counter)}"
        try:
            path.mkdir(parents=True, exist_ok=True)
            (path / "pids.max").write_text(str(maximum))
        except OSError:
            with contextlib.suppress(OSError):
                path.rmdir()
            return None
        return cls(path)

    def wrap(self, argv: tuple[str, ...]) -> tuple[str, ...]:
        """``argv`` started by a shell that first moves itself into the cgroup, so that every
        process the command forks is born inside it."""
        join = 'echo $$ > "$0" && exec "$@"'
        return ("/bin/sh", "-c", join, str(self.path / "cgroup.procs"), *argv)

    def _pids(self) -> list[int]:
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def close(self) -> None:
        for _ in range(50):
            pids = self._pids()
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)
        with contextlib.suppress(OSError):
            self.path.rmdir()
