"""The ``descentlab train`` command: arguments → :class:`TrainConfig` → :func:`run_training`."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from descentlab.commands import DEFAULT_OUT, print_report
from descentlab.validation import InputValueError

__all__ = ["add_parser", "config_from_args", "run_train"]

_EXAMPLE = (
    "example: descentlab train --model mlp --layers 64,32,16 --task classify --dataset digits "
    "--optimizer adam --lrate 1e-3 --batch-size 64 --epochs 20"
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``train`` with its options (see ``descentlab train --help``)."""
    parser = subparsers.add_parser(
        "train",
        help="train a model (linear, logistic, MLP) and store its learning curves",
        description="Train a model on a built-in data set or your file; per-epoch metrics go "
        "to the results store, checkpoints to OUT/train/checkpoint.pt.",
        epilog=_EXAMPLE,
    )
    add = parser.add_argument
    add("--model", default="mlp", help="linear, logistic or mlp (default mlp)")
    add("--layers", help="MLP hidden widths (default 64,32,16)")
    add("--activation", help="MLP activation: relu (default), tanh, sigmoid, gelu")
    add("--no-bias", action="store_true", help="affine maps without a bias term")
    add("--task", help="regress or classify (default: what the data set suits)")
    add("--loss", help="mse or mae for regress (default mse); classify uses cross_entropy")
    add(
        "--dataset",
        default="regression",
        help="regression, classification, digits, breast_cancer, wine, diabetes, or a "
        ".csv/.parquet/.npy file (default regression)",
    )
    add("--target", default="", help="the label column of a data file (default: the last)")
    add("--optimizer", default="adam", help="sgd, momentum, nesterov, adam, adamw, … (adam)")
    add("--impl", default="torch", help="torch (torch.optim) or descentlab (our optimizers)")
    add("--optimizer-set", action="append", default=[], metavar="KEY=VALUE",
        help="optimizer hyperparameter, e.g. betas=0.5/0.99 (repeatable)")  # fmt: skip
    add("--lrate", type=float, default=1e-3, help="learning rate (default 1e-3)")
    add("--schedule", help="step, multistep, exponential, cosine, one_cycle, plateau, …")
    add("--schedule-set", action="append", default=[], metavar="KEY=VALUE",
        help="scheduler argument, e.g. --schedule-set gamma=0.5 (repeatable)")  # fmt: skip
    add("--batch-size", type=int, default=64, help="mini-batch size (default 64)")
    add("--loader", default="fast", help="fast, manual, dataloader or dataset (default fast)")
    add("--epochs", type=int, default=20, help="epochs (default 20)")
    add("--val-fraction", type=float, default=0.2, help="held-out fraction in [0, 1) (0.2)")
    add("--seed", type=int, default=0, help="seed of the split, initial weights and batch order")
    add("--device", default="auto", help="auto (CUDA if available), cpu or cuda")
    add("--patience", type=int, default=0,
        help="early stopping: epochs without a better validation loss (0: off)")  # fmt: skip
    add("--checkpoint-every", type=int, default=1, help="checkpoint every N epochs (default 1)")
    add(
        "--framework",
        default="torch",
        help="torch (default) or keras (Keras 3 on TensorFlow, the same initial weights)",
    )
    add(
        "--keras-loop",
        default="descentlab",
        help="with --framework keras: descentlab (our GradientTape loop, default) or fit",
    )
    add("--resume", action="store_true", help="continue the unfinished run in OUT/train/")
    add("--nproc", type=int, default=1,
        help="data-parallel processes on this host, started with torchrun (default 1); "
        "--batch-size is then the global batch size")  # fmt: skip
    add("--dist-timeout", type=float, default=60.0,
        help="seconds a data-parallel rank waits for the others before failing (60)")  # fmt: skip
    add("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    add("--store", help="results store file (default OUT/runs.sqlite)")
    add("--json", action="store_true", help="print one JSON object on stdout (no progress bar)")
    add("--tensorboard", metavar="DIR",
        help="also write TensorBoard event files into DIR/train-TIME/ as it trains")  # fmt: skip
    parser.set_defaults(handler=run_train)
    return parser


def _optimizer_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--optimizer-set`` values, each of its hyperparameter's kind (NOTE [value syntax])."""
    from descentlab.optim import OPTIMIZERS, hyperparameters
    from descentlab.values import kinds_of_defaults, parse_settings

    known = args.optimizer in OPTIMIZERS  # else TrainConfig names the optimizer it refuses
    kinds = kinds_of_defaults(hyperparameters(args.optimizer)) if known else None
    return parse_settings("--optimizer-set", args.optimizer_set, kinds)


def _schedule_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--schedule-set`` values, each of its scheduler argument's kind."""
    from descentlab.optim.schedules import SCHEDULES
    from descentlab.values import kinds_of_dataclass, parse_settings

    known = args.schedule in SCHEDULES
    kinds = kinds_of_dataclass(SCHEDULES[args.schedule]) if known else None
    return parse_settings("--schedule-set", args.schedule_set, kinds)


def config_from_args(args: argparse.Namespace):
    """The :class:`TrainConfig` the arguments describe (checked)."""
    from descentlab.data.catalog import dataset_task
    from descentlab.models import parse_layers
    from descentlab.train.train_config import TrainConfig

    task = args.task or dataset_task(args.dataset) or "regress"
    return TrainConfig(
        model=args.model,
        task=task,
        dataset=args.dataset,
        target=args.target,
        loss=args.loss or "",
        layers=None if args.layers is None else parse_layers(args.layers),
        activation=args.activation,
        bias=not args.no_bias,
        optimizer=args.optimizer,
        impl=args.impl,
        lrate=args.lrate,
        optimizer_options=tuple(_optimizer_options(args).items()),
        schedule=args.schedule or "",
        schedule_options=tuple(_schedule_options(args).items()),
        batch_size=args.batch_size,
        loader=args.loader,
        epochs=args.epochs,
        val_fraction=args.val_fraction,
        seed=args.seed,
        device=args.device,
        patience=args.patience,
        checkpoint_every=args.checkpoint_every,
        framework=args.framework,
        keras_loop=args.keras_loop,
    )


def _summary(report) -> str:
    final = report.results["final"]
    train_loss = final.get("train_loss", float("nan"))
    if report.status == "diverged" and not math.isfinite(train_loss):
        parts = ["train loss not finite in the last epoch"]
    else:
        parts = [f"train loss {train_loss:.4g}"]
    if "val_loss" in final:
        parts.append(f"validation loss {final['val_loss']:.4g}")
    if "val_accuracy" in final:
        parts.append(f"validation accuracy {final['val_accuracy']:.4f}")
    epochs = report.results["epochs_run"]
    return f"train (run {report.run_id}, {report.status}, {epochs} epochs): {', '.join(parts)}"


def _flag(field: str) -> str:
    """The command-line spelling of a :class:`TrainConfig` field (``batch_size`` →
    ``--batch-size``); fields without a flag keep their name."""
    flags = {"lrate", "layers", "batch_size", "epochs", "val_fraction", "seed", "patience"}
    return f"--{field.replace('_', '-')}" if field in flags else field


def run_train(args: argparse.Namespace) -> int:
    """Run the command; returns the exit code (a diverged run is a result: 0)."""
    if args.schedule_set and not args.schedule:
        raise InputValueError("--schedule-set must come with --schedule, got no --schedule")
    config = config_from_args(args)  # checked before the heavier imports below
    from descentlab.memory_estimates import check_memory, memory_limit, training_bytes

    check_memory(config, training_bytes, memory_limit(), spell=_flag)  # NOTE [memory estimates]

    from descentlab.commands.progress_display import (
        ProgressDisplay,
        TrainProgress,
        progress_wanted,
    )
    from descentlab.train.checkpoint import check_checkpoint_path
    from descentlab.train.session import CHECKPOINT, FOLDER, run_training

    check_checkpoint_path(Path(args.out) / FOLDER / CHECKPOINT)  # before any training
    ranks = _ranks(args)
    if ranks is not None:
        return _run_rank(args, config, ranks)
    if args.nproc != 1:
        return _launch(args, config, Path(args.out) / FOLDER / CHECKPOINT)

    events = None
    if args.tensorboard is not None:
        from descentlab.commands.tensorboard_output import LiveTrainEvents

        events = LiveTrainEvents(args.tensorboard, config.as_dict())
    # NOTE [quiet progress]; a run shorter than the delay draws nothing
    with ProgressDisplay(progress_wanted(args.json), delay=0.5) as display:
        callbacks = [c for c in (TrainProgress(display) if display.enabled else None, events) if c]
        try:
            report = run_training(
                config,
                out=args.out,
                store_path=args.store,
                resume=args.resume,
                callback=(lambda event: [c(event) for c in callbacks]) if callbacks else None,
                on_stage=getattr(args, "on_stage", None),
            )
        except BaseException:
            if events is not None:  # what was written stays; the status is unknown
                events.close()
            raise
    if events is not None:
        events.finish(report)
    return _print(report, args)


def _ranks(args: argparse.Namespace):
    """This process's ranks when torchrun started it (NOTE [launch]), else None."""
    import os

    from descentlab.train.launch import ranks_from_environment
    from descentlab.validation import check_positive_float, check_positive_int

    check_positive_int("--nproc", args.nproc)
    check_positive_float("--dist-timeout", args.dist_timeout)
    return ranks_from_environment(os.environ, timeout=args.dist_timeout)


def _launch(args: argparse.Namespace, config, checkpoint: Path) -> int:
    """``--nproc N``: check, then run this command line as N ranks under torchrun."""
    import os

    from descentlab.train.launch import (
        failure_line,
        launch,
        preflight,
        threads_per_rank,
        torchrun_command,
    )

    if args.tensorboard is not None:
        raise InputValueError(
            "--tensorboard must come with one process (it is written live by that process), "
            f"got --nproc {args.nproc}; export the run afterwards with "
            "`descentlab runs export ID --tensorboard DIR`"
        )
    preflight(config, args.nproc, checkpoint, args.resume)
    env = dict(os.environ)
    env.setdefault(
        "OMP_NUM_THREADS", str(threads_per_rank(len(os.sched_getaffinity(0)), args.nproc))
    )
    outcome = launch(torchrun_command(sys.executable, args.nproc, args.argv), env, sys.stderr)
    line = failure_line(outcome)
    if line is not None:
        print(line, file=sys.stderr)
    return outcome.exit_code


def _run_rank(args: argparse.Namespace, config, ranks) -> int:
    """One rank of a data-parallel run: rank 0 reports like a single process, the others
    train beside it silently."""
    from descentlab.torch_device import resolve_device
    from descentlab.train.distributed import LeaderRefusedError, process_group
    from descentlab.train.session import run_training

    try:
        with process_group(ranks, resolve_device(config.device)):
            report = run_training(
                config,
                out=args.out,
                store_path=args.store,
                resume=args.resume,
                on_stage=getattr(args, "on_stage", None),
                ranks=ranks,
            )
    except LeaderRefusedError as stop:  # rank 0 printed why
        return stop.exit_code
    if report is None:
        return 0
    return _print(report, args)


def _print(report, args: argparse.Namespace) -> int:
    return print_report(
        report,
        [*report.notices, *([report.message] if report.message else [])],
        as_json=args.json,
        summary=_summary(report),
        files="figures, checkpoint, config and results",
    )
