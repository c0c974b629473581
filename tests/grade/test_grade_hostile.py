"""Hostile submissions: every cheat fails, and the grader, the machine and its files survive them.

Each entry of ``submissions/hostile.json`` is graded through the real CLI, in its own process
session, with a hard time limit (``descentlab check FILE --json --timeout 2``):

* the exit code is the verdict's (1 for a cheat, never 0; 0 only for a correct submission whose
  hostile side effect the sandbox contains), and stdout is one JSON report, nothing else;
* the report is complete: every function the entry names, with its 12 public and 12 hidden
  cases, plus the ``sandbox`` that ran it and the ``hidden_seed`` of its hidden cases;
* nothing leaked into the report: no ``HOSTILE-LEAK`` line (a submission prints one when a
  forbidden read or call worked), no forged ``HOSTILE-INJECT`` text, no value of the canary
  secret the grader had in its environment;
* nothing was written, changed or deleted outside the sandbox: canary files in the fixed folder
  ``/tmp/descentlab-hostile-canary/<stem>/``, the submission's own folder, the grader's cwd and
  $HOME, the entry's ``must_not_exist`` paths, and the descentlab package itself;
* no process is left: none whose command line or name holds the entry's marker, none in the
  grader's session;
* nothing connected to the entry's ``listen`` port on 127.0.0.1.

A submission cannot be handed a path (the sandbox clears the environment), so it uses the fixed
paths above, its own ``__file__``, and what it can discover (``/proc``, ``pwd``, ``site``).

Safety (NOTE [hostile safety]): these files kill every process they can signal, write to $HOME and
site-packages and fork hundreds of processes. Without an OS sandbox they would do that to this
machine, so the module first grades one correct submission and refuses (fails every test, with a
message) unless its report names a sandbox. ``DESCENTLAB_HOSTILE_UNSANDBOXED=1`` overrides that,
for use only inside a throwaway container or namespace (to see which cheats an old grader lets
through). The bombs are bounded in the submissions themselves, so a machine survives even then.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import site
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from grade_corpus import SUBMISSIONS

import descentlab
from descentlab.grade import default_cases_dir

HOSTILE = SUBMISSIONS / "hostile"
TABLE = SUBMISSIONS / "hostile.json"
CANARY_ROOT = Path("/tmp/descentlab-hostile-canary")
SANDBOXES = ("bwrap", "unshare")
FUNCTIONS = ("gradient_step_onefeature", "gradient_step")
PUBLIC_CASES = HIDDEN_CASES = 12
CASE_TIMEOUT = "2"
HARD_TIMEOUT = 900.0  # NOTE [hang guard]: every case may time out (24 × 2 s + restarts) under load
SECRET_VARIABLE = "DESCENTLAB_CANARY_SECRET"
LEAK_MARKERS = ("HOSTILE-LEAK", "HOSTILE-INJECT")
PACKAGE = Path(descentlab.__file__).resolve().parent
SRC_ROOT = PACKAGE.parent
UNSANDBOXED_OVERRIDE = "DESCENTLAB_HOSTILE_UNSANDBOXED"


def _table() -> dict[str, Any]:
    return json.loads(TABLE.read_text("utf-8"))


ENTRIES: list[dict[str, Any]] = _table()["submissions"]


def _stem(entry: dict[str, Any]) -> str:
    return Path(entry["target"]).stem


# -- running the CLI ------------------------------------------------------------------------------
@dataclass
class Run:
    """One CLI run: exit code (None when the hard limit killed it), output, parsed report."""

    returncode: int | None
    limit: float
    stdout: str
    stderr: str
    seconds: float
    report: dict[str, Any] | None
    json_error: str | None


def _cli_env(home: Path, secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(SRC_ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    env["HOME"] = str(home)
    env[SECRET_VARIABLE] = secret
    env.pop(UNSANDBOXED_OVERRIDE, None)
    return env


def _kill_group(pid: int) -> None:
    """SIGKILL the CLI's process group (it was started in its own session: only our processes)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_cli(
    args: list[str], *, cwd: Path, home: Path, secret: str, timeout: float = HARD_TIMEOUT
) -> tuple[Run, int]:
    """Run ``descentlab check ARGS --json --timeout 2`` in a new session; ``(run, session id)``."""
    command = [sys.executable, "-m", "descentlab.cli", "check", *args, "--json"]
    command += ["--timeout", CASE_TIMEOUT]
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=_cli_env(home, secret),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        out, err = proc.communicate()
        returncode = None
    _kill_group(proc.pid)
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    report, json_error = None, None
    try:
        parsed = json.loads(stdout)
        if isinstance(parsed, dict):
            report = parsed
        else:
            json_error = f"stdout is JSON but not an object: {type(parsed).__name__}"
    except json.JSONDecodeError as error:
        json_error = f"stdout is not one JSON document ({error})"
    seconds = time.perf_counter() - start
    return Run(returncode, timeout, stdout, stderr, seconds, report, json_error), proc.pid


