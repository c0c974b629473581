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

Targets (issue 11), as ratios to the bare interpreter measured in the same run, so a busier
machine moves both sides: ``--help``, ``list`` and the refusal at most 0.3 s above it; the NumPy
``gd-onefeature`` run at most 1.5 s in all; the torch run at most 1.5 s plus one ``import torch``.
Each ratio's target is thus ``budget / bare`` with the bare median of this run.

    python benchmarks/run_all.py cli [--quick]
"""

from __future__ import annotations

import os
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


def _command(args: list[str], *, code: int, env: dict[str, str]) -> Callable[[], None]:
    """A call that runs ``python args`` to the end and insists on its exit code."""

    def call() -> None:
        done = subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, env=env, timeout=600
        )
        if done.returncode != code:
            raise RuntimeError(
                f"`python {' '.join(args)}` must exit {code}, got {done.returncode}: "
                f"{done.stderr.strip()[-500:]}"
            )

    return call


def run(quick: bool) -> Benchmark:
    # quick: one round after the warm-up, enough to check every command still answers
    repeat, warmup = (1, 1) if quick else (9, 1)
    env = _environment()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as scratch:
        out = str(Path(scratch) / "out")
        run_gd = ["-m", "descentlab", "run", "gd-onefeature", "--out", out]
        calls = {
            "python -c pass": _command(["-c", "pass"], code=0, env=env),
            "descentlab --help": _command(["-m", "descentlab", "--help"], code=0, env=env),
            "descentlab list": _command(["-m", "descentlab", "list"], code=0, env=env),
            "unknown experiment (exit 2)": _command(
                ["-m", "descentlab", "run", "no-such-experiment"], code=2, env=env
            ),
            "run gd-onefeature (numpy)": _command(run_gd, code=0, env=env),
            "run gd-onefeature --backend torch": _command(
                [*run_gd, "--backend", "torch"], code=0, env=env
            ),
        }
        timings = time_side_by_side(calls, repeat=repeat, warmup=warmup)
    cases = [
        Case(name, t.median, t.rate(1.0), "commands/s", t.as_dict()) for name, t in timings.items()
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
    bare = seconds["python -c pass"]
    ratios = [
        Ratio(
            f"{name} / bare python",
            seconds[name] / bare,
            (bare + CHEAP_BUDGET_S) / bare,
            False,
            f"{name} at most {CHEAP_BUDGET_S:g} s above a bare interpreter "
            f"({bare * 1e3:.0f} ms in this run); measured {seconds[name] - bare:.3f} s above",
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
            f"measured {numpy_run:.3f} s",
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
            f"({import_torch:.2f} s in this run); measured {torch_run:.3f} s",
        )
    )
    setting = (
        f"each command a fresh `{Path(sys.executable).name}` process, median of {repeat} "
        f"alternating rounds after a warm-up; gd-onefeature with its default config and figures"
    )
    return Benchmark("cli", setting, cases, ratios)
