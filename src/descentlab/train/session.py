"""One ``descentlab train`` run: config → data → model → optimizer → store → fit → files.

NOTE [train seeds]: one ``seed`` drives three independent streams, spawned with
``numpy.random.SeedSequence(seed)``: the train/validation split, the model's initial weights and
the loader's batch order. Changing the batch size therefore never changes the split or the
initial weights.

Files land in ``OUT/train/`` (``checkpoint.pt``, ``config.json``, ``results.json`` and the
learning-curve figures), the run in ``OUT/runs.sqlite`` as experiment ``train``, through the same
run lifecycle as ``descentlab run`` (``descentlab.lifecycle``). A new run refuses a folder whose
checkpoint belongs to an unfinished run (``--resume`` continues it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from descentlab.data import split_dataset, training_dataset
from descentlab.lifecycle.run_lifecycle import RunLifecycle, StageHook
from descentlab.models import make_model
from descentlab.provenance import device_description, library_versions
from descentlab.store.jsonsafe import plain
from descentlab.tasks import make_task
from descentlab.torch_device import resolve_device
from descentlab.train.batch_source import make_train_loader
from descentlab.train.checkpoint import check_same_config, load_checkpoint
from descentlab.train.distributed import (
    Ranks,
    announce_start,
    check_world_size,
    peer_loss,
    refusal_announced,
    shard_loader,
)
from descentlab.train.fit import FitResult, Progress, fit
from descentlab.train.fit_config import FitConfig
from descentlab.train.optimizer_choice import build_optimizer, build_scheduler
from descentlab.train.train_config import TrainConfig
from descentlab.validation import InputTypeError, InputValueError

__all__ = ["EXPERIMENT", "TrainReport", "config_from_written", "run_training"]

EXPERIMENT = "train"
FOLDER = "train"
CHECKPOINT = "checkpoint.pt"


@dataclass(frozen=True)
class TrainReport:
    """What a training run left behind; ``as_json()`` is the ``--json`` payload."""

    config: dict[str, Any]
    results: dict[str, Any]
    figures: list[dict[str, str]]
    run_id: int
    status: str
    message: str | None
    folder: Path
    notices: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return plain(
            {
                "experiment": EXPERIMENT,
                "config": self.config,
                "results": self.results,
                "figures": self.figures,
                "run_ids": [self.run_id],
                "status": self.status,
            }
        )

    def headline(self) -> str:
        """The final losses (and accuracy) in one line."""
        final = self.results["final"]
        parts = [f"{self.results['epochs_run']} epochs"]
        for name in ("train_loss", "val_loss", "val_accuracy"):
            if name in final:
                parts.append(f"{name.replace('_', ' ')} {final[name]:.4g}")
        return ", ".join(parts)

    def _repr_html_(self) -> str:
        """Jupyter's view: the headline and the learning curves, inline."""
        from descentlab.report.notebook_view import run_html

        title = f"train (run {self.run_id}, {self.status})"
        return run_html(title, self.headline(), self.figures)


#: Keys of a stored config (or ``config.json``) that the run derives rather than takes: checked
#: by comparing the re-run's resolved config with the original's, never passed back in.
_DERIVED = (
    "resolved_device", "n_outputs", "classes", "n_train", "n_val", "dataset_description",
    "scaling", "run_id", "rerun_of", "world_size",
)  # fmt: skip


def _tuples(value: Any) -> Any:
    """JSON lists as the tuples a :class:`TrainConfig` holds (``betas`` [0.9, 0.99])."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def config_from_written(written: dict[str, Any]) -> tuple[TrainConfig, Any]:
    """The :class:`TrainConfig` of a stored or written training config, and the description of
    its data. Unknown keys are refused by name; the stored ``loss`` is the one the run resolved,
    the same loss it would choose again. A data file given by a relative path that leads
    elsewhere from here is taken from the stored description's resolved path."""
    fields = [f.name for f in dataclasses.fields(TrainConfig)]
    unknown = sorted(set(written) - set(fields) - set(_DERIVED))
    if unknown:
        raise InputValueError(
            f"config keys must be train settings ({', '.join(fields)}) or derived "
            f"({', '.join(_DERIVED)}), got unknown {', '.join(repr(k) for k in unknown)}"
        )
    values = {k: _tuples(v) for k, v in written.items() if k in fields}
    for name in ("optimizer_options", "schedule_options"):
        if isinstance(values.get(name), dict):
            values[name] = tuple((k, _tuples(v)) for k, v in values[name].items())
    described = written.get("dataset_description")
    source = described.get("source") if isinstance(described, dict) else None
    dataset = values.get("dataset")
    fingerprinted = isinstance(described, dict) and described.get("sha256") and source
    if fingerprinted and isinstance(dataset, str) and str(Path(dataset).resolve()) != source:
        values["dataset"] = source
    return TrainConfig(**values), described


