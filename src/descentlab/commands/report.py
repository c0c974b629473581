"""``descentlab report``: the offline interactive HTML report of stored runs (NOTE [offline
report] in ``descentlab.report.interactive_report``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from descentlab.commands import DEFAULT_OUT
from descentlab.commands.runs import run_id

__all__ = ["add_parser", "run_report"]


def add_parser(subparsers: Any) -> None:
    """Add ``report [--store PATH] [--out DIR] [IDS... | --experiment NAME | --all]``."""
    report = subparsers.add_parser(
        "report",
        help="write an offline interactive HTML report of stored runs",
        description="Write an offline interactive HTML report (index.html, report.js, "
        "plotly.min.js) of runs in the results store: the given ids, one experiment's runs, "
        "one sweep, or every run (with every sweep's views).",
    )
    report.add_argument("ids", nargs="*", type=run_id, metavar="ID", help="runs to show")
    choice = report.add_mutually_exclusive_group()
    choice.add_argument("--experiment", help="show every run of this experiment")
    choice.add_argument("--all", action="store_true", help="show every run (the default)")
    choice.add_argument(
        "--sweep", type=run_id, metavar="ID", help="show one sweep: its views and its trials"
    )
    report.add_argument("--store", help=f"results store file (default {DEFAULT_OUT}/runs.sqlite)")
    report.add_argument("--out", help=f"report folder (default {DEFAULT_OUT}/report)")
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Build the report into a folder descentlab owns (NOTE [ownership]), claimed while it is
    written (NOTE [folder claim]); the store is only read (NOTE [read-only store])."""
    from descentlab.experiments.catalog import CATALOG
    from descentlab.lifecycle.output_folder import claim_folder, prepare_output
    from descentlab.report.interactive_report import build_report, select_runs
    from descentlab.store import ResultsStore
    from descentlab.validation import InputValueError

    if args.ids and (args.experiment or args.all or args.sweep is not None):
        other = "--experiment" if args.experiment else "--all" if args.all else "--sweep"
        raise InputValueError(f"runs must be chosen one way, got ids {args.ids} and {other}")
    store_path = Path(args.store) if args.store else Path(DEFAULT_OUT) / "runs.sqlite"
    if not store_path.is_file():
        raise InputValueError(
            f"store must be an existing results file, got {str(store_path)!r} "
            "(run an experiment first)"
        )
    descriptions = {name: (entry.spec, entry.summary) for name, entry in CATALOG.items()}
    flag = "--out" if args.out else "the default --out"
    with ResultsStore.open_readonly(store_path) as store:
        # the runs are chosen before the folder is touched: a bad id leaves nothing behind
        sweeps = None
        if args.sweep is not None:
            from descentlab.report.sweep_views import read_sweeps, sweep_view

            sweeps = [sweep_view(found) for found in read_sweeps(store_path, only=args.sweep)]
            runs = store.sweep_runs(args.sweep)
            if not runs:
                raise InputValueError(f"--sweep must name a sweep with runs, got {args.sweep}")
        else:
            runs = select_runs(store, ids=args.ids, experiment=args.experiment)
        folder = prepare_output(args.out or store_path.parent / "report", name=flag)
        with claim_folder(folder, name=flag) as claim:
            with claim.recording():
                index = build_report(store, folder, runs, descriptions=descriptions, sweeps=sweeps)
            claim.finish()
    print(index)
    return 0
