"""The ``descentlab`` command: argument parsing and mapping errors to exit codes, nothing else.

Exit codes: 0 success, 2 bad input (one line on stderr, never a traceback), 1 an unexpected error
(also one line, with a bug-report hint: NOTE [input errors] in ``validation``), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from descentlab.validation import InputError, InputValueError

DEFAULT_OUT = "descentlab-out"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    from descentlab.linear import BACKENDS
    from descentlab.store.export import FORMATS

    parser = _Parser(prog="descentlab", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    sub.add_parser("list", help="list the experiments, one line each")

    run = sub.add_parser("run", help="run one experiment")
    run.add_argument("experiment", help="an experiment name from `descentlab list`")
    run.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    run.add_argument("--seed", type=int, help="seed of the initial weight and batch order")
    run.add_argument(
        "--backend", choices=BACKENDS, help="numpy (hand gradient) or torch (autograd)"
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config field (repeatable), e.g. --set lrate=0.05",
    )
    run.add_argument("--data", help="your own data: a .csv, .parquet or .npy file")
    run.add_argument("--target", help="the target column of --data (default: the last one)")
    run.add_argument(
        "--features", help="comma-separated feature columns of --data (default: all others)"
    )
    run.add_argument("--store", help="results store file (default OUT/runs.sqlite)")
    run.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    tour = sub.add_parser("tour", help="run every experiment and write OUT/index.html")
    tour.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    tour.add_argument("--seed", type=int, default=0, help="seed for every experiment")
    tour.add_argument("--store", help="results store file (default OUT/runs.sqlite)")
    tour.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    runs = sub.add_parser("runs", help="list, show, export or redraw stored runs")
    runs.add_argument("--out", default=DEFAULT_OUT, help="output folder holding runs.sqlite")
    runs.add_argument("--store", help="results store file (default OUT/runs.sqlite)")
    runs_sub = runs.add_subparsers(dest="runs_command", parser_class=_Parser)
    show = runs_sub.add_parser("show", help="show one run with its trials")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="print the run as JSON")
    export = runs_sub.add_parser("export", help="export a run's metrics")
    export.add_argument("id", type=int)
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("--output", help="file to write (default OUT/run-ID.FORMAT)")
    plot = runs_sub.add_parser("plot", help="redraw a run's figures from the store")
    plot.add_argument("id", type=int)
    plot.add_argument("--to", help="folder for the figures (default OUT/redraw-ID)")
    for command in (show, export, plot):  # also accepted after the subcommand
        command.add_argument("--out", default=argparse.SUPPRESS, help="as for `runs --out`")
        command.add_argument("--store", default=argparse.SUPPRESS, help="as for `runs --store`")

    from descentlab.grade.command import add_cases_parser, add_check_parser
    from descentlab.train.command import add_train_parser

    add_check_parser(sub)
    add_cases_parser(sub)
    add_train_parser(sub, DEFAULT_OUT)
    return parser


def _cmd_list() -> int:
    from descentlab.experiments.catalog import CATALOG  # NOTE [instant catalog]

    width = max(len(name) for name in CATALOG)
    for name, entry in CATALOG.items():
        print(f"{name:<{width}}  {entry.spec:<5} {entry.summary}")
    return 0


def _overrides(args: argparse.Namespace) -> dict:
    from descentlab.experiments.config import parse_assignments

    overrides: dict = dict(parse_assignments(args.set))
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.backend is not None:
        overrides["backend"] = args.backend
    if args.data is not None:
        overrides["data"] = args.data
    if args.target is not None:
        if args.data is None:
            raise InputValueError(
                "--target must come with --data, got --target without a data file"
            )
        overrides["target"] = args.target
    if args.features is not None:
        overrides["features"] = tuple(f.strip() for f in args.features.split(",") if f.strip())
    return overrides


def _summary_line(report) -> str:
    from descentlab.experiments import get_experiment

    detail = get_experiment(report.experiment).headline(report.results)
    return f"{report.experiment} (run {report.run_ids[0]}, {report.status}): {detail}"


def _cmd_run(args: argparse.Namespace) -> int:
    from descentlab.experiments.catalog import CATALOG
    from descentlab.validation import check_choice

    check_choice("experiment", args.experiment, tuple(CATALOG))  # before any heavy import
    from descentlab.experiments.runner import resolve_config, run_experiment
    from descentlab.memory_estimates import check_memory, experiment_bytes, memory_limit

    overrides = _overrides(args)
    check_memory(  # NOTE [memory estimates]: before the store or the folder is touched
        resolve_config(args.experiment, overrides),
        lambda config: experiment_bytes(args.experiment, config),
        memory_limit(),
    )
    report = run_experiment(
        args.experiment, out=args.out, overrides=overrides, store_path=args.store
    )
    for message in report.messages:
        print(f"descentlab: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(), allow_nan=False))
    else:
        print(_summary_line(report))
        print(f"figures, config and results in {report.folder}")
    return 0


def _cmd_tour(args: argparse.Namespace) -> int:
    from descentlab.experiments.tour import run_tour

    tour = run_tour(args.out, seed=args.seed, store_path=args.store)
    if args.json:
        payload = {"index": str(tour.index), "runs": [r.as_json() for r in tour.reports]}
        print(json.dumps(payload, allow_nan=False))
        return 0
    for report in tour.reports:
        for message in report.messages:
            print(f"descentlab: {message}", file=sys.stderr)
        print(_summary_line(report))
    print(f"open {tour.index}")
    return 0


def _open_store(args: argparse.Namespace):
    from descentlab.store import ResultsStore

    path = Path(args.store) if args.store else Path(args.out) / "runs.sqlite"
    if not path.is_file():
        raise InputValueError(
            f"store must be an existing results file, got {str(path)!r} (run an experiment first)"
        )
    return ResultsStore(path)


def _liveness(run) -> str:
    if run.status != "running" or run.pid is None:
        return run.status
    import socket

    if run.host != socket.gethostname():
        return "running"
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return "running (interrupted: its process is gone)"
    except PermissionError:
        pass
    return "running"


def _cmd_runs(args: argparse.Namespace) -> int:
    from descentlab.plots import draw_experiment
    from descentlab.store import export_run
    from descentlab.store.jsonsafe import dumps

    with _open_store(args) as store:
        if args.runs_command is None:
            runs = store.list_runs()
            print(f"{'id':>4}  {'experiment':<16} {'status':<10} {'seed':>4}  started")
            for run in runs:
                print(
                    f"{run.id:>4}  {run.experiment:<16} {_liveness(run):<10} "
                    f"{run.seed if run.seed is not None else '-':>4}  {run.started_at}"
                )
            if not runs:
                print("(no runs yet)")
            return 0
        if args.runs_command == "show":
            run = store.get_run(args.id)
            trials = store.children(run.id)
            if args.json:
                payload = {"run": run.__dict__, "trials": [t.__dict__ for t in trials]}
                print(dumps(payload))
                return 0
            print(f"run {run.id}: {run.experiment} [{_liveness(run)}] seed {run.seed}")
            print(f"  started {run.started_at}, ended {run.ended_at or '-'}, device {run.device}")
            if run.message:
                print(f"  message: {run.message}")
            print(f"  config: {dumps(run.config)}")
            print(f"  versions: {dumps(run.versions)}")
            own = store.metrics(run.id)
            if own:
                print(f"  metrics: {', '.join(f'{k}[{len(v)}]' for k, v in own.items())}")
            for trial in trials:
                names = ", ".join(f"{k}[{len(v)}]" for k, v in store.metrics(trial.id).items())
                print(f"  trial {trial.id} {trial.label} [{trial.status}]: {names}")
                if trial.message:
                    print(f"    {trial.message}")
            return 0
        if args.runs_command == "export":
            target = Path(args.output or Path(args.out) / f"run-{args.id}.{args.format}")
            rows = export_run(store, args.id, target, args.format)
            print(f"wrote {rows} rows to {target}")
            return 0
        folder = Path(args.to or Path(args.out) / f"redraw-{args.id}")
        figures = draw_experiment(store.load_experiment(args.id), folder)
        for figure in figures:
            print(f"{figure.png}\n{figure.svg}")
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.version:
            from descentlab import __version__

            print(f"descentlab {__version__}")
            return 0
        if args.command is None:
            parser.print_help()
            return 2
        if args.command in ("check", "cases", "train"):
            return args.run(args)
        handlers = {
            "list": lambda: _cmd_list(),
            "run": lambda: _cmd_run(args),
            "tour": lambda: _cmd_tour(args),
            "runs": lambda: _cmd_runs(args),
        }
        return handlers[args.command]()
    except (InputError, FileNotFoundError) as error:
        print(f"descentlab: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("descentlab: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # last resort: one line, never a traceback
        print(
            f"descentlab: unexpected error: {type(error).__name__}: {error} "
            f"(a bug in descentlab: please report it with the command that caused it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
