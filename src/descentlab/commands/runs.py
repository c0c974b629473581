"""``descentlab runs [show|export|plot]``: the stored runs, read from the results store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from descentlab.commands import DEFAULT_OUT
from descentlab.validation import InputValueError

__all__ = ["add_parser", "run_id", "run_runs"]

_ORPHAN_NOTE = "* its process is gone; the next run into this store records it as interrupted"


def add_parser(subparsers: Any) -> None:
    """Add ``runs`` and its subcommands ``show``, ``export`` and ``plot``."""
    from descentlab.store.export import FORMATS

    runs = subparsers.add_parser("runs", help="list, show, export or redraw stored runs")
    runs.add_argument("--out", default=DEFAULT_OUT, help="output folder holding runs.sqlite")
    runs.add_argument("--store", help="results store file (default OUT/runs.sqlite)")
    runs.set_defaults(handler=run_runs)
    runs_sub = runs.add_subparsers(dest="runs_command")
    show = runs_sub.add_parser("show", help="show one run with its trials")
    show.add_argument("id", type=run_id)
    show.add_argument("--json", action="store_true", help="print the run as JSON")
    export = runs_sub.add_parser("export", help="export a run's metrics (or runs to TensorBoard)")
    export.add_argument("id", type=run_id, nargs="+", help="run id (several with --tensorboard)")
    export.add_argument(
        "--tensorboard", metavar="DIR", help="write TensorBoard event files into DIR/run-ID-…/"
    )
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("--output", help="file to write (default OUT/run-ID.FORMAT)")
    plot = runs_sub.add_parser("plot", help="redraw a run's figures from the store")
    plot.add_argument("id", type=run_id)
    plot.add_argument("--to", help="folder for the figures (default OUT/redraw-ID)")
    for command in (show, export, plot):  # also accepted after the subcommand
        command.add_argument("--out", default=argparse.SUPPRESS, help="as for `runs --out`")
        command.add_argument("--store", default=argparse.SUPPRESS, help="as for `runs --store`")


def run_id(text: str) -> int:
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


def run_runs(args: argparse.Namespace) -> int:
    """List the runs, or run the subcommand on one of them."""
    with _open_store(args) as store:
        if args.runs_command is None:
            return _list(store)
        if args.runs_command == "show":
            return _show(store, args)
        if args.runs_command == "export":
            return _export(store, args)
        return _redraw(store, args)


def _list(store) -> int:
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


def _show(store, args: argparse.Namespace) -> int:
    from descentlab.store.jsonsafe import dumps

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


def _export(store, args: argparse.Namespace) -> int:
    """``runs export``: a new file, written whole (NOTE [atomic files]) and never over another."""
    from descentlab.atomic_files import publish_new
    from descentlab.store import export_run

    if args.tensorboard is not None:
        from descentlab.commands.tensorboard_output import export_runs

        if args.output:
            raise InputValueError(
                f"--output must not come with --tensorboard, got --output {args.output!r}"
            )
        for folder in export_runs(store, args.id, args.tensorboard):
            print(f"wrote {folder}")
        return 0
    if len(args.id) > 1:
        raise InputValueError(
            f"id must be one run for a --format file, got {len(args.id)} (use --tensorboard DIR)"
        )
    only = args.id[0]
    flag = "--output" if args.output else "--out"
    target = Path(args.output or Path(args.out) / f"run-{only}.{args.format}")
    store.get_run(only)  # an unknown id is refused before anything is written
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
        lambda staged: rows.append(export_run(store, only, staged, args.format)),
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
