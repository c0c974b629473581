"""``descentlab tour``: every registered experiment on its default data, and an index page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from descentlab.experiments import EXPERIMENTS
from descentlab.experiments.runner import RunReport, run_experiment
from descentlab.lifecycle.output_folder import prepare_output
from descentlab.lifecycle.run_lifecycle import StageHook
from descentlab.report import write_index

__all__ = ["TourReport", "run_tour"]


@dataclass(frozen=True)
class TourReport:
    index: Path
    reports: list[RunReport]


def run_tour(
    out: str | Path,
    *,
    seed: int = 0,
    store_path: str | Path | None = None,
    on_stage: StageHook | None = None,
    on_experiment: Callable[[int, int, str], None] | None = None,
) -> TourReport:
    """Run every experiment with its defaults (and ``seed``) into ``out`` and write index.html.

    ``on_experiment(done, total, name)`` is called before each experiment starts (the CLI's
    progress display: experiment ``done + 1`` of ``total``)."""
    root = prepare_output(out)
    reports, sections = [], []
    for done, (name, experiment) in enumerate(EXPERIMENTS.items()):
        if on_experiment is not None:
            on_experiment(done, len(EXPERIMENTS), name)
        report = run_experiment(
            name, out=root, overrides={"seed": seed}, store_path=store_path, on_stage=on_stage
        )
        reports.append(report)
        sections.append(
            {
                "experiment": name,
                "spec": experiment.spec,
                "summary": experiment.summary,
                "status": report.status,
                "run_id": report.run_ids[0],
                "folder": report.folder,
                "figures": report.figures,
            }
        )
    index = write_index(root, sections, title="descentlab tour")
    return TourReport(index, reports)
