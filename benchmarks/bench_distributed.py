"""Data-parallel scaling: the MLP trainer with 1 and 2 processes (NOTE [data parallel]).

Configuration (compute-bound on purpose): an MLP 64-256-256-256-1 (≈150k parameters), Adam,
global batch 8192 (4096 per rank with 2), float32 on the CPU, threads pinned to 1 per process
(``OMP_NUM_THREADS=1``). A step then costs ~120 ms of matrix products per rank (about 3.6 GFLOP)
against one all-reduce of 0.6 MB, so two processes on two cores can approach 2×. At global batch
2048 (a quarter of the compute per all-reduce) two processes measured 1.45× here: DDP's fixed
cost per step (bucket copies, the all-reduce's own threads on the same two cores, the loss
value shared for the divergence check) was a third of the step. The cases:

* ``1 process, 1 thread`` — plain ``fit``, the baseline the target is measured against;
* ``1 process, 2 threads`` — the same with torch's own intra-op parallelism over both cores;
* ``2 processes (gloo)`` — ``torchrun --nproc-per-node 2``, DDP, each rank its shard.

Ratios: speed-up of 2 processes over 1 (target ≥ 1.6), scaling efficiency (speed-up / 2), and the
communication share, two ways: ``DDP epoch / compute-only epoch`` (the same shards trained
without DDP at the same time on both ranks; the share is ``1 − 1/ratio``) and the all-reduce
time from the DDP communication hook (launch → completion, overlapping backward) per epoch.
CPU only: the NCCL path (one process per GPU) needs two GPUs on one host to be measured.

    python benchmarks/run_all.py distributed [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import Benchmark, Case, Ratio

HERE = Path(__file__).resolve().parent
RANK = HERE / "distributed_rank.py"
TARGET = 1.6


def _run(command: list[str], threads: int, tail: list[str]) -> dict:
    """Run one side (its arguments: the output file, then ``tail``) and read its figures."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        done = subprocess.run(
            [*command, str(out), *tail], env=env, capture_output=True, text=True, timeout=1800
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
        return json.loads(out.read_text())


def run(quick: bool, smoke: bool = False) -> Benchmark:
    samples = 8192 if smoke else 32768 if quick else 131072
    epochs = 1 if smoke else 3 if quick else 7
    tail = [str(samples), str(epochs)]
    single = [sys.executable, str(RANK), "single"]
    ranks = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
             "2", str(RANK), "ranks"]  # fmt: skip
    one = _run(single, 1, tail)
    two_threads = _run(single, 2, tail)
    two = _run(ranks, 1, tail)
    detail = {"samples": samples, "epochs_timed": epochs, "batch": 8192, "layers": "256,256,256"}
    cases = [
        Case("1 process, 1 thread", one["epoch_s"], samples / one["epoch_s"], "samples/s", detail),
        Case(
            "1 process, 2 threads",
            two_threads["epoch_s"],
            samples / two_threads["epoch_s"],
            "samples/s",
            detail,
        ),
        Case(
            "2 processes (gloo), 1 thread each",
            two["epoch_s"],
            samples / two["epoch_s"],
            "samples/s",
            {**detail, **two},
        ),
    ]
    speedup = one["epoch_s"] / two["epoch_s"]
    overhead = two["epoch_s"] / two["compute_only_epoch_s"]
    hook_share = two["allreduce_s_per_epoch"] / two["epoch_s"]
    ratios = [
        Ratio("2 processes / 1 process", speedup, TARGET, True,
              "samples/s of 2 gloo ranks over one process, 1 thread each"),
        Ratio("scaling efficiency", speedup / 2, TARGET / 2, True, "speed-up / 2 processes"),
        Ratio("DDP epoch / compute-only epoch", overhead, 1.25, False,
              "communication share = 1 - 1/value (the same shards trained at the same time "
              "without DDP); 1.25 is a share of 20%"),
        Ratio("all-reduce hook share", hook_share, 1.0, False,
              "all-reduce launch-to-completion time per epoch / DDP epoch (overlaps backward)"),
        Ratio("2 processes / 1 process with 2 threads", two_threads["epoch_s"] / two["epoch_s"],
              1.0, True, "data parallel against torch's own threads on the same cores"),
    ]  # fmt: skip
    return Benchmark(
        name="distributed",
        setting=(
            f"CPU float32 MLP 64-256-256-256-1, Adam, global batch 8192, {samples} samples, "
            f"median of {epochs} epochs; OMP_NUM_THREADS pinned per process"
        ),
        cases=cases,
        ratios=ratios,
    )
