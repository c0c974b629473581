"""One ``descentlab run``: config → the run lifecycle (claim, store, run, store, files)."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from descentlab.experiments import get_experiment
from descentlab.experiments.common_config import apply_overrides, config_fields
from descentlab.lifecycle.run_lifecycle import STORE_NAME, RunLifecycle, StageHook
from descentlab.provenance import device_description, library_versions
from descentlab.store.jsonsafe import plain
from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = [
    "STORE_NAME",
    "RunReport",
    "overrides_from_config",
    "resolve_config",
    "run_devices",
    "run_experiment",
]

#: Keys of a written ``config.json`` that are not config fields: the data's description (checked
#: against the data a re-run builds) and the link of a re-run (NOTE [rerun link]).
_DESCRIBED = ("dataset", "rerun_of")


@dataclass(frozen=True)
class RunReport:
    """What one run left behind; ``as_json()`` is the ``--json`` payload."""

    experiment: str
    config: dict[str, Any]
    results: dict[str, Any]
    figures: list[dict[str, str]]
    run_ids: list[int]
    status: str
    messages: list[str]
    folder: Path

    def as_json(self) -> dict[str, Any]:
        return plain(
            {
                "experiment": self.experiment,
                "config": self.config,
                "results": self.results,
                "figures": self.figures,
                "run_ids": self.run_ids,
                "status": self.status,
            }
        )

    def headline(self) -> str:
        """The one-line summary ``descentlab run`` prints (the experiment's ``headline``)."""
        return get_experiment(self.experiment).headline(self.results)

    def _repr_html_(self) -> str:
        """Jupyter's view: the headline and the figures, inline."""
        from descentlab.report.notebook_view import run_html

        title = f"{self.experiment} (run {self.run_ids[0]}, {self.status})"
        return run_html(title, self.headline(), self.figures)


def resolve_config(name: str, overrides: dict[str, Any]) -> Any:
    """The experiment's default config with ``overrides`` applied and checked."""
    experiment = get_experiment(name)
    return apply_overrides(experiment.config_type(), overrides)


def _from_json(value: Any, annotation: Any) -> Any:
    """A JSON value as the field's type holds it: lists become tuples, item by item."""
    if typing.get_origin(annotation) is tuple and isinstance(value, list):
        items = typing.get_args(annotation)
        item = items[0] if items else Any
        return tuple(_from_json(v, item) for v in value)
    return value


def overrides_from_config(name: str, written: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The overrides that reproduce a config as ``run`` stored or wrote it (``config.json``),
    and the description of the data it ran on (None when the config has none).

    Unknown keys are refused by name. A data file given by a relative path that leads elsewhere
    from here is taken from the stored description's resolved path.
    """
    fields = config_fields(get_experiment(name).config_type)
    unknown = sorted(set(written) - set(fields) - set(_DESCRIBED))
    if unknown:
        raise InputValueError(
            f"config keys must be settings of {name} ({', '.join(sorted(fields))}) or "
            f"{', '.join(_DESCRIBED)}, got unknown {', '.join(repr(k) for k in unknown)}"
        )
    overrides = {k: _from_json(v, fields[k]) for k, v in written.items() if k in fields}
    described = written.get("dataset")
    source = described.get("source") if isinstance(described, dict) else None
    data = overrides.get("data")
    if data and isinstance(data, str) and source and str(Path(data).resolve()) != source:
        overrides["data"] = source
    return overrides, described


def run_devices(config: Any) -> str:
    """The device description stored with a run: the config's ``device`` (or each of its
    ``devices``) when it has one, else the CPU. A CUDA device that is not there is left out (the
    experiment itself refuses or reports it)."""
    names = getattr(config, "devices", None) or (getattr(config, "device", "cpu"),)
    if "auto" in names or any(str(name).startswith("cuda") for name in names):
        import torch

        available = torch.cuda.is_available()
        names = [("cuda" if available else "cpu") if n == "auto" else n for n in names]
        names = [n for n in names if available or not str(n).startswith("cuda")] or ["cpu"]
    return "; ".join(device_description(str(name)) for name in dict.fromkeys(names))


def run_experiment(
    name: str,
    *,
    out: str | Path,
    overrides: dict[str, Any] | None = None,
    store_path: str | Path | None = None,
    on_stage: StageHook | None = None,
    rerun_of: dict[str, Any] | None = None,
    expect_dataset: dict[str, Any] | None = None,
    sweep: tuple[int, int, dict[str, Any]] | None = None,
) -> RunReport:
    """Run experiment ``name`` and write its store rows, config, results and figures.

    Files land in ``out/<name>/``, held by this run alone (NOTE [folder claim]); the store
    defaults to ``out/runs.sqlite``. A run whose every trial diverges is stored as ``diverged``;
    an exception or interruption marks it ``failed`` or ``interrupted`` and propagates (NOTE
    [every exit]).

    A re-run passes ``rerun_of``, stored in its config (NOTE [rerun link]), and the original's
    data description as ``expect_dataset``: other data is refused before the run is stored.
    A sweep's trial passes ``sweep``, its link (NOTE [sweep link]).
    """
    experiment = get_experiment(name)
    if overrides is not None and not isinstance(overrides, dict):
        raise InputTypeError(
            f"overrides must be a dict of config fields, got {describe(overrides)}"
        )
    config = resolve_config(name, overrides or {})
    with RunLifecycle(out, name, store_path=store_path, on_stage=on_stage, sweep=sweep) as life:
        data = experiment.default_data(config)
        resolved = {**dataclasses.asdict(config), "dataset": data.describe()}
        if expect_dataset is not None and plain(resolved["dataset"]) != expect_dataset:
            raise InputValueError(
                f"data must be the original run's {expect_dataset}, got {resolved['dataset']}"
            )
        if rerun_of is not None:
            resolved["rerun_of"] = rerun_of
        run_id = life.begin(
            name,
            config=resolved,
            seed=config.seed,
            versions=library_versions(),
            device=run_devices(config),
        )
        outcome = experiment.run(config, data)
        trial_ids = life.complete(
            status=outcome.status,
            results=outcome.results,
            trials=outcome.trials,
            plot_data=outcome.plot_data,
        )
        files = life.write_files(config=resolved, results=outcome.results)
    return RunReport(
        experiment=name,
        config=resolved,
        results=outcome.results,
        figures=[f.as_json() for f in files.figures],
        run_ids=[run_id, *trial_ids],
        status=outcome.status,
        messages=outcome.messages(),
        folder=life.folder,
    )
