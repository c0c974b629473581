"""The OS sandbox a worker runs in: bubblewrap, util-linux ``unshare``, or (only when asked) none.

NOTE [sandbox]: learner code is untrusted (SPEC §3), so the worker runs in new Linux namespaces —
user, PID, mount, network, IPC, UTS — made by an existing tool, not by guards in Python:

- ``bwrap`` (bubblewrap), when it is installed and user namespaces work: a read-only view of the
  system folders and the interpreter (:mod:`.sandbox_view`), the allowed packages under
  ``/sandbox/site``, the worker's own code under ``/sandbox/worker``, the learner's copied files
  under ``/sandbox/submission`` (read-only), a private size-limited ``/tmp``, a new ``/proc`` that
  shows only the sandbox's processes, a minimal ``/dev``, no network, a cleared environment, no
  capabilities, and ``--die-with-parent``. Nothing else of the machine is there: not the
  descentlab package, its case files, an instructor's case folder, the user's home or the
  learner's folder.
- ``unshare`` (util-linux), when bubblewrap is missing: the same namespaces and the same view,
  assembled by a short ``sh`` script with ``mount`` inside the new mount namespace, entered with
  ``chroot``, and the learner's code started by ``setpriv`` with no capabilities and no way to
  gain any.
- ``none``: only with ``--no-sandbox`` (``sandbox="none"``): a plain process with the same
  resource limits and a cleared environment, which can read and write whatever the user can. The
  report says so.

In every mode the worker's first act (before any learner code) lowers its hard resource limits:
CPU seconds, open files, file size and, where they are enforced, processes (NOTE [process
limit]); the grader's own PID is not visible from a PID namespace, so a submission cannot signal
it, and when the worker ends, the namespace's end takes every process it started with it.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from descentlab.grade.sandbox_view import package_paths, system_view

__all__ = [
    "SANDBOXES",
    "Limits",
    "SandboxUnavailableError",
    "WorkerCommand",
    "resolve_sandbox",
    "worker_command",
]

SANDBOXES = ("auto", "bwrap", "unshare", "none")
INSIDE = "/sandbox"
_PASSED_VARIABLES = (
    # Numeric environment: which CPU kernels NumPy/OpenBLAS/torch/TensorFlow use, how many threads.
    "NPY_DISABLE_CPU_FEATURES",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MKL_ENABLE_INSTRUCTIONS",
    "ATEN_CPU_CAPABILITY",
    "TF_ENABLE_ONEDNN_OPTS",
)


class SandboxUnavailableError(RuntimeError):
    """No sandbox of the requested kind can be made on this machine."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker: CPU seconds, processes (threads count), the size of any file
    it writes and of its private ``/tmp``, in MiB."""

    cpu_seconds: int = 600
    processes: int = 256
    file_mb: int = 64
    tmp_mb: int = 256


@dataclass(frozen=True)
class WorkerCommand:
    """How to start one worker: ``argv``, its environment and working folder, the ``sys.path``
    entries to send it (paths as the worker sees them) and the sandbox ``kind``."""

    kind: str
    argv: tuple[str, ...]
    env: dict[str, str]
    cwd: str
    sys_path: tuple[str, ...]


def _environment(home: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "USER": "learner",
        "LOGNAME": "learner",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        # NOTE [tensorflow threads]: TensorFlow sizes its two thread pools by the machine's cores
        # (a worker had 8 threads on 2 cores, 4 with these settings: about two a core, so some
        # 260 on 128 cores, past the sandbox's 256 processes); one thread each keeps a
        # TensorFlow worker at a few threads on any machine, as OMP_NUM_THREADS=1 does for BLAS.
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in _PASSED_VARIABLES if k in os.environ})
    return env


def _boot(paths: tuple[str, ...], limits: Limits) -> str:
    """The ``python -c`` program: lower the hard limits, put the worker's code, the submission's
    folder and the packages on ``sys.path``, then serve (NOTE [process limit])."""
    return (
        "import resource as r, sys\n"
        f"sys.path[:0] = {list(paths)!r}\n"
        f"for k, v in ((r.RLIMIT_CPU, {limits.cpu_seconds}), (r.RLIMIT_NPROC, {limits.processes}),"
        f" (r.RLIMIT_FSIZE, {limits.file_mb * 1024 * 1024}), (r.RLIMIT_CORE, 0)):\n"
        "    r.setrlimit(k, (v, v))\n"
        "from dlgrade_worker.serve import main\n"
        "main()\n"
    )


def _bwrap_probe(binary: str) -> bool:
    view = system_view()
    argv = [binary, "--unshare-all", "--die-with-parent", "--new-session"]
    for path in view.binds:
        argv += ["--ro-bind", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev", view.interpreter, "-I", "-S", "-c", "pass"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _unshare_probe(binary: str) -> bool:
    argv = [binary, "--user", "--map-root-user", "--pid", "--fork", "--mount", "--net"]
    argv += ["--ipc", "--uts", "--kill-child", "--mount-proc", "true"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and shutil.which("setpriv") is not None


@functools.lru_cache(maxsize=8)
def _available(kind: str) -> bool:
    binary = shutil.which("bwrap" if kind == "bwrap" else "unshare")
    if binary is None:
        return False
    return _bwrap_probe(binary) if kind == "bwrap" else _unshare_probe(binary)


def resolve_sandbox(requested: str) -> str:
    """The sandbox to use: ``requested`` itself, or for ``"auto"`` bubblewrap, else ``unshare``.

    Raises SandboxUnavailableError when that kind (or, for ``"auto"``, any) cannot run here.
    """
    if requested == "none":
        return "none"
    kinds = ("bwrap", "unshare") if requested == "auto" else (requested,)
    for kind in kinds:
        if _available(kind):
            return kind
    if requested == "auto":
        raise SandboxUnavailableError(
            "no sandbox can be made here: install bubblewrap (Debian/Ubuntu: apt-get install "
            "bubblewrap) or util-linux's unshare with user namespaces enabled, or pass "
            "--no-sandbox (sandbox='none') to run the submission's code unsandboxed, with your "
            "own rights"
        )
    raise SandboxUnavailableError(
        f"sandbox {requested!r} cannot be made here (the tool is missing or user namespaces are "
        "disabled); use sandbox='auto' or --no-sandbox"
    )


def _bwrap(root: Path, limits: Limits, boot: str) -> list[str]:
    view = system_view()
    argv = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent"]
    argv += ["--new-session", "--cap-drop", "ALL", "--clearenv"]
    for path in view.binds:
        argv += ["--ro-bind", path, path]
    for path in view.hidden:
        argv += ["--size", "4096", "--tmpfs", path, "--remount-ro", path]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--size", str(limits.tmp_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    argv += ["--dir", INSIDE, "--ro-bind", str(root / "worker"), f"{INSIDE}/worker"]
    argv += ["--ro-bind", str(root / "submission"), f"{INSIDE}/submission"]
    argv += ["--dir", f"{INSIDE}/site"]
    for path in package_paths():
        argv += ["--ro-bind", str(path), f"{INSIDE}/site/{path.name}"]
    for key, value in _environment("/tmp").items():
        argv += ["--setenv", key, value]
    argv += ["--chdir", "/tmp", view.interpreter, "-I", "-S", "-c", boot]
    return argv


def _unshare_script(root: Path, limits: Limits, boot: str) -> str:
    """NOTE [unshare view]: run as root of the new user namespace, inside the new mount
    namespace: build the same view as bubblewrap's under ``root/view`` with bind mounts (remounted
    read-only) and tmpfs, then ``chroot`` into it and start the worker through ``setpriv`` with an
    empty capability bounding set, so the learner's code can neither undo a mount nor gain a
    capability."""
    view = system_view()
    new = root / "view"
    q = shlex.quote
    lines = ["set -eu", f"R={q(str(new))}", 'mount -t tmpfs -o mode=755 view "$R"']

    def bind(source: str, target: str) -> None:
        kind = "-d" if Path(source).is_dir() else "-f"
        make = (
            f'mkdir -p "$R{target}"'
            if kind == "-d"
            else (f'mkdir -p "$(dirname "$R{target}")"; : > "$R{target}"')
        )
        lines.append(make)
        lines.append(f'mount --rbind {q(source)} "$R{target}"')
        lines.append(f'mount -o remount,bind,ro "$R{target}"')

    for path in view.binds:
        bind(path, path)
    for path in view.hidden:
        lines.append(f'mount -t tmpfs -o ro,size=4k hidden "$R{path}"')
    lines.append(f'mkdir -p "$R/proc" "$R/dev" "$R/tmp" "$R{INSIDE}/site"')
    lines.append('mount -t proc proc "$R/proc"')
    for device in ("null", "zero", "full", "random", "urandom", "tty"):
        lines.append(f': > "$R/dev/{device}"; mount --bind /dev/{device} "$R/dev/{device}"')
    lines.append(f'mount -t tmpfs -o size={limits.tmp_mb}m,mode=1777 tmp "$R/tmp"')
    bind(str(root / "worker"), f"{INSIDE}/worker")
    bind(str(root / "submission"), f"{INSIDE}/submission")
    for path in package_paths():
        bind(str(path), f"{INSIDE}/site/{path.name}")
    env = " ".join(q(f"{k}={v}") for k, v in _environment("/tmp").items())
    command = [view.interpreter, "-I", "-S", "-c", boot]
    lines.append(
        'cd / && exec chroot "$R" /usr/bin/env -i '
        + env
        + " setpriv --no-new-privs --bounding-set=-all --inh-caps=-all -- "
        + "sh -c 'cd /tmp && exec \"$@\"' sh "
        + " ".join(q(part) for part in command)
    )
    return "\n".join(lines) + "\n"


def worker_command(kind: str, root: Path, limits: Limits) -> WorkerCommand:
    """The command that starts a worker in sandbox ``kind``; ``root`` is the session's private
    folder on the host, holding ``worker/`` (this package's ``inside`` code) and ``submission/``."""
    if kind == "none":
        home = root / "home"
        home.mkdir(exist_ok=True)
        sys_path = (str(root / "submission"), *sorted({str(p.parent) for p in package_paths()}))
        boot = _boot((str(root / "worker"), *sys_path), limits)
        view = system_view()
        argv = (view.interpreter, "-I", "-S", "-c", boot)
        return WorkerCommand(kind, argv, _environment(str(home)), str(home), sys_path)
    sys_path = (f"{INSIDE}/submission", f"{INSIDE}/site")
    boot = _boot((f"{INSIDE}/worker", *sys_path), limits)
    if kind == "bwrap":
        argv = tuple(_bwrap(root, limits, boot))
    else:
        (root / "view").mkdir(exist_ok=True)
        script = root / "enter.sh"
        script.write_text(_unshare_script(root, limits, boot), encoding="utf-8")
        binary = shutil.which("unshare") or "unshare"
        # NOTE [unshare parent death]: bubblewrap dies with the grader (--die-with-parent); for
        # unshare, setpriv gives it a parent-death signal, and --kill-child passes it on to the
        # namespace's first process, whose end ends every process in it.
        argv = (
            shutil.which("setpriv") or "setpriv", "--pdeathsig", "KILL", "--",
            binary, "--user", "--map-root-user", "--pid", "--fork", "--kill-child", "--mount",
            "--net", "--ipc", "--uts", "--propagation", "private", "sh", str(script),
        )  # fmt: skip
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    return WorkerCommand(kind, argv, {"PATH": path}, str(root), sys_path)
