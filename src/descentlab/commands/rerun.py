"""``descentlab rerun ID`` and ``descentlab run --config FILE``: repeat a stored run.

The run repeated (:class:`~descentlab.lifecycle.rerun.Original`) is an experiment or a training
run; this module is where the two meet, so that ``experiments`` and ``train`` never import each
other. The repeat is a new run in the store, linked to the original (NOTE [rerun link]); its
results are compared with the original's bit for bit (NOTE [measured, not computed]), with a
warning when the library versions or the device differ from the original's.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from descentlab.lifecycle.rerun import (
    LINK_KEY,
    Comparison,
    Original,
    check_data_file,
    compare_runs,
    original_from_file,
    original_from_store,
    provenance_warnings,
    stored_metrics,
)
from descentlab.lifecycle.run_lifecycle import STORE_NAME, StageHook
from descentlab.validation import InputValueError

__all__ = ["RerunOutcome", "add_parser", "config_command", "rerun", "rerun_command"]


def add_parser(subparsers: Any) -> None:
    """Add ``rerun`` (``run --config`` is an option of ``run``, :mod:`.run`)."""
    from descentlab.commands import DEFAULT_OUT
    from descentlab.commands.runs import run_id

    parser = subparsers.add_parser(
        "rerun", help="repeat a stored run and compare its results' bits"
    )
    parser.add_argument("id", type=run_id, help="a run id from `descentlab runs`")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--store", help="results store file (default OUT/runs.sqlite)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.set_defaults(handler=rerun_command)


@dataclass(frozen=True)
class RerunOutcome:
    """The new run (``report``: a ``RunReport`` or ``TrainReport``), the original, how their
    results compare, the config keys that differ and the provenance warnings."""

    report: Any
    run_id: int
    original: Original
    comparison: Comparison
    config_changes: list[str]
    warnings: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            **self.report.as_json(),
            "rerun": {
                "of": self.original.link(),
                **self.comparison.as_json(),
                "config_changes": self.config_changes,
                "warnings": self.warnings,
            },
        }


def _store_path(out: str | Path, store_path: str | Path | None) -> Path:
    return Path(store_path) if store_path else Path(out) / STORE_NAME


def _run_experiment(original: Original, out, store_path, on_stage) -> tuple[Any, int]:
    from descentlab.experiments.catalog import CATALOG
    from descentlab.validation import check_choice

    check_choice("experiment", original.experiment, (*CATALOG, "train"))
    from descentlab.experiments.runner import overrides_from_config, resolve_config, run_experiment
    from descentlab.memory_estimates import check_memory, experiment_bytes, memory_limit

    overrides, described = overrides_from_config(original.experiment, original.config)
    check_data_file(described, original.origin)  # before the folder is claimed
    check_memory(
        resolve_config(original.experiment, overrides),
        lambda config: experiment_bytes(original.experiment, config),
        memory_limit(),
    )
    report = run_experiment(
        original.experiment,
        out=out,
        overrides=overrides,
        store_path=store_path,
        on_stage=on_stage,
        rerun_of=original.link(),
        expect_dataset=described if isinstance(described, dict) else None,
    )
    return report, report.run_ids[0]


def _run_training(original: Original, out, store_path, on_stage) -> tuple[Any, int]:
    from descentlab.memory_estimates import check_memory, memory_limit, training_bytes
    from descentlab.train.checkpoint import check_checkpoint_path
    from descentlab.train.session import CHECKPOINT, FOLDER, config_from_written, run_training

    config, described = config_from_written(original.config)
    check_data_file(described, original.origin)
    check_memory(config, training_bytes, memory_limit())
    check_checkpoint_path(Path(out) / FOLDER / CHECKPOINT)
    report = run_training(
        config, out=out, store_path=store_path, on_stage=on_stage, rerun_of=original.link()
    )
    return report, report.run_id


def _config_changes(original: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The keys whose stored values differ, leaving out the link and the written run id."""
    skip = {LINK_KEY, "run_id"}
    keys = (set(original) | set(new)) - skip
    return sorted(k for k in keys if original.get(k) != new.get(k))


def rerun(
    original: Original,
    *,
    out: str | Path,
    store_path: str | Path | None = None,
    on_stage: StageHook | None = None,
) -> RerunOutcome:
    """Repeat ``original`` as a new run and compare its stored results with the original's."""
    run = _run_training if original.experiment == "train" else _run_experiment
    report, run_id = run(original, out, store_path, on_stage)
    from descentlab.store import ResultsStore

    with ResultsStore.open_readonly(_store_path(out, store_path)) as store:
        new = store.get_run(run_id)
        metrics = stored_metrics(store, run_id) if original.metrics is not None else None
    before, after = None, {"results": new.results}
    if original.results is not None:
        before = {"results": original.results}
        if original.metrics is not None:
            before["metrics"] = original.metrics
            after["metrics"] = metrics
    return RerunOutcome(
        report=report,
        run_id=run_id,
        original=original,
        comparison=compare_runs(before, after),
        config_changes=_config_changes(original.config, new.config),
        warnings=provenance_warnings(original, new.versions, new.device),
    )


def _print(outcome: RerunOutcome, as_json: bool) -> int:
    report = outcome.report
    for line in (*getattr(report, "notices", ()), *getattr(report, "messages", ())):
        print(f"descentlab: {line}", file=sys.stderr)
    if getattr(report, "message", None):
        print(f"descentlab: {report.message}", file=sys.stderr)
    for warning in outcome.warnings:
        print(f"descentlab: warning: {warning}", file=sys.stderr)
    if as_json:
        print(json.dumps(outcome.as_json(), allow_nan=False))
        return 0
    origin = outcome.original.origin
    status = report.status
    print(f"{outcome.original.experiment} (run {outcome.run_id}, {status}): rerun of {origin}")
    print(outcome.comparison.sentence(origin))
    if outcome.config_changes:
        print(f"config differs from {origin}'s in: {', '.join(outcome.config_changes)}")
    print(f"figures, config and results in {report.folder}")
    return 0


def rerun_command(args: argparse.Namespace) -> int:
    """``descentlab rerun ID [--out OUT] [--store FILE] [--json]``."""
    store_path = _store_path(args.out, args.store)
    original = original_from_store(store_path, args.id)
    outcome = rerun(
        original, out=args.out, store_path=args.store, on_stage=getattr(args, "on_stage", None)
    )
    return _print(outcome, args.json)


def config_command(args: argparse.Namespace) -> int:
    """``descentlab run [EXPERIMENT] --config FILE``: the settings come from the file alone."""
    from descentlab.experiments.catalog import CATALOG

    given = [
        flag
        for flag, value in (
            ("--set", args.set),
            ("--seed", args.seed),
            ("--backend", args.backend),
            ("--data", args.data),
            ("--target", args.target),
            ("--features", args.features),
        )
        if value not in (None, [], "")
    ]
    if given:
        raise InputValueError(
            f"--config must come without other settings (it reproduces a run), got --config "
            f"with {', '.join(given)}"
        )
    store_path = _store_path(args.out, args.store)
    original = original_from_file(args.config, args.experiment, store_path, (*CATALOG, "train"))
    outcome = rerun(
        original, out=args.out, store_path=args.store, on_stage=getattr(args, "on_stage", None)
    )
    return _print(outcome, args.json)
