"""``descentlab tour``: every registered experiment on its default data, and the interactive
report of their runs as its index page (NOTE [offline report])."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from descentlab.experiments import EXPERIMENTS
from descentlab.experiments.runner import STORE_NAME, RunReport, run_experiment
from descentlab.lifecycle.output_folder import prepare_output
from descentlab.lifecycle.run_lifecycle import StageHook
from descentlab.report.interactive_report import build_report
from descentlab.store import ResultsStore

__all__ = ["TOUR_SETTINGS", "TourReport", "run_tour"]

TOUR_SETTINGS: dict[str, dict[str, str]] = {
    "keras-dense": {"n_samples": "2000", "epochs": "3", "updates": "30", "n_seeds": "2"},
}
"""Settings the tour gives an experiment whose defaults take minutes (each stored in the run's
config, so ``rerun`` repeats the tour's run); the rest run with their defaults."""


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
    """Run every experiment with its defaults (and ``seed``) into ``out``; the interactive
    report of those runs becomes ``out/index.html``, every figure linked with its caption.

    ``on_experiment(done, total, name)`` is called before each experiment starts (the CLI's
    progress display: experiment ``done + 1`` of ``total``)."""
    root = prepare_output(out)
    reports = []
    for done, name in enumerate(EXPERIMENTS):
        if on_experiment is not None:
            on_experiment(done, len(EXPERIMENTS), name)
        reports.append(
            run_experiment(
                name,
                out=root,
                overrides={**TOUR_SETTINGS.get(name, {}), "seed": seed},
                store_path=store_path,
                on_stage=on_stage,
            )
        )
    descriptions = {name: (e.spec, e.summary) for name, e in EXPERIMENTS.items()}
    figures = {report.run_ids[0]: report.figures for report in reports}
    with ResultsStore.open_readonly(store_path or root / STORE_NAME) as store:
        runs = [store.get_run(report.run_ids[0]) for report in reports]
        index = build_report(
            store, root, runs, title="descentlab tour", figures=figures, descriptions=descriptions
        )
    return TourReport(index, reports)
