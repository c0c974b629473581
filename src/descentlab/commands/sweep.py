"""``descentlab sweep FILE.toml`` (one worker, or ``--workers N`` processes sharing the study) and
``descentlab sweeps [show ID]``: the stored sweeps, their trials by objective, their figures."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from descentlab.commands import DEFAULT_OUT
from descentlab.validation import InputValueError

__all__ = ["add_parser", "run_sweep", "run_sweeps"]

_MAX_WORKERS = 256
_THREAD_SETTINGS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value <= _MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"workers must be an integer from 1 to {_MAX_WORKERS}, got {text!r}"
        )
    return value


def add_parser(subparsers: Any) -> None:
    """Add ``sweep`` and ``sweeps`` (with ``show``)."""
    from descentlab.commands.runs import run_id

    sweep = subparsers.add_parser("sweep", help="run (or continue) the sweep a TOML file names")
    sweep.add_argument("file", help="the sweep file (TOML; see README 'Sweeps')")
    sweep.add_argument("--out", default=DEFAULT_OUT, help="output folder (runs.sqlite, study)")
    sweep.add_argument("--workers", type=_workers, default=1, help="processes sharing the study")
    sweep.add_argument(
        "--storage", help="study database URL (default sqlite in OUT; postgresql://… to share)"
    )
    sweep.add_argument("--json", action="store_true", help="print the sweep's report as JSON")
    sweep.set_defaults(handler=run_sweep)

    sweeps = subparsers.add_parser("sweeps", help="list the stored sweeps, or show one")
    sweeps.add_argument("--out", default=DEFAULT_OUT, help="output folder holding runs.sqlite")
    sweeps.set_defaults(handler=run_sweeps, sweeps_command=None)
    sub = sweeps.add_subparsers(dest="sweeps_command")
    show = sub.add_parser("show", help="a sweep's trials sorted by objective, and its figures")
    show.add_argument("id", type=run_id)
    show.add_argument("--json", action="store_true", help="print the trials as JSON")
    show.add_argument("--to", help="folder for the figures (default OUT/sweep-ID)")
    show.add_argument("--out", default=argparse.SUPPRESS, help="as for `sweeps --out`")


def run_sweep(args: argparse.Namespace) -> int:
    from descentlab.sweeps import load_sweep, run_sweep_worker

    spec = load_sweep(args.file)  # every error of the file before any process starts
    if args.workers > 1:
        return _run_workers(args, spec)

    from descentlab.commands.progress_display import (
        ProgressDisplay,
        TrialsProgress,
        progress_wanted,
    )

    def notice(text: str) -> None:
        print(f"descentlab: {text}", file=sys.stderr, flush=True)

    # NOTE [quiet progress]: trials done/running/failed and the best so far, on a terminal only
    total = spec.grid_size() if spec.sampler == "grid" else spec.n_trials
    with ProgressDisplay(progress_wanted(args.json), delay=0.5) as display:
        trials = TrialsProgress(display, total, minimize=spec.direction != "maximize")
        report = run_sweep_worker(
            spec,
            out=args.out,
            storage=args.storage,
            on_start=lambda _number: trials.started(),
            on_trial=lambda outcome: trials.ended(outcome.state, outcome.value),
            on_notice=notice,
        )
    if args.json:
        print(json.dumps(report.as_json(), allow_nan=False))
        return 0
    totals = ", ".join(f"{k} {v}" for k, v in report.totals.items() if v)
    best = report.best
    shown = "no finished trial yet" if best is None else (
        f"best trial {best['trial']}: {spec.objective}={best['value']:.6g} "
        + _params(best["params"])
    )  # fmt: skip
    print(f"sweep {report.sweep_id} ({report.study}): ran {len(report.ran)} here; {totals}")
    print(shown)
    print(f"trial files in {report.folder}")
    return 0


def _run_workers(args: argparse.Namespace, spec: Any) -> int:
    """``--workers N``: the study is created here first (so the grid is queued once), then N - 1
    copies of this command start as workers and this process works as the N-th, all sharing the
    study (NOTE [worker runs]); the N-th saves one interpreter's start-up (torch, Optuna) on the
    sweep's clock. On Linux each copy dies with this process (``PR_SET_PDEATHSIG``), so a
    SIGKILL of the command stops them all (its own trial in flight is queued again by the next
    invocation, like any dead worker's)."""
    from descentlab.lifecycle.output_folder import prepare_output
    from descentlab.sweeps import run_sweep_worker
    from descentlab.sweeps.study import default_storage, open_study

    root = prepare_output(args.out)
    storage = args.storage or default_storage(root)
    study = open_study(spec, storage)
    command = [sys.executable, "-m", "descentlab", "sweep", str(args.file), "--out",
               str(root), "--storage", storage, "--workers", "1"]  # fmt: skip
    # NOTE [worker threads]: N workers on one machine share its cores: each one's math
    # libraries (torch, OpenMP, BLAS) get cores / N threads instead of all of them each, which
    # would oversubscribe the cores N times over. This process is one of the N: the same
    # setting, and torch's own count where torch is loaded already.
    threads = str(max(1, (os.cpu_count() or 1) // args.workers))
    settings = {name: threads for name in _THREAD_SETTINGS}
    env = {**os.environ, **settings}
    workers = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env, preexec_fn=_die_with_parent)
        for _ in range(args.workers - 1)
    ]
    try:
        os.environ.update(settings)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(int(threads))
        run_sweep_worker(spec, out=root, storage=storage)
        codes = [worker.wait() for worker in workers]
    except BaseException:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait()
        raise
    failed = [code for code in codes if code != 0]
    if failed:
        return max(failed)
    return _summary_after_workers(args, spec, study, storage)


def _summary_after_workers(args: argparse.Namespace, spec: Any, study: Any, storage: str) -> int:
    from descentlab.sweeps.study import redacted, study_name
    from descentlab.sweeps.worker import study_totals

    totals = study_totals(study)
    payload = {"study": study_name(spec), "storage": redacted(storage), "totals": totals}
    if args.json:
        print(json.dumps(payload))
    else:
        shown = ", ".join(f"{k} {v}" for k, v in totals.items() if v)
        print(f"sweep {payload['study']} with {args.workers} workers: {shown}")
    return 0


def _params(params: dict[str, Any]) -> str:
    """Parameters as a line shows them: floats to 4 significant digits (JSON keeps them all)."""
    return " ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()
    )