def _seeds(seed: int) -> tuple[int, int, int]:
    split, model, loader = np.random.SeedSequence(seed).generate_state(3)
    return int(split), int(model), int(loader)


def _results(result: FitResult, task_name: str) -> dict[str, Any]:
    final = dict(result.final)
    return {
        "status": result.status,
        "message": result.message,
        "epochs_run": result.epochs_run,
        "steps": result.steps,
        "stopped_early": result.stopped_early,
        "best_epoch": result.best_epoch,
        "resumed_from_epoch": result.resumed_from_epoch,
        "device": result.device,
        "history": result.history,
        "final": final,
        "final_val_accuracy": final.get("val_accuracy") if task_name == "classify" else None,
    }


def run_training(
    config: TrainConfig,
    *,
    out: str | Path,
    store_path: str | Path | None = None,
    resume: bool = False,
    callback: Callable[[Progress], None] | None = None,
    on_stage: StageHook | None = None,
    rerun_of: dict[str, Any] | None = None,
    ranks: Ranks | None = None,
    sweep: tuple[int, int, dict[str, Any]] | None = None,
) -> TrainReport | None:
    """Train as ``config`` says, store the run and write its files into ``out/train/``.

    The run goes through the shared lifecycle (NOTE [every exit]): the folder is held by this
    run alone, so two runs never share a checkpoint. With ``resume=True`` the checkpoint in
    ``out/train/`` is continued (the config must be the same) and the same stored run is
    completed. A diverged run is a result (status ``diverged``); an exception or interruption
    marks the run ``failed`` or ``interrupted`` and propagates. A re-run passes ``rerun_of``,
    stored in its config (NOTE [rerun link] in ``lifecycle.rerun``); a sweep's trial passes
    ``sweep``, its link (NOTE [sweep link]).

    With ``ranks`` (inside a joined process group) the run is one rank of a data-parallel run
    (NOTE [data parallel] in ``train/distributed.py``): ``batch_size`` is the global batch size,
    rank 0 goes through the lifecycle and returns the report, the other ranks train beside it
    and return None.
    """
    if not isinstance(config, TrainConfig):
        raise InputTypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    device = resolve_device("cpu" if config.framework == "keras" else config.device)
    split_seed, model_seed, loader_seed = _seeds(config.seed)

    data = training_dataset(
        config.dataset,
        target=config.target,
        n_samples=config.n_samples,
        n_features=config.n_features,
        n_classes=config.n_classes,
        noise=config.noise,
        data_seed=config.data_seed,
    )
    task = make_task(config.task, data.y, loss=config.loss or None)
    train, val, scaling = split_dataset(
        data, config.val_fraction, seed=split_seed, scale_target=config.task == "regress"
    )
    model = make_model(
        config.model,
        data.n_features,
        task.n_outputs,
        layers=config.layers,
        activation=config.activation,
        bias=config.bias,
        seed=model_seed,
    )
    X_train = torch.as_tensor(train.X, dtype=torch.float32)
    if ranks is None:
        loader = make_train_loader(
            X_train, task.targets(train.y), config.batch_size, seed=loader_seed, kind=config.loader
        )
    else:
        loader = shard_loader(X_train, task.targets(train.y), config, loader_seed, ranks)
    val_data = None
    if val is not None:
        val_data = (torch.as_tensor(val.X, dtype=torch.float32), task.targets(val.y))
    optimizer = build_optimizer(
        model,
        config.optimizer,
        lrate=config.lrate,
        impl=config.impl,
        **dict(config.optimizer_options),
    )
    scheduler, unit = None, "epoch"
    if config.schedule:
        scheduler, unit = build_scheduler(
            optimizer,
            config.schedule,
            epochs=config.epochs,
            steps_per_epoch=len(loader),
            **dict(config.schedule_options),
        )
    resolved = plain(
        {
            **config.as_dict(),
            "resolved_device": str(device),
            "loss": task.loss_name,
            "n_outputs": task.n_outputs,
            "classes": list(task.classes),
            "n_train": train.n_samples,
            "n_val": 0 if val is None else val.n_samples,
            "dataset_description": data.describe(),
            "scaling": scaling,
            **({} if ranks is None else {"world_size": ranks.world_size}),
        }
    )
    if rerun_of is not None:
        resolved["rerun_of"] = rerun_of

    def train_run(run_id: int, checkpoint: Path, **reporting: Any) -> FitResult:
        fit_config = _fit_config(config, unit, checkpoint, resume, run_id, resolved)
        if config.framework == "keras":  # NOTE [keras loops]; one process (refused with ranks)
            from descentlab.train.keras_fit import keras_trainer

            trainer = keras_trainer(
                config.keras_loop, config.optimizer, lrate=config.lrate,
                options=dict(config.optimizer_options),
            )  # fmt: skip
            return trainer(
                model, optimizer, loader, task, fit_config,
                val_data=val_data, scheduler=scheduler, **reporting,
            )  # fmt: skip
        with peer_loss(ranks):
            return fit(
                model, optimizer, loader, task, fit_config,
                val_data=val_data, scheduler=scheduler, ranks=ranks, **reporting,
            )  # fmt: skip

    if ranks is not None and not ranks.writer:  # rank 0 writes (NOTE [data parallel])
        train_run(announce_start(ranks, None), Path(out) / FOLDER / CHECKPOINT)
        return None

    with RunLifecycle(
        out, FOLDER, store_path=store_path, keep=(CHECKPOINT,), on_stage=on_stage, sweep=sweep
    ) as life:
        checkpoint = life.folder / CHECKPOINT
        with refusal_announced(ranks):
            if resume:
                run_id = _resume_run(life, checkpoint, resolved)
            else:
                _start_afresh(life, checkpoint)
                run_id = life.begin(
                    EXPERIMENT,
                    config=resolved,
                    seed=config.seed,
                    versions=library_versions(),
                    device=device_description(str(device)),
                    label=f"{config.model} {config.task} {Path(config.dataset).name}",
                )
        if ranks is not None:
            announce_start(ranks, run_id)
        life.resume_hint = " (continue with --resume)"
        result = train_run(
            run_id,
            checkpoint,
            metrics_sink=lambda epoch, values: life.store.log_metrics(run_id, epoch - 1, values),
            callback=callback,
        )
        results = _results(result, config.task)
        life.complete(status=result.status, results=results, message=result.message)
        files = life.write_files(config={**resolved, "run_id": run_id}, results=results)
    return TrainReport(
        config={**resolved, "run_id": run_id},
        results=results,
        figures=[f.as_json() for f in files.figures],
        run_id=run_id,
        status=result.status,
        message=result.message,
        folder=life.folder,
        notices=life.notices,
    )


