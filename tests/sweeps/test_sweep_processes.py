"""Sweeps across processes through the real CLI: a SIGKILL in the middle loses only the trial in
flight, which the next invocation re-runs; several workers share one study on SQLite and on a
real PostgreSQL server, each grid point run exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest
from tests.sweeps.conftest import HANG_GUARD_S, TINY_TRAIN, cli, wait_for, write_sweep

from descentlab.store import ResultsStore
from descentlab.sweeps import load_sweep
from descentlab.sweeps.study import open_study

pytestmark = pytest.mark.slow


def _grid_file(tmp_path, lrates: str, epochs: int, n_samples: int = 200):
    text = TINY_TRAIN.replace("n_samples = 200", f"n_samples = {n_samples}")
    return write_sweep(
        tmp_path, f'run = "train"\n{text}epochs = {epochs}\n[space]\nlrate = "{lrates}"\n'
    )


def _complete_params(path, storage: str) -> Counter:
    from optuna.trial import TrialState

    study = open_study(load_sweep(path), storage)
    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return Counter(float(t.params["lrate"]) for t in done)


def _sweep_runs(out):
    if not (out / "runs.sqlite").is_file():
        return []
    with ResultsStore.open_readonly(out / "runs.sqlite") as store:
        sweeps = store.list_sweeps()
        return store.sweep_runs(sweeps[0].id) if sweeps else []


def test_sigkill_in_the_middle_loses_only_the_trial_in_flight(tmp_path):
    rates = "0.001,0.002,0.003,0.004"
    path = _grid_file(tmp_path, rates, epochs=30, n_samples=2000)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "descentlab", "sweep", str(path), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def one_done_one_running() -> bool:
        runs = _sweep_runs(out)
        return any(r.status == "finished" for r in runs) and runs[-1].status == "running"

    wait_for(one_done_one_running)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=HANG_GUARD_S)
    before = _sweep_runs(out)
    finished_before = {r.sweep_params["lrate"] for r in before if r.status == "finished"}
    killed = before[-1]
    assert killed.status == "running"  # as the kill left it

    result = cli("sweep", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"trial {killed.sweep_trial} was running in a worker that died" in result.stderr
    runs = _sweep_runs(out)
    finished = Counter(r.sweep_params["lrate"] for r in runs if r.status == "finished")
    assert finished == Counter({0.001: 1, 0.002: 1, 0.003: 1, 0.004: 1})  # none lost or doubled
    again = {r.sweep_params["lrate"] for r in runs[len(before) :]}
    assert not again & finished_before  # a finished trial is never run again
    assert next(r for r in runs if r.id == killed.id).status == "interrupted"
    storage = f"sqlite:///{out / 'optuna.sqlite'}"
    assert _complete_params(path, storage) == Counter({0.001: 1, 0.002: 1, 0.003: 1, 0.004: 1})
    assert cli("sweep", str(path), "--out", str(out)).returncode == 0
    assert len(_sweep_runs(out)) == len(runs)  # complete: a third invocation runs nothing


def test_two_workers_share_a_sqlite_study(tmp_path):
    rates = "0.001,0.002,0.003,0.004,0.005,0.006"
    path = _grid_file(tmp_path, rates, epochs=2)
    out = tmp_path / "out"
    result = cli("sweep", str(path), "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "with 2 workers: complete 6" in result.stdout
    runs = _sweep_runs(out)
    assert Counter(r.sweep_params["lrate"] for r in runs) == Counter(
        {float(r): 1 for r in rates.split(",")}
    )
    assert {r.status for r in runs} == {"finished"}
    assert _complete_params(path, f"sqlite:///{out / 'optuna.sqlite'}") == Counter(
        {float(r): 1 for r in rates.split(",")}
    )


def test_workers_on_two_machines_share_a_postgresql_study(tmp_path, postgres_url):
    rates = ",".join(f"0.00{i}" for i in range(1, 9))
    path = _grid_file(tmp_path, rates, epochs=2)
    machines = [tmp_path / "machine-a", tmp_path / "machine-b"]
    commands = [
        [sys.executable, "-m", "descentlab", "sweep", str(path), "--out", str(out),
         "--storage", postgres_url, "--workers", "2"]
        for out in machines
    ]  # fmt: skip
    processes = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=HANG_GUARD_S)
        assert process.returncode == 0, stderr
    runs = [r for out in machines for r in _sweep_runs(out)]
    expected = Counter({float(r): 1 for r in rates.split(",")})
    assert Counter(r.sweep_params["lrate"] for r in runs) == expected  # each exactly once
    assert {r.status for r in runs} == {"finished"}
    assert _complete_params(path, postgres_url) == expected
    with ResultsStore.open_readonly(machines[0] / "runs.sqlite") as store:
        (sweep,) = store.list_sweeps()
    assert (
        sweep.storage == postgres_url
        and sweep.study == open_study(load_sweep(path), postgres_url).study_name
    )


def test_sigkill_of_the_workers_command_stops_its_workers_and_loses_nothing(tmp_path):
    from descentlab.store.processes import process_gone

    rates = "0.001,0.002,0.003,0.004"
    path = _grid_file(tmp_path, rates, epochs=30, n_samples=2000)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "descentlab", "sweep", str(path), "--out", str(out),
               "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: any(r.status == "running" for r in _sweep_runs(out)))
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=HANG_GUARD_S)
    # the workers die with the command (PR_SET_PDEATHSIG): their runs' processes end
    wait_for(
        lambda: all(
            process_gone(r.pid, r.host, r.process_start)
            for r in _sweep_runs(out)
            if r.status == "running"
        )
    )
    result = cli("sweep", str(path), "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    runs = _sweep_runs(out)
    finished = Counter(r.sweep_params["lrate"] for r in runs if r.status == "finished")
    assert finished == Counter({0.001: 1, 0.002: 1, 0.003: 1, 0.004: 1})
    assert {r.status for r in runs} <= {"finished", "interrupted"}
