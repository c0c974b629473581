"""How fast the command line answers: each command in a fresh interpreter, as a user runs it.

Cases, timed in alternating rounds after a warm-up (``harness.time_side_by_side``), each one a
new ``python`` process from start to exit:

* ``python -c pass``: the bare interpreter, the floor every command stands on;
* ``descentlab --help``, ``descentlab list`` and ``descentlab run no-such-experiment`` (the
  refusal, exit 2): commands that must not wait for any heavy library (NOTE [instant catalog]);
* ``descentlab run gd-onefeature`` on the NumPy backend, figures included, and the same with
  ``--backend torch``;
* ``import torch (fresh interpreter)``: the seconds ``import torch`` takes inside a new process,
  the cost the torch run cannot avoid; its target is stated on top of it.

Each command's detail also holds ``cpu_median_s``, the median CPU seconds (user + system) of its
process, also named in the ratios' text: on a machine shared with other work, the figure closest
to a quiet machine's wall time.

Targets (issue 11), as ratios to the bare interpreter measured in the same run, so a busier
machine moves both sides: ``--help``, ``list`` and the refusal at most 0.3 s above it; the NumPy
``gd-onefeature`` run at most 1.5 s in all; the torch run at most 1.5 s plus one ``import torch``.
Each ratio's target is thus ``budget / bare`` with the bare median of this run.

    python benchmarks/run_all.py cli [--quick]
"""

from __future__ import annotations

import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import descentlab
from harness import Benchmark, Case, Ratio, import_torch_seconds, time_side_by_side

CHEAP_BUDGET_S = 0.3  # above the bare interpreter
NUMPY_RUN_BUDGET_S = 1.5  # in all


def _environment() -> dict[str, str]:
    """The environment of every command: this descentlab first on the path, so the processes
    time the code the benchmark imported (a checkout, not some other installed copy)."""
    source = str(Path(descentlab.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": source + (os.pathsep + path if path else "")}


def _command(
    args: list[str], *, code: int, env: dict[str, str], cpu: list[float]
) -> Callable[[], None]:
    """A call that runs ``python args`` to the end and insists on its exit code; it appends the
    process's CPU seconds (user + system) to ``cpu``, a figure that a busy machine moves far less
    than the wall time."""

    def call() -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, env=env, timeout=600
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != code:
            raise RuntimeError(
                f"`python {' '.join(args)}` must exit {code}, got {done.returncode}: "
                f"{done.stderr.strip()[-500:]}"
            )

    return call


def run(quick: bool, smoke: bool = False) -> Benchmark:
    # quick (and smoke, the same here: a command cannot get smaller): one round after the
    # warm-up, enough to check every command still answers
    repeat, warmup = (1, 1) if quick or smoke else (9, 1)
    env = _environment()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as scratch:
        out = str(Path(scratch) / "out")
        run_gd = ["-m", "descentlab", "run", "gd-onefeature", "--out", out]
        commands = {
            "python -c pass": (["-c", "pass"], 0),
            "descentlab --help": (["-m", "descentlab", "--help"], 0),
            "descentlab list": (["-m", "descentlab", "list"], 0),
            "unknown experiment (exit 2)": (["-m", "descentlab", "run", "no-such-experiment"], 2),
            "run gd-onefeature (numpy)": (run_gd, 0),
            "run gd-onefeature --backend torch": ([*run_gd, "--backend", "torch"], 0),
        }
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        calls = {
            name: _command(args, code=code, env=env, cpu=cpu[name])
            for name, (args, code) in commands.items()
        }
        timings = time_side_by_side(calls, repeat=repeat, warmup=warmup)
    cases = [
        Case(
            name,
            t.median,
            t.rate(1.0),
            "commands/s",
            t.as_dict() | {"cpu_median_s": statistics.median(cpu[name][warmup:])},
        )
        for name, t in timings.items()
    ]
    imports = import_torch_seconds(repeat, env=env)
    import_torch = statistics.median(imports)
    cases.append(
        Case(
            "import torch (fresh interpreter)",
            import_torch,
            1.0 / import_torch,
            "imports/s",
            {"samples": imports, "median": import_torch},
        )
    )
    seconds = {case.name: case.median_s for case in cases}
    cpu_s = {case.name: case.detail.get("cpu_median_s", math.nan) for case in cases}
    bare = seconds["python -c pass"]
    ratios = [
        Ratio(
            f"{name} / bare python",
            seconds[name] / bare,
            (bare + CHEAP_BUDGET_S) / bare,
            False,
            f"{name} at most {CHEAP_BUDGET_S:g} s above a bare interpreter "
            f"({bare * 1e3:.0f} ms in this run); measured {seconds[name] - bare:.3f} s above "
            f"(CPU {cpu_s[name] - cpu_s['python -c pass']:.3f} s above)",
        )
        for name in ("descentlab --help", "descentlab list", "unknown experiment (exit 2)")
    ]
    numpy_run = seconds["run gd-onefeature (numpy)"]
    ratios.append(
        Ratio(
            "run gd-onefeature (numpy) / bare python",
            numpy_run / bare,
            NUMPY_RUN_BUDGET_S / bare,
            False,
            f"the NumPy-backend run, figures included, at most {NUMPY_RUN_BUDGET_S:g} s in all; "
            f"measured {numpy_run:.3f} s (CPU {cpu_s['run gd-onefeature (numpy)']:.3f} s)",
        )
    )
    torch_run = seconds["run gd-onefeature --backend torch"]
    torch_budget = NUMPY_RUN_BUDGET_S + import_torch
    ratios.append(
        Ratio(
            "run gd-onefeature --backend torch / bare python",
            torch_run / bare,
            torch_budget / bare,
            False,
            f"the torch-backend run at most {NUMPY_RUN_BUDGET_S:g} s plus one import torch "
            f"({import_torch:.2f} s in this run); measured {torch_run:.3f} s "
            f"(CPU {cpu_s['run gd-onefeature --backend torch']:.3f} s)",
        )
    )
    setting = (
        f"each command a fresh `{Path(sys.executable).name}` process, median of {repeat} "
        f"alternating rounds after a warm-up; gd-onefeature with its default config and figures"
    )
    return Benchmark("cli", setting, cases, ratios)
