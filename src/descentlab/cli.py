"""The ``descentlab`` command: argument parsing and mapping errors to exit codes, nothing else.

Exit codes: 0 success, 2 bad input (one line on stderr, never a traceback), 1 an unexpected error
(also one line, with a bug-report hint: NOTE [input errors] in ``validation``), 130 interrupted by
SIGINT, 143 by SIGTERM (NOTE [interrupts] in ``lifecycle.signals``: the handlers are installed
here, and only here).
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
    run.add_argument("experiment", nargs="?", help="an experiment name from `descentlab list`")
    run.add_argument(
        "--config", help="repeat the run a config.json describes (OUT/EXPERIMENT/config.json)"
    )
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

    rerun = sub.add_parser("rerun", help="repeat a stored run and compare its results' bits")
    rerun.add_argument("id", type=_run_id, help="a run id from `descentlab runs`")
    rerun.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    rerun.add_argument("--store", help="results store file (default OUT/runs.sqlite)")
    rerun.add_argument("--json", action="store_true", help="print one JSON object on stdout")

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
    show.add_argument("id", type=_run_id)
    show.add_argument("--json", action="store_true", help="print the run as JSON")
    export = runs_sub.add_parser("export", help="export a run's metrics")
    export.add_argument("id", type=_run_id)
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("--output", help="file to write (default OUT/run-ID.FORMAT)")
    plot = runs_sub.add_parser("plot", help="redraw a run's figures from the store")
    plot.add_argument("id", type=_run_id)
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

    if args.config is not None:
        from descentlab.commands.rerun import config_command

        args.on_stage = _stage_hook()
        return config_command(args)
    if args.experiment is None:
        raise InputValueError("experiment must be named (see descentlab list), got none")

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
        args.experiment,
        out=args.out,
        overrides=overrides,
        store_path=args.store,
        on_stage=_stage_hook(),
    )
    for message in report.messages:
        print(f"descentlab: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(), allow_nan=False))
    else:
        print(_summary_line(report))
        print(f"figures, config and results in {report.folder}")
    return 0


def _rerun(args: argparse.Namespace) -> int:
    from descentlab.commands.rerun import rerun_command

    args.on_stage = _stage_hook()
    return rerun_command(args)


def _cmd_tour(args: argparse.Namespace) -> int:
    from descentlab.experiments.tour import run_tour

    tour = run_tour(args.out, seed=args.seed, store_path=args.store, on_stage=_stage_hook())
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
    """The store of ``runs`` and its subcommands, opened read-only (NOTE [read-only store])."""
    from descentlab.store import ResultsStore

    path = Path(args.store) if args.store else Path(args.out) / "runs.sqlite"
    if not path.is_file():
        raise InputValueError(
            f"store must be an existing results file, got {str(path)!r} (run an experiment first)"
        )
    return ResultsStore.open_readonly(path)


def _liveness(store, run) -> str:
    """The stored status; a read-only open cannot mark a run whose process is gone, so flag it."""
    return "interrupted*" if store.is_orphan(run) else run.status


_ORPHAN_NOTE = "* its process is gone; the next run into this store records it as interrupted"


def _run_id(text: str) -> int:
    """argparse ``type`` of a run id: refused with the parser's one line and exit 2."""
    from descentlab.store.ids import ID_LIMIT

    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < ID_LIMIT:
        raise argparse.ArgumentTypeError(
            f"run id must be a positive integer below 2**63, got {text!r}"
        )
    return value


def _cmd_runs(args: argparse.Namespace) -> int:
    from descentlab.store.jsonsafe import dumps

    with _open_store(args) as store:
        if args.runs_command is None:
            runs = store.list_runs()
            print(f"{'id':>4}  {'experiment':<16} {'status':<12} {'seed':>4}  started")
            shown = [_liveness(store, run) for run in runs]
            for run, status in zip(runs, shown, strict=True):
                print(
                    f"{run.id:>4}  {run.experiment:<16} {status:<12} "
                    f"{run.seed if run.seed is not None else '-':>4}  {run.started_at}"
                )
            if not runs:
                print("(no runs yet)")
            if "interrupted*" in shown:
                print(_ORPHAN_NOTE)
            return 0
        if args.runs_command == "show":
            run = store.get_run(args.id)
            trials = store.children(run.id)
            if args.json:
                payload = {"run": run.__dict__, "trials": [t.__dict__ for t in trials]}
                print(dumps(payload))
                return 0
            print(f"run {run.id}: {run.experiment} [{_liveness(store, run)}] seed {run.seed}")
            print(f"  started {run.started_at}, ended {run.ended_at or '-'}, device {run.device}")
            if run.message:
                print(f"  message: {run.message}")
            if store.is_orphan(run):
                print(f"  {_ORPHAN_NOTE} (process {run.pid})")
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
            return _export(store, args)
        return _redraw(store, args)


