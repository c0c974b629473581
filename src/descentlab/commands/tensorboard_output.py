"""``--tensorboard DIR`` of ``runs export`` and ``train``: runs as TensorBoard event files.

The event files themselves are :mod:`descentlab.tensorboard_events`; this module decides what goes
in them and where (NOTE [tensorboard folders]): ``runs export ID… --tensorboard DIR`` writes
``DIR/run-ID-EXPERIMENT/`` (the run's own metrics, settings and figures) with one subfolder per
trial (its metrics and settings); ``train --tensorboard DIR`` writes ``DIR/train-TIME/`` while it
trains. View them with ``tensorboard --logdir DIR``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["FLAG", "LiveTrainEvents", "export_runs", "open_logdir"]

FLAG = "--tensorboard"


def open_logdir(path: str | Path) -> Path:
    """The log directory, created or reused under NOTE [ownership]."""
    from descentlab.lifecycle.output_folder import prepare_output

    return prepare_output(path, name=FLAG)


def _pngs(figures: Iterable[Any]) -> list[tuple[str, bytes]]:
    """``(tag, PNG bytes)`` of figures given as ``FigureFile`` or its JSON form."""
    pngs = []
    for figure in figures:
        name = figure["name"] if isinstance(figure, dict) else figure.name
        png = Path(figure["png"] if isinstance(figure, dict) else figure.png)
        pngs.append((f"figures/{name}", png.read_bytes()))
    return pngs


def _stored_figures(stored: Any) -> list[tuple[str, bytes]]:
    """The run's figures redrawn from the store; none for a run that cannot be drawn."""
    from descentlab.plots import DRAWERS, draw_experiment

    if stored.run.experiment not in DRAWERS or stored.run.status not in ("finished", "diverged"):
        return []
    with tempfile.TemporaryDirectory(prefix="descentlab-figures-") as scratch:
        return _pngs(draw_experiment(stored, scratch))


def _export_one(store: Any, run_id: int, root: Path) -> Path:
    from descentlab.tensorboard_events import publish_run_folder, run_folder_name, taken, write_run

    stored = store.load_experiment(run_id)
    run = stored.run
    final = root / run_folder_name("run", run.id, run.experiment)
    if final.exists():
        raise taken(final, FLAG)
    staged = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=root))
    try:
        write_run(
            staged,
            metrics=stored.metrics.get(run.id, {}),
            hparams={"run_id": run.id, "experiment": run.experiment, "seed": run.seed} | run.config,
            status=run.status,
            figures=_stored_figures(stored),
            group=str(run.id),
        )
        for trial in stored.trials:
            folder = staged / run_folder_name(trial.id, trial.label)
            folder.mkdir()
            write_run(
                folder,
                metrics=stored.metrics.get(trial.id, {}),
                hparams={"run_id": run.id, "trial_id": trial.id, "label": trial.label}
                | run.config
                | trial.config,
                status=trial.status,
                group=f"{run.id}/{trial.id}",
            )
        return publish_run_folder(staged, final)
    finally:
        shutil.rmtree(staged, ignore_errors=True)  # gone already when it was published


def export_runs(store: Any, run_ids: Iterable[int], logdir: str | Path) -> list[Path]:
    """Each run (with its trials) as a new folder of event files under ``logdir``; unknown ids
    are refused before anything is written."""
    run_ids = list(dict.fromkeys(run_ids))
    for run_id in run_ids:
        store.get_run(run_id)
    root = open_logdir(logdir)
    return [_export_one(store, run_id, root) for run_id in run_ids]


class LiveTrainEvents:
    """``train --tensorboard``: a ``fit`` callback writing each epoch's metrics at step
    ``epoch - 1`` (the store's step), then the figures and the status at :meth:`finish`."""

    def __init__(self, logdir: str | Path, config: dict[str, Any]) -> None:
        from descentlab.tensorboard_events import LiveRun, new_run_folder

        root = open_logdir(logdir)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = None
        for attempt in range(100):
            name = f"train-{stamp}" if attempt == 0 else f"train-{stamp}-{attempt}"
            if not (root / name).exists():
                folder = new_run_folder(root, name)
                break
        if folder is None:
            folder = new_run_folder(root, f"train-{stamp}")  # refuses, naming it
        self.run = LiveRun(folder, config)
        self.folder = folder

    def __call__(self, event: Any) -> None:
        if event.kind == "epoch":
            self.run.epoch(event.epoch - 1, event.metrics)

    def finish(self, report: Any) -> None:
        self.run.finish(report.status, _pngs(report.figures), history=report.results.get("history"))

    def close(self) -> None:
        self.run.close()
