"""``descentlab list``, ``descentlab run EXPERIMENT`` and ``descentlab tour``: the experiments."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from descentlab.commands import DEFAULT_OUT, print_report
from descentlab.validation import InputValueError

__all__ = ["add_parser", "run_list", "run_run", "run_tour"]


def add_parser(subparsers: Any) -> None:
    """Add ``list``, ``run`` and ``tour``."""
    from descentlab.linear import BACKENDS

    listing = subparsers.add_parser("list", help="list the experiments, one line each")
    listing.set_defaults(handler=run_list)

    run = subparsers.add_parser("run", help="run one experiment")
    run.add_argument("experiment", nargs="?", help="an experiment name from `descentlab list`")
    run.add_argument(
        "--config", help="repeat the run a config.json describes (OUT/EXPERIMENT/config.json)"
    )
    run.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    run.add_argument("--seed", type=int, help="seed of the initial weight and batch order")
    run.add_argument(
        "--backend",
        choices=BACKENDS,
        help="numpy (hand gradient), torch (autograd) or tf (tf.GradientTape)",
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
    run.set_defaults(handler=run_run)

    tour = subparsers.add_parser("tour", help="run every experiment and write OUT/index.html")
    tour.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    tour.add_argument("--seed", type=int, default=0, help="seed for every experiment")
    tour.add_argument("--store", help="results store file (default OUT/runs.sqlite)")
    tour.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    tour.set_defaults(handler=run_tour)


def run_list(args: argparse.Namespace) -> int:
    """One line an experiment: name, SPEC section, summary."""
    from descentlab.experiments.catalog import CATALOG  # NOTE [instant catalog]

    width = max(len(name) for name in CATALOG)
    for name, entry in CATALOG.items():
        print(f"{name:<{width}}  {entry.spec:<5} {entry.summary}")
    return 0


def _overrides(args: argparse.Namespace) -> dict:
    from descentlab.experiments.common_config import parse_assignments

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


def run_run(args: argparse.Namespace) -> int:
    """Run one experiment into ``OUT/<experiment>/`` and print its one-line summary."""
    from descentlab.experiments.catalog import CATALOG
    from descentlab.validation import check_choice

    if args.config is not None:
        from descentlab.commands.rerun import config_command

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
        on_stage=getattr(args, "on_stage", None),
    )
    return print_report(
        report,
        report.messages,
        as_json=args.json,
        summary=_summary_line(report),
        files="figures, config and results",
    )


def run_tour(args: argparse.Namespace) -> int:
    """Every experiment, then ``OUT/index.html``."""
    from descentlab.commands.progress_display import (
        CountedProgress,
        ProgressDisplay,
        progress_wanted,
    )
    from descentlab.experiments import EXPERIMENTS
    from descentlab.experiments.tour import run_tour as tour_all

    with ProgressDisplay(progress_wanted(args.json)) as display:  # NOTE [quiet progress]
        counted = CountedProgress(display, "experiment", len(EXPERIMENTS))
        tour = tour_all(
            args.out,
            seed=args.seed,
            store_path=args.store,
            on_stage=getattr(args, "on_stage", None),
            on_experiment=lambda done, _total, name: counted.start(name, done),
        )
        counted.finish()
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