def _fit_config(
    config: TrainConfig,
    unit: str,
    checkpoint: Path,
    resume: bool,
    run_id: int,
    resolved: dict[str, Any],
) -> FitConfig:
    return FitConfig(
        epochs=config.epochs,
        scheduler_unit=unit,
        device=config.device,
        patience=config.patience or None,
        checkpoint=checkpoint,
        checkpoint_every=config.checkpoint_every,
        resume=resume,
        run_config={**resolved, "run_id": run_id},
    )


def _stopped_before_checkpoint(life: RunLifecycle, checkpoint: Path) -> int | None:
    """The id of the previous training run in the folder when it ended (killed, interrupted or
    failed) before writing its first checkpoint, else None."""
    previous = life.previous
    if previous is None or previous.complete or previous.experiment != EXPERIMENT:
        return None
    return None if checkpoint.is_file() else previous.run_id


def _start_afresh(life: RunLifecycle, checkpoint: Path) -> None:
    """Refuse a folder whose checkpoint belongs to an unfinished run; remove a finished run's
    checkpoint (NOTE [run manifest]: no file of the previous run stays beside the new one)."""
    if checkpoint.is_file():
        if not load_checkpoint(checkpoint)["finished"]:
            raise InputValueError(
                f"out must not hold an unfinished training run, got {str(life.folder)!r} "
                "(continue it with --resume or choose another --out)"
            )
        checkpoint.unlink()
    stopped = _stopped_before_checkpoint(life, checkpoint)
    if stopped is not None:
        life.notices.append(
            f"the previous run {stopped} in {life.folder} ended before its first checkpoint "
            "(killed or interrupted), so there was nothing to resume: this is a new run"
        )


def _resume_run(life: RunLifecycle, checkpoint: Path, resolved: dict[str, Any]) -> int:
    """The stored run the checkpoint continues, reopened and adopted by ``life``."""
    if not checkpoint.is_file():
        stopped = _stopped_before_checkpoint(life, checkpoint)
        detail = (
            f"run {stopped} ended before its first checkpoint"
            if stopped is not None
            else "no checkpoint there"
        )
        raise InputValueError(
            f"resume must find a checkpoint in the folder, got none in {str(life.folder)!r} "
            f"({detail}; start again without --resume)"
        )
    saved = load_checkpoint(checkpoint)
    if saved["finished"]:
        raise InputValueError(
            f"resume must continue an unfinished run, got a finished checkpoint in "
            f"{str(life.folder)!r} (start a new run without --resume)"
        )
    check_world_size(saved, int(resolved.get("world_size", 1)))
    check_same_config(saved["config"], {**resolved, "run_id": saved["config"]["run_id"]})
    run_id = int(saved["config"]["run_id"])
    run = life.store.get_run(run_id)
    if run.status not in ("running", "failed", "interrupted"):
        raise InputValueError(
            f"resume must continue an unfinished run, got run {run_id} with status {run.status!r}"
        )
    life.store.reopen_run(run_id)  # an interrupted run was marked failed or interrupted
    life.adopt(run_id, EXPERIMENT)
    return run_id
