"""One process of ``bench_distributed.py``: trains the benchmark's MLP for a few timed epochs,
alone (``single``) or as one rank under torchrun (``ranks``), and writes rank 0's figures as JSON.

    python distributed_rank.py single OUT.json SAMPLES EPOCHS
    torchrun --standalone --nproc-per-node 2 distributed_rank.py ranks OUT.json SAMPLES EPOCHS

Each epoch is one ``fit(epochs=1)`` call between barriers; the medians go to the JSON. Under
torchrun each rank also times (a) the same epochs over its shards without DDP (no communication:
the compute a rank does), and (b) inside DDP, the time from launching each gradient bucket's
all-reduce to its completion (a communication hook), to give the communication share.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import torch

from descentlab.loading.shard import ShardLoader
from descentlab.models import make_model
from descentlab.tasks import make_task
from descentlab.train.batch_source import make_train_loader
from descentlab.train.distributed import process_group, wrap_model
from descentlab.train.fit import FitConfig, fit
from descentlab.train.launch import ranks_from_environment
from descentlab.train.optimizer_choice import build_optimizer

FEATURES = 64
LAYERS = (256, 256, 256)
BATCH = 8192  # global batch; 4096 per rank with 2 ranks


def problem(samples: int):
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(samples, FEATURES, generator=generator)
    y = X[:, :8].sum(1, keepdim=True) + 0.1 * torch.randn(samples, 1, generator=generator)
    task = make_task("regress", y.numpy())
    model = make_model("mlp", FEATURES, 1, layers=LAYERS, seed=1)
    return X, task.targets(y.numpy()), task, model


def timed_epochs(epochs: int, one_epoch, barrier) -> list[float]:
    one_epoch()  # warm-up
    seconds = []
    for _ in range(epochs):
        barrier()
        start = time.perf_counter()
        one_epoch()
        barrier()
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    mode, out, samples, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    X, y, task, model = problem(samples)
    config = FitConfig(epochs=1, device="cpu")
    result = {"threads": torch.get_num_threads(), "samples": samples, "batch": BATCH}
    if mode == "single":
        loader = make_train_loader(X, y, BATCH, seed=2)
        optimizer = build_optimizer(model, "adam", lrate=1e-3)
        seconds = timed_epochs(
            epochs, lambda: fit(model, optimizer, loader, task, config), lambda: None
        )
        result["epoch_s"] = statistics.median(seconds)
    else:
        import torch.distributed as dist
        from torch.distributed.algorithms.ddp_comm_hooks import default_hooks

        ranks = ranks_from_environment(os.environ)
        with process_group(ranks, torch.device("cpu")):
            loader = ShardLoader(X, y, BATCH, seed=2, rank=ranks.rank, world_size=ranks.world_size)
            optimizer = build_optimizer(model, "adam", lrate=1e-3)
            comm: list[float] = []

            def timed_hook(state, bucket):
                start = time.perf_counter()
                future = default_hooks.allreduce_hook(state, bucket)

                def done(f):
                    comm.append(time.perf_counter() - start)
                    return f.value()

                return future.then(done)

            original = wrap_model

            def wrap_timed(module, device):
                wrapped = original(module, device)
                wrapped.register_comm_hook(None, timed_hook)
                return wrapped

            import descentlab.train.distributed as distributed

            distributed.wrap_model = wrap_timed
            ddp = timed_epochs(
                epochs,
                lambda: fit(model, optimizer, loader, task, config, ranks=ranks),
                dist.barrier,
            )
            comm_per_epoch = sum(comm) / (epochs + 1)
            local_model = make_model("mlp", FEATURES, 1, layers=LAYERS, seed=1)
            local_opt = build_optimizer(local_model, "adam", lrate=1e-3)
            alone = timed_epochs(
                epochs, lambda: fit(local_model, local_opt, loader, task, config), dist.barrier
            )
            result.update(
                epoch_s=statistics.median(ddp),
                compute_only_epoch_s=statistics.median(alone),
                allreduce_s_per_epoch=comm_per_epoch,
                world_size=ranks.world_size,
            )
            if not ranks.writer:
                return
    with open(out, "w") as stream:
        json.dump(result, stream)


if __name__ == "__main__":
    main()
