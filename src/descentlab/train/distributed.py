"""Data-parallel training on PyTorch's distributed engine: the process group, the model wrapped
in ``DistributedDataParallel``, each step's loss combined across ranks, and checkpoints that hold
every rank's random state.

NOTE [data parallel]: ``N`` processes (ranks) train one model. Every rank builds the same data,
split, initial weights and epoch permutations from the run's seed; each takes its shard of every
global batch (NOTE [sharded batches] in ``loading/shard.py``), and DDP averages the gradients
with an all-reduce during ``backward``, so every rank applies the same update and the parameters
stay identical on all ranks. The result equals a single process with the same global batch size
up to the order of the sums (the mean of N shard means instead of one mean): a few float32
roundings per step, checked in ``tests/distributed``. Each step also all-reduces the loss value
(one float), so the training loss, the divergence check and everything decided from them
(early stopping, ``ReduceLROnPlateau``) are the same on every rank; validation runs on every rank
over the whole validation set with identical parameters, so its metrics agree too.

Only rank 0 writes: the store records, the figures, ``config.json``/``results.json`` and the
checkpoints (NOTE [atomic checkpoint]). A checkpoint also holds every rank's random state
(gathered to rank 0) and the world size; a resume restores each rank's own state and refuses
another world size (the shards and the per-rank random streams would differ).

Backends: gloo on CPU, NCCL with one process per GPU when CUDA is used (rank ``local_rank`` on
``cuda:local_rank``). Collectives time out after ``timeout`` seconds: a rank that dies makes the
others fail within that time (usually at once: the peers see the connection close) with
:class:`PeerLostError`, and the run is stored ``failed`` (or ``interrupted``, when torchrun's agent
stops the survivors with SIGTERM first). The rendezvous (``MASTER_ADDR``, ``MASTER_PORT``) is
torch's ``env://``, which torchrun sets; descentlab itself reads no environment variable here.
"""

from __future__ import annotations

import datetime
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch

from descentlab.loading.shard import ShardLoader
from descentlab.train.checkpoint import capture_rng, load_checkpoint, restore_rng
from descentlab.train.checkpoint_policy import CheckpointPolicy, Trainee
from descentlab.validation import InputValueError, check_int, check_positive_int

__all__ = [
    "DEFAULT_TIMEOUT",
    "LeaderRefusedError",
    "PeerLostError",
    "Ranks",
    "ShardedCheckpoints",
    "ShardedLoss",
    "announce_start",
    "check_shardable_loader",
    "check_world_size",
    "data_parallel",
    "peer_loss",
    "process_group",
    "refusal_announced",
    "shard_loader",
    "translate_peer_loss",
    "wrap_model",
]

DEFAULT_TIMEOUT = 60.0
"""Seconds a collective waits for the other ranks before failing (gloo and NCCL)."""


class PeerLostError(ConnectionError):
    """Another rank stopped (killed, crashed or unreachable) in the middle of a collective; an
    error of the environment (the command line exits 1 with one line)."""


class LeaderRefusedError(Exception):
    """Rank 0 refused to start the run (its own error message says why); the other ranks stop
    quietly with ``exit_code``."""

    exit_code = 2


@dataclass(frozen=True)
class Ranks:
    """Where this process stands: ``rank`` of ``world_size``, ``local_rank`` on its host."""

    rank: int
    world_size: int
    local_rank: int = 0
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        check_positive_int("world_size", self.world_size)
        for name in ("rank", "local_rank"):
            check_int(name, getattr(self, name), minimum=0)
        if self.rank >= self.world_size:
            raise InputValueError(
                f"rank must be below world_size {self.world_size}, got {self.rank}"
            )
        if not isinstance(self.timeout, int | float) or not self.timeout > 0:
            raise InputValueError(
                f"timeout must be a positive number of seconds, got {self.timeout!r}"
            )

    @property
    def writer(self) -> bool:
        """Whether this rank writes the store, files and checkpoints (rank 0)."""
        return self.rank == 0


def check_world_size(saved: dict[str, Any], world_size: int) -> None:
    """Refuse to resume a checkpoint written by another number of processes."""
    config = saved.get("config") or {}
    was = int(config.get("world_size", 1))
    if was != world_size:
        how = "without --nproc" if was == 1 else f"with --nproc {was}"
        raise InputValueError(
            f"resume must use the number of processes the checkpoint was written with ({was}), "
            f"got {world_size} (the shards and random streams depend on it: resume {how})"
        )


