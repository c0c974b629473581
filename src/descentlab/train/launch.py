"""Starting a data-parallel run: ``descentlab train --nproc N`` runs torchrun itself, and a
process torchrun started finds its rank in what torchrun told it.

NOTE [launch]: ``--nproc N`` re-runs the same command line under ``python -m
torch.distributed.run --standalone --nproc-per-node N -m descentlab …`` (torchrun, the engine's
own launcher: one host, a rendezvous on a free local port). Each process it starts sees
``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` in its environment; the command line reads them
(:func:`ranks_from_environment` is given the mapping, the library never reads the environment)
and ignores ``--nproc`` there. A multi-node run is plain torchrun on every node (``--nnodes``,
``--node-rank`` or ``--rdzv-endpoint``) around ``-m descentlab train …`` without ``--nproc``.

Threads: each rank runs ``max(1, cores // N)`` intra-op threads (``OMP_NUM_THREADS``, set for
the ranks unless the user set it), so N ranks never oversubscribe the cores: on 2 cores with 2
ranks, one thread each. Plain torchrun sets 1 itself when it starts more than one process.

torchrun's own reports (its log lines and, when a rank fails, a Python traceback of the launcher
followed by a failure table) are not for the user of ``descentlab``: the launcher passes the
ranks' output through, keeps torchrun's to itself and ends with one line naming the rank that
failed first and how (:func:`failure_line`).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from descentlab.train.distributed import DEFAULT_TIMEOUT, Ranks
from descentlab.validation import InputValueError, check_positive_int

if TYPE_CHECKING:
    from descentlab.train.train_config import TrainConfig

__all__ = [
    "LaunchOutcome",
    "failure_line",
    "launch",
    "preflight",
    "ranks_from_environment",
    "threads_per_rank",
    "torchrun_command",
    "without_nproc",
]

_LOG_LINE = re.compile(r"^[WEIF]\d{4} \d\d:\d\d:\d\d")
_ROOT_RANK = re.compile(r"^\s*rank\s*:\s*(\d+)")
_ROOT_EXIT = re.compile(r"^\s*exitcode\s*:\s*(-?\d+)")


def ranks_from_environment(
    environ: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT
) -> Ranks | None:
    """This process's :class:`Ranks` when torchrun started it as one of several, else None."""
    if "RANK" not in environ or "WORLD_SIZE" not in environ:
        return None
    try:
        rank, world = int(environ["RANK"]), int(environ["WORLD_SIZE"])
        local = int(environ.get("LOCAL_RANK", "0"))
    except ValueError:
        raise InputValueError(
            f"RANK, WORLD_SIZE and LOCAL_RANK must be integers (torchrun sets them), got "
            f"{environ.get('RANK')!r}, {environ.get('WORLD_SIZE')!r}, "
            f"{environ.get('LOCAL_RANK')!r}"
        ) from None
    return None if world == 1 else Ranks(rank, world, local, timeout)


