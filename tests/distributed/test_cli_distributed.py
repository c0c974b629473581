"""``descentlab train --nproc N`` as a user runs it: refusals before any rank starts, a rank
killed mid-run (the others stop, the run is never left ``running``), a resume refused under
another world size and, under the same one, bit-identical to an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

TRAIN = [
    "train", "--model", "mlp", "--layers", "16,8", "--dataset", "wine", "--optimizer",
    "adam", "--lrate", "0.003", "--batch-size", "12", "--epochs", "60", "--json",
]  # fmt: skip


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "descentlab", *args],
        capture_output=True, text=True, timeout=600, **kwargs,
    )  # fmt: skip


@pytest.mark.slow
def test_a_batch_the_ranks_cannot_share_is_refused_before_any_start(tmp_path):
    done = cli(*TRAIN[:-5], "--batch-size", "13", "--nproc", "2", "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr == (
        "descentlab: error: batch_size must be a multiple of the number of processes (2: each "
        "takes batch_size / 2 samples of every global batch), got 13\n"
    )
    assert not (tmp_path / "runs.sqlite").exists()
    done = cli(*TRAIN, "--loader", "manual", "--nproc", "2", "--out", str(tmp_path))
    assert (
        done.returncode == 2 and "loader must be 'fast' when training with several" in done.stderr
    )
    done = cli(
        *TRAIN, "--nproc", "2", "--tensorboard", str(tmp_path / "tb"), "--out", str(tmp_path)
    )
    assert done.returncode == 2 and done.stderr.startswith(
        "descentlab: error: --tensorboard must come with one process"
    )
    assert len(done.stderr.splitlines()) == 1 and not (tmp_path / "tb").exists()
    done = cli(*TRAIN, "--nproc", "2", "--framework", "keras", "--out", str(tmp_path))
    assert done.returncode == 2 and "nproc above 1 needs framework torch" in done.stderr


def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        frontier += children
    return found


def rank_pid(launcher: int, rank: int) -> int | None:
    for pid in descendants(launcher):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"RANK={rank}".encode() in environ and b"TORCHELASTIC_RUN_ID=none" not in environ:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"descentlab" in cmdline and b"torch.distributed.run" not in cmdline:
                return pid
    return None


def final_model(out: Path) -> dict[str, torch.Tensor]:
    payload = torch.load(out / "train" / "checkpoint.pt", weights_only=True)
    assert payload["finished"] and payload["config"]["world_size"] == 2
    assert len(payload["rank_rng"]) == 2
    return payload["model"]


@pytest.mark.slow
def test_killed_rank_stops_the_run_and_a_resume_is_bit_identical(tmp_path):
    reference = cli(*TRAIN, "--nproc", "2", "--out", str(tmp_path / "ref"))
    assert reference.returncode == 0, reference.stderr
    payload = json.loads(reference.stdout)
    assert payload["status"] == "finished" and payload["config"]["world_size"] == 2

    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    launcher = subprocess.Popen(
        [sys.executable, "-m", "descentlab", *TRAIN, "--nproc", "2", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    checkpoint = out / "train" / "checkpoint.pt"
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    victim = rank_pid(launcher.pid, 1)
    assert victim is not None and launcher.poll() is None, "the run ended before the kill"
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    _, stderr = launcher.communicate(timeout=120)
    assert time.monotonic() - killed < 60  # well within the 60 s collective timeout
    assert launcher.returncode == 1, stderr
    assert "descentlab: error: rank 1 was killed by signal 9; torchrun stopped" in stderr
    assert "Traceback" not in stderr
    listing = cli("runs", "--out", str(out))
    status = listing.stdout.splitlines()[1].split()[2]
    assert status in ("interrupted", "failed"), listing.stdout

    other = cli(*TRAIN, "--nproc", "3", "--resume", "--out", str(out))
    assert other.returncode == 2
    assert other.stderr == (
        "descentlab: error: resume must use the number of processes the checkpoint was written "
        "with (2), got 3 (the shards and random streams depend on it: resume with --nproc 2)\n"
    )
    resumed = cli(*TRAIN, "--nproc", "2", "--resume", "--out", str(out))
    assert resumed.returncode == 0, resumed.stderr
    again = json.loads(resumed.stdout)
    assert again["run_ids"] == payload["run_ids"] and again["status"] == "finished"
    assert again["results"]["resumed_from_epoch"] >= 1
    want, got = final_model(tmp_path / "ref"), final_model(out)
    assert all(torch.equal(want[name], got[name]) for name in want)
    history = again["results"]["history"]
    assert history["train_loss"] == payload["results"]["history"]["train_loss"]
    listing = cli("runs", "--out", str(out))
    assert "finished" in listing.stdout.splitlines()[1]