@contextmanager
def process_group(ranks: Ranks, device: torch.device) -> Iterator[torch.device]:
    """Join the process group (gloo on CPU, NCCL on CUDA) for the block; yields the device
    this rank trains on (``cuda:local_rank`` with CUDA)."""
    import torch.distributed as dist

    if device.type == "cuda":
        if ranks.local_rank >= torch.cuda.device_count():
            raise InputValueError(
                f"processes per host must be at most the CUDA devices ({torch.cuda.device_count()})"
                f", got local rank {ranks.local_rank}"
            )
        torch.cuda.set_device(ranks.local_rank)
        device, backend = torch.device("cuda", ranks.local_rank), "nccl"
    else:
        backend = "gloo"
    dist.init_process_group(
        backend,
        init_method="env://",
        rank=ranks.rank,
        world_size=ranks.world_size,
        timeout=datetime.timedelta(seconds=ranks.timeout),
    )
    try:
        yield device
        _leave_together(backend)
    finally:
        # NOTE [group teardown]: DDP reducers and finished collectives that only a reference
        # cycle still holds keep work objects of the group's C++ threads; freed later, during
        # interpreter exit, they can abort the process (SIGABRT, "terminate called without an
        # active exception", seen once in ~30 three-rank runs). Collect them while the group and
        # the interpreter are whole, then destroy the group.
        gc.collect()
        dist.destroy_process_group()


LEAVE_TIMEOUT = 3600.0
"""Seconds the ranks wait for each other at the end: rank 0 still stores the run and draws the
figures after training, which may take longer than a collective's timeout on a busy machine."""


def _leave_together(backend: str) -> None:
    """A barrier before leaving the group, so no rank closes its connections while another still
    uses them (a rank torn down early made its peer abort in gloo's transport)."""
    import torch.distributed as dist

    if backend == "gloo":
        dist.monitored_barrier(timeout=datetime.timedelta(seconds=LEAVE_TIMEOUT))
        # rank 0 answers the monitored barrier rank by rank: one more collective, so that no
        # rank closes its connections while rank 0 still sends another rank its answer
    dist.barrier()