# -- what the machine looks like around a run -----------------------------------------------------
def _processes() -> list[tuple[int, int, str, str, str]]:
    """``(pid, session, state, comm, cmdline)`` of every process we can see."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text("utf-8", "replace")
            comm = Path(entry.path, "comm").read_text("utf-8", "replace").strip()
            raw = Path(entry.path, "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        cmdline = raw.replace(b"\0", b" ").decode("utf-8", "replace")
        found.append((int(entry.name), int(fields[3]), fields[0], comm, cmdline))
    return found


def _own_lineage() -> set[int]:
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat[stat.rfind(")") + 2 :].split()[1])
    return pids


def survivors(marker: str | None, session: int) -> list[tuple[int, str]]:
    """Live processes left by a run: the marker in their name or command line, or the CLI's
    session. Zombies are dead already and are not counted."""
    mine = _own_lineage()
    left = []
    for pid, sid, state, comm, cmdline in _processes():
        if pid in mine or state == "Z":
            continue
        marked = marker is not None and (marker == comm or marker in cmdline)
        if marked or sid == session:
            left.append((pid, f"{comm}: {cmdline[:120]}"))
    return left


def wait_for_survivors(marker: str | None, session: int, seconds: float = 60.0) -> list:
    """Survivors after up to ``seconds`` (a sandbox's teardown may take a moment, longer on a
    loaded machine: the poll ends as soon as none is left, NOTE [hang guard])."""
    deadline = time.monotonic() + seconds
    while True:
        left = survivors(marker, session)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def kill_pids(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root`` (``__pycache__`` left out)."""
    digests = {}
    if not root.exists():
        return digests
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        digests[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def tree_backup(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def restore_tree(root: Path, backup: dict[str, bytes]) -> None:
    """Put ``root`` back as it was: changed or deleted files rewritten, new files removed."""
    for path in list(root.rglob("*")):
        known = str(path.relative_to(root)) in backup
        if path.is_file() and "__pycache__" not in path.parts and not known:
            path.unlink()
    for relative, data in backup.items():
        path = root / relative
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def site_dirs() -> list[Path]:
    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    return [Path(d) for d in dict.fromkeys(dirs)]


# -- the sandbox guard ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sandboxed_grader(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The grader's sandbox, or a failure that says why hostile code will not run here."""
    if shutil.which("bwrap") is None:
        pytest.fail(
            "bwrap (bubblewrap) is not installed: the hostile submissions test the grader's OS "
            "sandbox, and CI installs it (apt-get install bubblewrap)",
            pytrace=False,
        )
    root = tmp_path_factory.mktemp("probe")
    (root / "home").mkdir()
    target = root / "numpy_vectorised.py"
    shutil.copyfile(SUBMISSIONS / "correct" / "numpy_vectorised.py", target)
    run, session = run_cli([str(target)], cwd=root, home=root / "home", secret="probe")
    kill_pids([pid for pid, _ in survivors(None, session)])
    sandbox = (run.report or {}).get("sandbox")
    if run.returncode == 0 and sandbox in SANDBOXES:
        return str(sandbox)
    if os.environ.get(UNSANDBOXED_OVERRIDE) == "1":
        return f"none ({UNSANDBOXED_OVERRIDE}=1)"
    pytest.fail(
        "refusing to run hostile submissions: grading a correct submission gave exit code "
        f"{run.returncode} and sandbox={sandbox!r} (expected exit 0 and one of {SANDBOXES}). "
        "Without an OS sandbox they would run with this user's rights: kill(-1), writes to $HOME, "
        f"site-packages and the package, fork bombs. Set {UNSANDBOXED_OVERRIDE}=1 only inside a "
        f"throwaway container or namespace.\nstderr: {run.stderr[-2000:]}",
        pytrace=False,
    )


# -- one hostile entry ----------------------------------------------------------------------------
@dataclass
class Scene:
    """The folders and canaries of one run; ``paths`` fills the table's path templates."""

    submission: Path
    cwd: Path
    home: Path
    canary: Path
    instructor_cases: Path | None

    def paths(self, template: str) -> list[Path]:
        values = {
            "canary": str(self.canary),
            "submission_dir": str(self.submission.parent),
            "cwd": str(self.cwd),
            "home": str(self.home),
            "real_home": pwd.getpwuid(os.getuid()).pw_dir,
            "tmp": "/tmp",
        }
        if "{site_packages}" in template:
            return [Path(template.replace("{site_packages}", str(d))) for d in site_dirs()]
        return [Path(template.format(**values))]

    def watched(self) -> list[Path]:
        """Folders whose listing and files must not change."""
        return [self.submission.parent, self.cwd, self.home, self.canary]


CANARY_TEXT = "canary: this file must survive grading\n"


def build_scene(entry: dict[str, Any], tmp_path: Path) -> Scene:
    stem = _stem(entry)
    folder = tmp_path / "class"
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    canary = CANARY_ROOT / stem
    shutil.rmtree(canary, ignore_errors=True)
    for directory in (folder, cwd, home, canary):
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "keep.txt").write_text(CANARY_TEXT)
    submission = folder / Path(entry["target"]).name
    shutil.copyfile(SUBMISSIONS / entry["target"], submission)
    for name, source in entry.get("neighbours", {}).items():
        shutil.copyfile(SUBMISSIONS / source, folder / name)
    instructor = None
    if entry.get("cases") == "instructor":
        instructor = tmp_path / "instructor-cases"
        shutil.copytree(default_cases_dir(), instructor, ignore=shutil.ignore_patterns("*.md"))
    return Scene(submission, cwd, home, canary, instructor)


def check_report(entry: dict[str, Any], run: Run, secret: str) -> list[str]:
    """Problems with the exit code, the report's completeness and what leaked into it."""
    problems = []
    expect = entry["expect"]
    wanted = 0 if expect == "pass" else 1
    if run.returncode is None:
        problems.append(f"the grader ran past the hard limit of {run.limit:g} s and was killed")
    elif run.returncode != wanted:
        problems.append(f"exit code {run.returncode}, expected {wanted} ({expect})")
    for text, where in ((run.stdout, "stdout"), (run.stderr, "stderr")):
        for marker in LEAK_MARKERS:
            if marker in text:
                line = next(line for line in text.splitlines() if marker in line)
                problems.append(f"{where} holds {marker}: {line.strip()[:200]}")
        if secret in text:
            problems.append(f"{where} holds the grader's secret {SECRET_VARIABLE}")
    for bad in ("Traceback (most recent call last)", "unexpected error"):
        if bad in run.stderr:
            problems.append(f"the grader failed: {run.stderr.strip()[-600:]}")
    if run.report is None:
        problems.append(f"no report: {run.json_error}; stdout starts {run.stdout[:300]!r}")
        return problems
    report = run.report
    if report.get("passed") is not (expect == "pass"):
        problems.append(f"report passed={report.get('passed')!r}, expected {expect}")
    if report.get("sandbox") not in SANDBOXES:
        problems.append(f"report sandbox={report.get('sandbox')!r}, expected one of {SANDBOXES}")
    seed = report.get("hidden_seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        problems.append(f"report hidden_seed={seed!r}, expected an int")
    functions = {f.get("name"): f for f in report.get("functions", [])}
    expected_names = entry.get("functions", list(FUNCTIONS))
    if sorted(functions) != sorted(expected_names):
        problems.append(f"report functions {sorted(functions)}, expected {sorted(expected_names)}")
    for name in expected_names:
        function = functions.get(name)
        if function is None:
            continue
        public, hidden = len(function.get("public", [])), function.get("hidden", {}).get("cases")
        if (public, hidden, function.get("cases")) != (PUBLIC_CASES, HIDDEN_CASES, 24):
            problems.append(
                f"{name}: {public} public and {hidden} hidden cases of {function.get('cases')}, "
                f"expected {PUBLIC_CASES} + {HIDDEN_CASES}"
            )
    return problems


def check_machine(
    entry: dict[str, Any],
    scene: Scene,
    before: dict[Path, dict[str, str]],
    submission_bytes: bytes,
) -> list[str]:
    """Problems with files: watched folders, the submission, must_not_exist paths."""
    problems = []
    for folder, digests in before.items():
        after = tree_digest(folder)
        if after != digests:
            added = sorted(set(after) - set(digests))
            removed = sorted(set(digests) - set(after))
            changed = sorted(k for k in set(after) & set(digests) if after[k] != digests[k])
            problems.append(
                f"{folder} changed: added {added}, removed {removed}, changed {changed}"
            )
    if not scene.submission.is_file() or scene.submission.read_bytes() != submission_bytes:
        problems.append(f"the submission file {scene.submission} was changed or deleted")
    for template in entry.get("must_not_exist", []):
        for path in scene.paths(template):
            if path.exists() or path.is_symlink():
                problems.append(f"{path} exists (written by the submission)")
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        path.unlink()
    return problems


def _listener(port: int) -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind(("127.0.0.1", port))
    except OSError as error:
        server.close()
        pytest.fail(f"the canary port 127.0.0.1:{port} is busy ({error}); free it and rerun")
    server.listen(64)
    server.setblocking(False)
    return server


def _connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except (BlockingIOError, InterruptedError):
            return count
        connection.close()
        count += 1


def _params() -> list:
    return [
        pytest.param(entry, id=_stem(entry), marks=[pytest.mark.slow] if entry.get("slow") else [])
        for entry in ENTRIES
    ]


@pytest.mark.parametrize("entry", _params())
def test_hostile_submission_is_contained(
    entry: dict[str, Any], tmp_path: Path, sandboxed_grader: str
) -> None:
    scene = build_scene(entry, tmp_path)
    secret = "dlsecret-" + secrets.token_hex(16)
    args = [str(scene.submission)]
    if entry.get("as"):
        args += ["--as", entry["as"]]
    if scene.instructor_cases is not None:
        args += ["--cases", str(scene.instructor_cases)]
    watched = {folder: tree_digest(folder) for folder in scene.watched()}
    package_backup = tree_backup(PACKAGE)
    package_before = tree_digest(PACKAGE)
    submission_bytes = scene.submission.read_bytes()
    server = _listener(entry["listen"]) if entry.get("listen") else None
    try:
        run, session = run_cli(
            args,
            cwd=scene.cwd,
            home=scene.home,
            secret=secret,
            timeout=float(entry.get("timeout", HARD_TIMEOUT)),
        )
        problems = check_report(entry, run, secret)
        left = wait_for_survivors(entry.get("marker"), session)
        if left:
            kill_pids([pid for pid, _ in left])
            problems.append(f"{len(left)} processes left alive, e.g. {left[:3]}")
        problems += check_machine(entry, scene, watched, submission_bytes)
        if server is not None and (count := _connections(server)):
            problems.append(f"{count} connections reached 127.0.0.1:{entry['listen']}")
        if tree_digest(PACKAGE) != package_before:
            restore_tree(PACKAGE, package_backup)
            problems.append(f"the descentlab package under {PACKAGE} was changed (restored)")
    finally:
        if server is not None:
            server.close()
        shutil.rmtree(scene.canary, ignore_errors=True)
    summary = f"{entry['target']} ({entry['expect']}; sandbox {sandboxed_grader})"
    assert not problems, summary + ":\n  " + "\n  ".join(problems) + f"\n{entry.get('notes', '')}"


# -- the table itself -----------------------------------------------------------------------------
def test_the_table_lists_every_hostile_file_once_and_is_varied() -> None:
    on_disk = sorted(str(p.relative_to(SUBMISSIONS)) for p in HOSTILE.iterdir() if p.is_file())
    listed = [entry["target"] for entry in ENTRIES]
    assert sorted(listed) == on_disk and len(set(listed)) == len(listed)
    assert len(ENTRIES) >= 30
    assert sum(e["expect"] == "fail" for e in ENTRIES) >= 30
    assert sum(e["target"].endswith(".ipynb") for e in ENTRIES) >= 4
    markers = [e["marker"] for e in ENTRIES if e.get("marker")]
    assert len(set(markers)) == len(markers) and all(len(m) <= 15 for m in markers)
    ports = [e["listen"] for e in ENTRIES if e.get("listen")]
    assert len(set(ports)) == len(ports)
    for entry in ENTRIES:
        assert entry["expect"] in ("pass", "fail") and entry.get("notes"), entry["target"]
        assert set(entry.get("functions", FUNCTIONS)) <= set(FUNCTIONS), entry["target"]
        assert entry.get("old_core"), entry["target"]
