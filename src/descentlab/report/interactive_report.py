"""The offline interactive report: which runs, what of them the page shows, and its files.

NOTE [offline report]: a report is a folder of three files and nothing else is fetched when it
is opened: ``index.html`` (the skeleton, the styles and every number, embedded as strict JSON:
NOTE [non-finite in JSON]), ``report.js`` (the page's own script: runs table, controls,
animation) and ``plotly.min.js`` (plotly's library, copied once from the installed package,
not a CDN and not inlined per figure). The static PNG/SVG figures stay where the runs wrote
them and are linked by relative paths. Everything is written through ``atomic_files``; the
caller owns the folder (the command claims it, the tour writes into its own output).
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from descentlab.atomic_files import write_bytes, write_text
from descentlab.report.run_views import experiment_views, train_group_views, trial_params
from descentlab.report.sweep_views import sweep_figures
from descentlab.store.jsonsafe import dumps
from descentlab.store.records import StoredRun
from descentlab.store.sqlite import ResultsStore
from descentlab.validation import InputValueError

__all__ = [
    "PAGE_FILES",
    "build_report",
    "figures_in_folders",
    "report_data",
    "select_runs",
    "write_report",
]

PAGE_FILES = ("index.html", "report.js", "plotly.min.js")
#: Up to this many sections, all are open (and drawn) when the page loads; of more, only the
#: first ``OPEN_FEW``, so a large report is interactive at once. The others are drawn when opened.
OPEN_SECTIONS = 16
OPEN_FEW = 3
_RUN_SKIP = ("dataset", "dataset_description", "scaling", "starts", "classes", "rerun_of")


def select_runs(
    store: ResultsStore,
    *,
    ids: Sequence[int] = (),
    experiment: str | None = None,
) -> list[StoredRun]:
    """The top-level runs a report shows: the given ids (a trial's id means its run), the runs
    of one experiment, or (neither given) every run; an unknown id or experiment is refused."""
    if ids and experiment is not None:
        raise InputValueError(f"runs must be chosen by ids or by experiment, got both: {ids}")
    if ids:
        chosen: dict[int, StoredRun] = {}
        for run_id in ids:
            run = store.get_run(run_id)
            if run.parent_id is not None:
                run = store.get_run(run.parent_id)
            chosen.setdefault(run.id, run)
        return list(chosen.values())
    runs = store.list_runs()
    if experiment is not None:
        runs = [run for run in runs if run.experiment == experiment]
        if not runs:
            known = sorted({run.experiment for run in store.list_runs()})
            raise InputValueError(
                f"experiment must have runs in {store.path}, got {experiment!r} "
                f"(stored: {', '.join(known) or 'none'})"
            )
    return runs


def figures_in_folders(store_path: Path, runs: Iterable[StoredRun]) -> dict[int, list[dict]]:
    """The static figures each run left beside the store (``STORE_DIR/<experiment>/``), found
    through the folder's manifest (NOTE [run manifest]); a folder now holding another run's
    files gives none."""
    found: dict[int, list[dict]] = {}
    for run in runs:
        folder = store_path.parent / run.experiment
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(manifest, dict) or manifest.get("run_id") != run.id:
            continue
        files = [f for f in manifest.get("files", []) if isinstance(f, str)]
        found[run.id] = [
            {
                "caption": Path(name).stem.replace("_", " "),
                "png": str(folder / name),
                "svg": str(folder / name[: -len(".png")]) + ".svg",
            }
            for name in sorted(files)
            if name.endswith(".png")
        ]
    return found


def _row(run: StoredRun, trials: int) -> dict[str, Any]:
    return {
        "id": run.id,
        "experiment": run.experiment,
        "label": run.label,
        "status": run.status,
        "seed": run.seed,
        "started": run.started_at,
        "trials": trials,
        "params": trial_params(run.config, skip=_RUN_SKIP),
        "message": run.message,
    }


def report_data(
    store: ResultsStore,
    runs: Sequence[StoredRun],
    *,
    figures: Mapping[int, Sequence[Mapping[str, str]]] | None = None,
    descriptions: Mapping[str, tuple[str, str]] | None = None,
    sweeps: list[dict] | None = None,
) -> dict[str, Any]:
    """Everything the page shows, as plain data (NOTE [report data]): the runs table, one
    section per experiment run (``train`` runs together in one), and the sweeps' views.
    ``descriptions`` maps an experiment to its SPEC section and summary."""
    figures = figures or {}
    descriptions = descriptions or {}
    rows, sections = [], []
    train_runs = [run for run in runs if run.experiment == "train"]
    for run in runs:
        if run.experiment == "train":
            rows.append(_row(run, 0) | {"section": "train"})
            continue
        stored = store.load_experiment(run.id)
        spec, summary = descriptions.get(run.experiment, ("", ""))
        section_id = f"run-{run.id}"
        rows.append(_row(run, len(stored.trials)) | {"section": section_id})
        sections.append(
            {
                "id": section_id,
                "title": f"{run.experiment} — run {run.id}",
                "experiment": run.experiment,
                "spec": spec,
                "summary": summary,
                "status": run.status,
                "message": run.message,
                "figures": list(figures.get(run.id, [])),
                **experiment_views(stored),
            }
        )
    if train_runs:
        spec, summary = descriptions.get("train", ("§2.5, §5", "Training runs side by side."))
        sections.append(
            {
                "id": "train",
                "title": f"train — {len(train_runs)} run{'s' * (len(train_runs) != 1)}",
                "experiment": "train",
                "spec": spec,
                "summary": summary,
                "status": "",
                "message": None,
                "figures": [f for run in train_runs for f in figures.get(run.id, [])],
                **train_group_views(train_runs, lambda run: store.metrics(run.id)),
            }
        )
    return {
        "runs": rows,
        "sections": sections,
        "sweeps": sweep_figures(store.path) if sweeps is None else sweeps,
        "open_sections": len(sections) if len(sections) <= OPEN_SECTIONS else OPEN_FEW,
    }


def _relative_figures(sections: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    return [
        section
        | {
            "figures": [
                {
                    "caption": figure["caption"],
                    "png": os.path.relpath(figure["png"], folder),
                    "svg": os.path.relpath(figure["svg"], folder),
                }
                for figure in section["figures"]
            ]
        }
        for section in sections
    ]


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 1em 3em;
       color: #222; }
header { border-bottom: 1px solid #ddd; margin-bottom: 1em; }
nav a { margin-right: 1em; }
.meta { color: #666; font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; font-size: 0.88em; }
th, td { border-bottom: 1px solid #eee; padding: 0.25em 0.5em; text-align: left;
         vertical-align: top; }
th { cursor: pointer; user-select: none; background: #f6f6f6; position: sticky; top: 0; }
th[data-order="asc"]::after { content: " ▲"; } th[data-order="desc"]::after { content: " ▼"; }
td.params { font-family: ui-monospace, monospace; font-size: 0.9em; color: #444; }
.status-diverged { color: #b00; } .status-failed, .status-interrupted { color: #a60; }
.table-wrap { max-height: 28em; overflow: auto; border: 1px solid #ddd; }
.controls { display: flex; flex-wrap: wrap; gap: 0.6em 1.2em; align-items: center;
            margin: 0.6em 0; font-size: 0.9em; }
.toggles { display: flex; flex-wrap: wrap; gap: 0.2em 0.9em; font-size: 0.85em; }
details.section { border-top: 1px solid #ddd; margin: 1.2em 0; padding-top: 0.6em; }
details.section > summary { font-size: 1.2em; font-weight: 600; cursor: pointer; }
.plot { width: 100%; height: 420px; }
.view { margin: 1em 0 2em; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
.figures figure { margin: 0; width: 260px; font-size: 0.8em; }
.figures img { width: 100%; border: 1px solid #eee; }
"""


def _page(data: dict[str, Any], title: str) -> str:
    # NOTE [offline report]: strict JSON (no NaN/Infinity), and no "<" that could end the
    # script element early: JSON allows the escape \\u003c for it.
    embedded = dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
            f"<header><h1>{html.escape(title)}</h1>",
            '<nav><a href="#runs">Runs</a><a href="#experiments">Experiments</a>'
            '<a href="#sweeps">Sweeps</a></nav>',
            '<p class="meta" id="summary"></p></header>',
            "<noscript>The report draws with JavaScript; the static figures are linked in each "
            "experiment's folder.</noscript>",
            '<section id="runs"><h2>Runs</h2><div class="controls" id="runs-controls"></div>'
            '<div class="table-wrap"><table id="runs-table"></table></div></section>',
            '<section id="experiments"><h2>Experiments</h2></section>',
            '<section id="sweeps"><h2>Sweeps</h2></section>',
            f'<script type="application/json" id="report-data">{embedded}</script>',
            '<script src="plotly.min.js"></script>',
            '<script src="report.js"></script>',
            "</body></html>",
            "",
        ]
    )