def _die_with_parent() -> None:
    """In the child: ask the kernel for SIGKILL when the parent dies (Linux; else nothing)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def run_sweeps(args: argparse.Namespace) -> int:
    from descentlab.store import ResultsStore

    path = Path(args.out) / "runs.sqlite"
    if not path.is_file():
        raise InputValueError(f"store must be an existing results file, got {str(path)!r}")
    with ResultsStore.open_readonly(path) as store:
        if args.sweeps_command is None:
            return _list(store)
        return _show(store, args)


def _list(store: Any) -> int:
    sweeps = store.list_sweeps()
    print(f"{'id':>4}  {'name':<20} {'run':<14} {'trials':>6}  {'best':>12}  study")
    for sweep in sweeps:
        from descentlab.sweeps.results import sweep_table

        table = sweep_table(store, sweep)
        best = next((row["value"] for row in table if row["value"] is not None), None)
        shown = "-" if best is None else f"{best:.6g}"
        print(
            f"{sweep.id:>4}  {sweep.name:<20} {sweep.target:<14} {len(table):>6}  "
            f"{shown:>12}  {sweep.study}"
        )
    if not sweeps:
        print("(no sweeps yet)")
    return 0


def _show(store: Any, args: argparse.Namespace) -> int:
    from descentlab.sweeps.results import draw_sweep, sweep_table

    sweep = store.get_sweep(args.id)
    table = sweep_table(store, sweep)
    if args.json:
        print(json.dumps({"sweep": sweep.__dict__, "trials": table}, allow_nan=False))
    else:
        objective = sweep.spec.get("objective", "objective")
        direction = sweep.spec.get("direction")
        print(f"sweep {sweep.id} {sweep.name}: {sweep.target}, {objective} ({direction}), "
              f"study {sweep.study} in {sweep.storage}")  # fmt: skip
        for row in table:
            value = "-" if row["value"] is None else f"{row['value']:.6g}"
            params = _params(row["params"])
            print(f"  trial {row['trial']:>4} run {row['run_id']:>5} {row['state']:<9} "
                  f"{value:>12}  {params}")  # fmt: skip
    figures = draw_sweep(store, sweep, args.to or Path(args.out) / f"sweep-{sweep.id}")
    if not args.json:
        for figure in figures:
            print(f"{figure.png}\n{figure.svg}")
    return 0
