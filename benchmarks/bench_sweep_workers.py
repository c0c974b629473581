"""``descentlab sweep --workers 2`` against ``--workers 1``: trials per second of a grid sweep of
CPU-bound training trials, each command a fresh process into a fresh out folder (so nothing is
resumed), timed in alternating rounds after a warm-up (``harness.time_side_by_side``).

Target (issue 13): on 2 cores, ``--workers 2`` reaches at least 1.7× the trials per second of
``--workers 1``. Both sides pay their process starts (the two-worker command works as one worker
and starts the other beside itself), so the trials must be long enough for that to matter
little: the full size runs 16 trials of an MLP on 20000 samples (15 epochs, about 3 s each
here, whatever the thread count). With 8 such trials two workers measured 1.57×: the second
worker starts about 2.5 s later (its interpreter imports torch and Optuna), so one of them runs
the last trial alone; 16 trials halve that share. Quick and smoke only check that the script
works.

    python benchmarks/run_all.py sweep_workers [--quick]
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import descentlab
from harness import Benchmark, Case, Ratio, time_side_by_side

TARGET = 1.7


def _sweep_file(folder: Path, *, trials: int, n_samples: int, epochs: int) -> Path:
    rates = ",".join(f"{0.001 * (i + 1):g}" for i in range(trials))
    path = folder / "workers.toml"
    path.write_text(
        'run = "train"\n[fixed]\nmodel = "mlp"\nlayers = "64,32"\ndevice = "cpu"\n'
        f"n_samples = {n_samples}\nn_features = 16\nepochs = {epochs}\nbatch_size = 32\n"
        f'[space]\nlrate = "{rates}"\n'
    )
    return path


def run(quick: bool, smoke: bool = False) -> Benchmark:
    if smoke:
        trials, n_samples, epochs, repeat = 2, 200, 1, 1
    elif quick:
        trials, n_samples, epochs, repeat = 4, 1000, 2, 1
    else:
        trials, n_samples, epochs, repeat = 16, 20000, 15, 2
    source = str(Path(descentlab.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": source}
    with tempfile.TemporaryDirectory(prefix="bench-sweep-workers-") as scratch:
        folder = Path(scratch)
        path = _sweep_file(folder, trials=trials, n_samples=n_samples, epochs=epochs)
        fresh = itertools.count()

        def sweep(workers: int):
            def call() -> None:
                out = folder / f"out-{next(fresh)}"
                command = [sys.executable, "-m", "descentlab", "sweep", str(path), "--out",
                           str(out), "--workers", str(workers)]  # fmt: skip
                subprocess.run(command, check=True, capture_output=True, env=env)

            return call

        timings = time_side_by_side(
            {"--workers 1": sweep(1), "--workers 2": sweep(2)}, repeat=repeat, warmup=0
        )
    cases = [
        Case(f"sweep of {trials} trials {name}", t.median, t.rate(trials), "trials/s", t.as_dict())
        for name, t in timings.items()
    ]
    one, two = (timings[name].median for name in ("--workers 1", "--workers 2"))
    ratio = Ratio(
        "--workers 2 / --workers 1 (trials/s)",
        one / two,
        TARGET,
        True,
        f"two workers at least {TARGET:g}× the trials per second of one, on "
        f"{os.cpu_count()} cores; measured {one / two:.2f}×",
    )
    setting = (
        f"grid of {trials} train trials (MLP 16-64-32-1, {n_samples} samples, batch 32, "
        f"{epochs} epochs), whole commands in fresh processes, {repeat} alternating rounds"
    )
    return Benchmark("sweep_workers", setting, cases, [ratio])
