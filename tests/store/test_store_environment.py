"""The store where the environment says no: a read-only file or folder, a full disk (simulated by
a file-size limit: Python ignores SIGXFSZ, so writes fail with EFBIG), and ids SQLite cannot hold.
Through the real CLI where the problem is the CLI's."""

from __future__ import annotations

import os
import resource
import shlex
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from descentlab.store import ResultsStore, TrialRecord, export_run
from descentlab.validation import InputError

NO_WRITE_OVERRIDE = "cap_dac_override,cap_dac_read_search,cap_fowner"


def _store(path) -> int:
    with ResultsStore(path) as store:
        run_id = store.begin_run("demo", config={"lrate": 0.1}, seed=3, versions={}, device="cpu")
        trial = TrialRecord("a", {}, "finished", {"loss": np.array([2.0, 1.0])})
        store.complete_run(run_id, status="finished", results={}, trials=[trial])
    return run_id


def _cli(*args, preexec_fn=None, unprivileged=False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "descentlab", *args]
    if unprivileged and os.geteuid() == 0:  # root writes anywhere: drop that power first
        capsh = shutil.which("capsh")
        if capsh is None:
            pytest.skip("running as root without capsh: a read-only file is writable here")
        command = [capsh, f"--drop={NO_WRITE_OVERRIDE}", "--", "-c", shlex.join(command)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, preexec_fn=preexec_fn
    )


def _no_file_growth() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))


@pytest.mark.slow
@pytest.mark.parametrize("where", ["read-only folder", "read-only file"])
def test_runs_reads_a_read_only_store(tmp_path, where):
    folder = tmp_path / "shelf"
    folder.mkdir()
    path = folder / "runs.sqlite"
    run_id = _store(path)
    before = path.read_bytes()
    locked = folder if where == "read-only folder" else path
    mode = locked.stat().st_mode
    locked.chmod(0o555 if locked.is_dir() else 0o444)
    try:
        listing = _cli("runs", "--store", str(path), unprivileged=True)
        show = _cli("runs", "--store", str(path), "show", str(run_id), unprivileged=True)
        target = tmp_path / "m.csv"
        export = _cli(
            "runs", "--store", str(path), "export", str(run_id), "--output", str(target),
            unprivileged=True,
        )  # fmt: skip
    finally:
        locked.chmod(mode)
    assert listing.returncode == 0, listing.stderr
    assert "demo" in listing.stdout and "finished" in listing.stdout
    assert show.returncode == 0 and "loss[2]" in show.stdout, show.stderr
    assert export.returncode == 0 and target.is_file(), export.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["runs.sqlite"]


@pytest.mark.slow
def test_runs_reads_a_store_on_a_full_disk(tmp_path):
    path = tmp_path / "runs.sqlite"
    run_id = _store(path)
    listing = _cli("runs", "--store", str(path), preexec_fn=_no_file_growth)
    show = _cli("runs", "--store", str(path), "show", str(run_id), preexec_fn=_no_file_growth)
    assert listing.returncode == 0 and "demo" in listing.stdout, listing.stderr
    assert show.returncode == 0 and "loss[2]" in show.stdout, show.stderr


@pytest.mark.parametrize("bad", [2**63, 10**20, 0, -1])
def test_out_of_range_run_ids_are_input_errors(tmp_path, bad):
    path = tmp_path / "runs.sqlite"
    _store(path)
    message = rf"run id must be a positive integer below 2\*\*63, got {bad}"
    with ResultsStore.open_readonly(path) as store:
        for call in (store.get_run, store.load_experiment, store.children, store.metrics):
            with pytest.raises(InputError, match=message):
                call(bad)
        with pytest.raises(InputError, match=message):
            export_run(store, bad, tmp_path / "m.csv", "csv")
    assert not (tmp_path / "m.csv").exists()


def test_cli_refuses_out_of_range_run_ids_in_one_line(tmp_path):
    path = tmp_path / "runs.sqlite"
    _store(path)
    for command, bad in (("show", "99999999999999999999"), ("export", "0"), ("plot", "-5")):
        done = _cli("runs", "--store", str(path), command, "--", bad)
        assert done.returncode == 2, done.stderr
        (line,) = done.stderr.splitlines()
        assert f"run id must be a positive integer below 2**63, got '{bad}'" in line


FULL_DISK = """
    import os, resource, sys
    import numpy as np
    from descentlab.store import ResultsStore, TrialRecord
    path, then = sys.argv[1], sys.argv[2]
    store = ResultsStore(path)
    run_id = store.begin_run("demo", config={}, seed=0, versions={}, device="cpu")
    print(run_id, flush=True)
    trials = [TrialRecord(f"t{i}", {}, "finished", {"loss": np.ones(2000)}) for i in range(20)]
    try:
        store.complete_run(run_id, status="finished", results={}, trials=trials)
    except Exception as error:
        print(type(error).__name__, isinstance(error, OSError), error, sep="|", flush=True)
        if then == "exit":
            os._exit(3)  # died before it could mark the run
        store.fail_run(run_id, f"could not store the results: {error}")
        sys.exit(4)
"""


def _limited(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return apply


@pytest.mark.parametrize("then", ["mark failed", "exit"])
def test_complete_run_on_a_full_disk_keeps_nothing_and_names_the_file(tmp_path, then):
    path = tmp_path / "runs.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FULL_DISK), str(path), then.split()[0]],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited(96 * 1024),
    )
    assert done.returncode == (3 if then == "exit" else 4), done.stderr
    first, second = done.stdout.splitlines()
    run_id = int(first)
    name, is_os_error, message = second.split("|")
    assert (name, is_os_error) == ("StoreWriteError", "True")
    assert str(path) in message and "file-size limit" in message
    with ResultsStore(path) as store:  # a later writer with room
        assert store.children(run_id) == []  # the failed transaction left nothing behind
        store.begin_run("next", config={}, seed=0, versions={}, device="cpu")
        run = store.get_run(run_id)
    if then == "exit":
        assert run.status == "interrupted" and "ended without finishing" in run.message
    else:
        assert run.status == "failed" and str(path) in run.message