def threads_per_rank(cores: int, nproc: int) -> int:
    """Intra-op threads per rank: the cores shared out, at least one."""
    return max(1, check_positive_int("cores", cores) // check_positive_int("nproc", nproc))


def without_nproc(argv: Sequence[str]) -> list[str]:
    """``argv`` without its ``--nproc N`` (or an abbreviation of it): the ranks must not
    relaunch, and torchrun's own parser would read ``--nproc`` as its ``--nproc-per-node``."""
    kept: list[str] = []
    skip = False
    for token in argv:
        name = token.split("=", 1)[0]
        if skip:
            skip = False
        elif len(name) >= 4 and "--nproc".startswith(name):
            skip = "=" not in token
        else:
            kept.append(token)
    return kept


def torchrun_command(python: str, nproc: int, argv: Sequence[str]) -> list[str]:
    """The torchrun command line that runs ``descentlab <argv>`` (its ``--nproc`` removed) as
    ``nproc`` ranks on this host."""
    check_positive_int("nproc", nproc)
    return [
        python, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(nproc),
        "-m", "descentlab", *without_nproc(argv),
    ]  # fmt: skip


@dataclass(frozen=True)
class LaunchOutcome:
    """torchrun's exit code, and the rank that failed first with its exit code (None, None
    when every rank succeeded or torchrun said nothing about it)."""

    returncode: int
    failed_rank: int | None = None
    failed_exit: int | None = None

    @property
    def exit_code(self) -> int:
        """The command's exit code: the failed rank's when it was a plain exit code (2 for
        bad input), 1 for a rank killed by a signal, torchrun's otherwise."""
        if self.returncode == 0:
            return 0
        if self.failed_exit is not None and self.failed_exit > 0:
            return self.failed_exit
        return 1 if self.returncode > 0 else 128 - self.returncode


def failure_line(outcome: LaunchOutcome) -> str | None:
    """One line saying which rank failed first and how; None when the launch succeeded or a
    rank refused bad input (exit 2: it printed its own one line)."""
    if outcome.returncode == 0 or outcome.failed_exit == 2:
        return None
    if outcome.failed_rank is None:
        return f"descentlab: error: torchrun ended with exit code {outcome.returncode}"
    code = outcome.failed_exit
    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited {code}"
    return (
        f"descentlab: error: rank {outcome.failed_rank} {how}; torchrun stopped the other "
        "processes (see `descentlab runs` for the run's status)"
    )


def _root_cause(lines: list[str]) -> tuple[int | None, int | None]:
    start = next((i for i, line in enumerate(lines) if line.startswith("Root Cause")), None)
    if start is None:
        return None, None
    rank = code = None
    for line in lines[start:]:
        if rank is None and (found := _ROOT_RANK.match(line)):
            rank = int(found.group(1))
        elif code is None and (found := _ROOT_EXIT.match(line)):
            code = int(found.group(1))
    return rank, code


def launch(command: Sequence[str], env: Mapping[str, str], stderr: IO[str]) -> LaunchOutcome:
    """Run torchrun's ``command`` with ``env``; the ranks' stdout is inherited, their stderr is
    passed through to ``stderr`` line by line and torchrun's own report kept back (NOTE
    [launch]). A KeyboardInterrupt (SIGINT/SIGTERM to the launcher) stops torchrun, which stops
    the ranks, and propagates."""
    process = subprocess.Popen(
        list(command), env=dict(env), stderr=subprocess.PIPE, text=True, bufsize=1
    )
    kept: list[str] = []
    try:
        for line in process.stderr:
            if kept or line.startswith("Traceback (most recent call last)"):
                kept.append(line)
            elif not _LOG_LINE.match(line):
                stderr.write(line)
                stderr.flush()
        returncode = process.wait()
    except BaseException:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise
    finally:
        process.stderr.close()
    rank, code = _root_cause(kept)
    return LaunchOutcome(returncode, rank, code)


def preflight(config: TrainConfig, nproc: int, checkpoint: str | Path, resume: bool) -> None:
    """The launcher's checks before it starts any rank, so bad input costs no process start:
    the global batch size shared equally, the sharded loader kind, and a resumed checkpoint's
    world size."""
    from descentlab.loading.shard import check_divisible_batch
    from descentlab.train.checkpoint import load_checkpoint
    from descentlab.train.distributed import check_shardable_loader, check_world_size

    check_positive_int("nproc", nproc)
    if config.framework != "torch":
        raise InputValueError(
            f"nproc above 1 needs framework torch (DistributedDataParallel), got framework "
            f"{config.framework!r} with nproc {nproc}"
        )
    check_divisible_batch(config.batch_size, nproc)
    check_shardable_loader(config.loader)
    import torch

    if config.device != "cpu" and torch.cuda.is_available() and nproc > torch.cuda.device_count():
        raise InputValueError(
            f"nproc must be at most the CUDA devices ({torch.cuda.device_count()}: one process "
            f"per GPU), got {nproc} (or train on the CPU with --device cpu)"
        )
    if resume and Path(checkpoint).is_file():
        check_world_size(load_checkpoint(checkpoint), nproc)