def write_report(folder: Path, data: dict[str, Any], *, title: str) -> Path:
    """Write the report's three files into ``folder`` (NOTE [offline report]); returns the
    path of ``index.html``."""
    folder = Path(folder)
    data = data | {"sections": _relative_figures(data["sections"], folder)}
    plotly_js = resources.files("plotly") / "package_data" / "plotly.min.js"
    script = resources.files("descentlab.report") / "assets" / "report.js"
    write_bytes(folder / "plotly.min.js", plotly_js.read_bytes())
    write_bytes(folder / "report.js", script.read_bytes())
    return write_text(folder / "index.html", _page(data, title))


def build_report(
    store: ResultsStore,
    folder: Path,
    runs: Sequence[StoredRun],
    *,
    title: str = "descentlab report",
    figures: Mapping[int, Sequence[Mapping[str, str]]] | None = None,
    descriptions: Mapping[str, tuple[str, str]] | None = None,
    sweeps: list[dict] | None = None,
) -> Path:
    """Gather what the page shows of ``runs`` (see :func:`select_runs`) and write it into
    ``folder``; the static figures are found beside the store unless given; ``sweeps`` (the
    views of :func:`~descentlab.report.sweep_views.sweep_figures`) default to every sweep of
    the store."""
    if figures is None:
        figures = figures_in_folders(store.path, runs)
    data = report_data(store, runs, figures=figures, descriptions=descriptions, sweeps=sweeps)
    return write_report(folder, data, title=title)
