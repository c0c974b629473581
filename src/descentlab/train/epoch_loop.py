"""The loop over epochs that every trainer shares, whatever runs an epoch (torch or Keras).

One epoch is any callable ``run_epoch(epoch, step) -> EpochOutcome``; around it the loop
restores a checkpoint (NOTE [resume]), records each epoch's history with the validation metrics,
stops at a divergence (NOTE [divergence] in :mod:`descentlab.train.fit`), steps a per-epoch
schedule, counts early-stopping patience, writes checkpoints and reports ``epoch`` progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from descentlab.train.checkpoint_policy import CheckpointPolicy, Trainee
from descentlab.train.divergence_policy import loss_divergence
from descentlab.train.early_stopping import EarlyStopping
from descentlab.train.epoch import EpochOutcome
from descentlab.train.evaluation import watched_loss
from descentlab.train.fit_progress import Progress, StopFit

__all__ = ["EpochLoop", "FitResult"]


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`~descentlab.train.fit.fit` (or ``keras_fit``).

    ``history`` holds one value per epoch and metric (``epoch``, ``train_loss``, ``lrate``,
    ``seconds``, ``samples_per_second`` and the ``val_*`` metrics); ``final`` the last epoch's
    values; ``status`` is ``finished`` or ``diverged``.
    """

    status: str
    epochs_run: int
    steps: int
    history: dict[str, list[float]]
    final: dict[str, float]
    message: str | None
    stopped_early: bool
    best_epoch: int | None
    device: str
    resumed_from_epoch: int = 0


@dataclass(frozen=True)
class EpochLoop:
    """``run_epoch`` repeated up to ``epochs`` times with everything around it.

    ``validation`` returns the ``val_*`` metrics after an epoch (None: no validation data);
    ``after_epoch`` receives the watched loss once an epoch ends without diverging (a per-epoch
    scheduler); ``checkpoints``/``trainee`` are what is saved and restored.
    """

    run_epoch: Callable[[int, int], EpochOutcome]
    epochs: int
    batches: int
    trainee: Trainee
    checkpoints: CheckpointPolicy | None = None
    patience: int | None = None
    validation: Callable[[], dict[str, float]] | None = None
    after_epoch: Callable[[float], None] | None = None
    metrics_sink: Callable[[int, dict[str, float]], None] | None = None
    callback: Callable[[Progress], None] | None = None

    def run(self, *, resume: bool, device: str) -> FitResult:
        """Train from the start, or from the checkpoint when ``resume``; ``device`` is reported."""
        history: dict[str, list[float]] = {}
        done, steps, stopping = 0, 0, EarlyStopping(self.patience)
        if resume:
            history, saved = self.checkpoints.restore(self.trainee)
            done, steps = saved["epoch"], saved["step"]
            stopping = EarlyStopping.from_state(self.patience, saved)
        resumed_from = done

        def write_checkpoint(finished: bool) -> None:
            state = {"epoch": done, "step": steps, **stopping.as_state()}
            self.checkpoints.write(self.trainee, history=history, state=state, finished=finished)

        divergence, stopped_early, stop_message = None, False, None
        for epoch in range(done + 1, self.epochs + 1):
            outcome = self.run_epoch(epoch, steps)
            steps, divergence = outcome.steps, outcome.divergence
            record = outcome.record(epoch)
            if self.validation is not None:
                record.update(self.validation())
            watched = watched_loss(record)
            if divergence is None:
                divergence = loss_divergence(epoch, steps, outcome.last_rate, watched)
            for name, value in record.items():
                history.setdefault(name, []).append(value)
            if self.metrics_sink is not None:
                self.metrics_sink(epoch, record)
            if divergence is not None:
                if self.checkpoints is not None:
                    write_checkpoint(finished=True)
                break
            done = epoch
            if self.after_epoch is not None:
                self.after_epoch(watched)
            if self.validation is not None:
                stopped_early = stopping.update(epoch, watched)
            last = stopped_early or epoch == self.epochs
            if self.checkpoints is not None and self.checkpoints.due(epoch, last=last):
                write_checkpoint(finished=last)
            if self.callback is not None:
                try:
                    self.callback(
                        Progress(
                            "epoch", epoch, self.epochs, self.batches, self.batches, steps,
                            record["train_loss"], record["samples_per_second"], record,
                        )
                    )  # fmt: skip
                except StopFit as stop:  # the callback ends the run here (a sweep's pruner)
                    stopped_early, stop_message = True, str(stop)
                    if self.checkpoints is not None and not last:
                        write_checkpoint(finished=True)
            if stopped_early:
                break
        return FitResult(
            status="finished" if divergence is None else "diverged",
            epochs_run=len(history.get("epoch", [])),
            steps=steps,
            history=history,
            final={name: values[-1] for name, values in history.items()},
            message=stop_message if divergence is None else divergence.sentence(),
            stopped_early=stopped_early,
            best_epoch=stopping.best_epoch,
            device=device,
            resumed_from_epoch=resumed_from,
        )