def _export(store, args: argparse.Namespace) -> int:
    """``runs export``: a new file, written whole (NOTE [atomic files]) and never over another."""
    from descentlab.lifecycle.atomic_files import publish_new
    from descentlab.store import export_run

    flag = "--output" if args.output else "--out"
    target = Path(args.output or Path(args.out) / f"run-{args.id}.{args.format}")
    store.get_run(args.id)  # an unknown id is refused before anything is written
    try:
        if target.is_dir():
            raise InputValueError(f"{flag} must name a file, got the folder {str(target)!r}")
        if target.exists():
            raise InputValueError(
                f"{flag} must not exist yet (nothing is overwritten), got {str(target)!r}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputValueError(
            f"{flag} must be a writable path, got {str(target)!r} ({error.strerror or error})"
        ) from None
    rows = []
    publish_new(
        target,
        lambda staged: rows.append(export_run(store, args.id, staged, args.format)),
        name=flag,
    )
    print(f"wrote {rows[0]} rows to {target}")
    return 0


def _redraw(store, args: argparse.Namespace) -> int:
    """``runs plot``: the figures into a folder descentlab owns (NOTE [ownership]), held while
    they are drawn (NOTE [folder claim]) and each written atomically."""
    from descentlab.lifecycle.output_folder import claim_folder, prepare_output
    from descentlab.plots import draw_experiment

    flag = "--to" if args.to else "--out"
    stored = store.load_experiment(args.id)
    folder = prepare_output(args.to or Path(args.out) / f"redraw-{args.id}", name=flag)
    with claim_folder(folder, name=flag) as claim:
        claim.set_run(stored.run.id, stored.run.experiment)
        with claim.recording():
            figures = draw_experiment(stored, folder)
        claim.finish()
    for figure in figures:
        print(f"{figure.png}\n{figure.svg}")
    return 0


def _stage_hook():
    """A test-only pause at one stage of a run: ``DESCENTLAB_TEST_PAUSE=STAGE:SECONDS`` prints
    ``descentlab-test-stage: STAGE`` on stderr and sleeps, so a test can signal a run at a known
    point (stages in ``lifecycle.run_lifecycle``). Read here, in the CLI, and nowhere else."""
    setting = os.environ.get("DESCENTLAB_TEST_PAUSE", "")
    if ":" not in setting:
        return None
    wanted, _, seconds = setting.partition(":")

    def pause(stage: str) -> None:
        if stage == wanted:
            import time

            print(f"descentlab-test-stage: {stage}", file=sys.stderr, flush=True)
            time.sleep(float(seconds))

    return pause


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    from descentlab.lifecycle import signals

    signals.install()
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
            args.on_stage = _stage_hook()
            return args.run(args)
        handlers = {
            "list": lambda: _cmd_list(),
            "run": lambda: _cmd_run(args),
            "tour": lambda: _cmd_tour(args),
            "runs": lambda: _cmd_runs(args),
            "rerun": lambda: _rerun(args),
        }
        return handlers[args.command]()
    except (InputError, FileNotFoundError) as error:
        print(f"descentlab: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as error:
        stop = error if isinstance(error, signals.Interrupted) else signals.Interrupted()
        print(f"descentlab: {stop}", file=sys.stderr)
        return stop.exit_code
    except Exception as error:  # last resort: one line, never a traceback
        print(
            f"descentlab: unexpected error: {type(error).__name__}: {error} "
            f"(a bug in descentlab: please report it with the command that caused it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