def wrap_model(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """``model`` (already on ``device``) wrapped in ``DistributedDataParallel``; the wrapper
    broadcasts rank 0's parameters, which every rank built from the same seed anyway."""
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


@dataclass(frozen=True)
class ShardedLoss:
    """Each step's loss across ranks: the rank's mean loss weighted by its share of the global
    batch (NOTE [sharded batches]), and the global batch's mean loss as a number."""

    loader: ShardLoader

    def combine(
        self, batch: int, loss: torch.Tensor, local_size: int
    ) -> tuple[torch.Tensor, float, int]:
        """``(loss to differentiate, global mean loss, global batch size)`` for global batch
        ``batch`` (1-based); a collective: every rank calls it once per step."""
        import torch.distributed as dist

        weight = self.loader.share(batch, local_size)
        if local_size == 0:  # an empty shard of the last batch: no samples, zero gradient
            loss, part = loss.nan_to_num(0.0) * 0.0, torch.zeros((), device=loss.device)
        else:
            loss = loss if weight == 1.0 else loss * weight
            part = loss.detach().clone()
        dist.all_reduce(part)
        return loss, float(part) / self.loader.world_size, self.loader.global_size(batch)


def _gather(value: Any, world_size: int) -> list[Any]:
    import torch.distributed as dist

    values: list[Any] = [None] * world_size
    dist.all_gather_object(values, value)
    return values


@dataclass(frozen=True)
class ShardedCheckpoints(CheckpointPolicy):
    """:class:`CheckpointPolicy` for data-parallel runs: every rank takes part in a write (its
    random state is gathered), rank 0 alone writes the file; a restore puts back each rank's own
    state (NOTE [data parallel])."""

    ranks: Ranks | None = None

    def write(
        self,
        trainee: Trainee,
        *,
        history: dict[str, list[float]],
        state: dict[str, Any],
        finished: bool,
    ) -> None:
        states = _gather(capture_rng(trainee.generator), self.ranks.world_size)
        if self.ranks.writer:
            self.save(
                self.payload(trainee, history=history, state=state, finished=finished),
                rank_rng=states,
                world_size=self.ranks.world_size,
            )

    def restore(self, trainee: Trainee) -> tuple[dict[str, list[float]], dict[str, Any]]:
        check_world_size(load_checkpoint(self.path), self.ranks.world_size)
        history, state, saved = self.load_into(trainee)
        restore_rng(saved["rank_rng"][self.ranks.rank], trainee.generator)
        return history, state


def translate_peer_loss(error: BaseException, rank: int) -> BaseException:
    """A collective's failure as :class:`PeerLostError` naming what happened; other errors as
    they are."""
    import torch.distributed as dist

    text = str(error)
    lowered = text.lower()
    markers = ("gloo", "nccl", "connection", "timed out", "timeout", "peer", "socket")
    if isinstance(error, dist.DistError) or (
        isinstance(error, RuntimeError) and any(m in lowered for m in markers)
    ):
        first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
        return PeerLostError(
            f"rank {rank}: another training process stopped or became unreachable during a "
            f"collective ({first[:200]}); the run stops"
        )
    return error


@contextmanager
def peer_loss(ranks: Ranks | None) -> Iterator[None]:
    """Turn a failed collective inside the block into :class:`PeerLostError` (no-op for a
    single process)."""
    try:
        yield
    except RuntimeError as error:
        if ranks is None:
            raise
        translated = translate_peer_loss(error, ranks.rank)
        if translated is error:
            raise
        raise translated from None


@contextmanager
def refusal_announced(ranks: Ranks | None) -> Iterator[None]:
    """Rank 0's setup: an error in the block is announced to the other ranks (which then stop
    with :class:`LeaderRefusedError`) before it propagates."""
    try:
        yield
    except BaseException as error:
        if ranks is not None:
            announce_start(ranks, f"{type(error).__name__}: {error}")
        raise


def check_shardable_loader(kind: str) -> None:
    """Refuse a loader kind that has no sharded form (only ``fast`` has)."""
    if kind != "fast":
        raise InputValueError(
            f"loader must be 'fast' when training with several processes (each rank gathers "
            f"its shard of every global batch itself), got {kind!r}"
        )


def shard_loader(
    X: torch.Tensor, y: torch.Tensor, config: Any, seed: int, ranks: Ranks
) -> ShardLoader:
    """This rank's :class:`ShardLoader` for a training config (its ``batch_size`` is the global
    batch size; only the ``fast`` loader kind has a sharded form)."""
    check_shardable_loader(config.loader)
    return ShardLoader(
        X, y, config.batch_size, seed=seed, rank=ranks.rank, world_size=ranks.world_size
    )


def announce_start(ranks: Ranks, outcome: int | str) -> int:
    """Rank 0 tells the others how its setup went: the run id, or the text of its refusal (the
    others then raise :class:`LeaderRefusedError`); every rank returns the run id."""
    import torch.distributed as dist

    box = [outcome if ranks.writer else None]
    dist.broadcast_object_list(box, src=0)
    if isinstance(box[0], str):
        if ranks.writer:
            return -1
        raise LeaderRefusedError(box[0])
    return int(box[0])


@dataclass(frozen=True)
class DataParallel:
    """What :func:`~descentlab.train.fit.fit` swaps in for a data-parallel run: the wrapped
    model it trains through, the loss combination and the checkpoint policy."""

    model: torch.nn.Module
    combine: Any
    checkpoints: Any


def data_parallel(
    model: torch.nn.Module, loader: Any, ranks: Ranks, device: torch.device
) -> DataParallel:
    """The pieces of a data-parallel ``fit`` over ``loader`` (a :class:`ShardLoader`)."""
    from functools import partial

    if not isinstance(ranks, Ranks):
        raise InputValueError(f"ranks must be a Ranks or None, got {type(ranks).__name__}")
    if not isinstance(loader, ShardLoader) or loader.world_size != ranks.world_size:
        raise InputValueError(
            f"loader must be a ShardLoader over {ranks.world_size} ranks for a data-parallel "
            f"fit, got {loader!r}"
        )
    return DataParallel(
        wrap_model(model, device),
        ShardedLoss(loader).combine,
        partial(ShardedCheckpoints, ranks=ranks),
    )
