"""Checkpoints: atomic writes, and a killed run that resumes to the same bits."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from descentlab.train import load_checkpoint, save_checkpoint
from descentlab.train.checkpoint import capture_rng, restore_rng

EXE = shutil.which("descentlab")


def test_crash_between_write_and_rename_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, {"format": 1, "epoch": 1, "weights": torch.ones(3)})
    before = path.read_bytes()

    def crash(*args):
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr("descentlab.atomic_files.os.replace", crash)
    with pytest.raises(ValueError, match=r"checkpoint must be writable.*simulated crash"):
        save_checkpoint(path, {"format": 1, "epoch": 2, "weights": torch.zeros(3)})
    assert path.read_bytes() == before
    assert torch.load(path, weights_only=True)["epoch"] == 1  # a partial payload
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]  # no temp file left


def test_damaged_checkpoint_is_refused(tmp_path):
    path = tmp_path / "checkpoint.pt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="is not a descentlab checkpoint"):
        load_checkpoint(path)


def test_random_states_round_trip(tmp_path):
    generator = torch.Generator().manual_seed(3)
    save_checkpoint(tmp_path / "c.pt", {"format": 1, "rng": capture_rng(generator)})
    expected = (
        torch.rand(2),
        np.random.rand(),
        random.random(),
        torch.rand(2, generator=generator),
    )
    restore_rng(torch.load(tmp_path / "c.pt", weights_only=True)["rng"], generator)
    again = (torch.rand(2), np.random.rand(), random.random(), torch.rand(2, generator=generator))
    assert torch.equal(expected[0], again[0]) and expected[1:3] == again[1:3]
    assert torch.equal(expected[3], again[3])


ARGS = [
    "--model", "mlp", "--layers", "8,4", "--task", "classify", "--dataset", "wine",
    "--optimizer", "adam", "--lrate", "0.01", "--schedule", "plateau", "--batch-size", "16",
    "--epochs", "5", "--checkpoint-every", "2", "--device", "cpu", "--seed", "4",
]  # fmt: skip

KILLER = """
    import argparse, os, sys
    from descentlab.commands.train import add_parser, config_from_args
    from descentlab.train.session import run_training

    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["train", *sys.argv[2:]])

    def kill(event):  # after epoch 3: epoch 2 is checkpointed, epoch 3 is stored but not saved
        if event.kind == "epoch" and event.epoch == 3:
            os._exit(17)

    run_training(config_from_args(args), out=sys.argv[1], callback=kill)
"""


def _cli(*args):
    command = [EXE] if EXE else [sys.executable, "-m", "descentlab.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=3600)


def _weights(folder):
    model = load_checkpoint(folder / "train" / "checkpoint.pt")["model"]
    return b"".join(t.numpy().tobytes() for t in model.values())


def _config(out_args):
    import argparse

    from descentlab.commands.train import add_parser, config_from_args

    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    return config_from_args(parser.parse_args(["train", *out_args]))


@pytest.mark.slow
def test_killed_run_resumes_bit_identical(tmp_path):
    """A real process dies after epoch 3 (last checkpoint: epoch 2); the CLI resumes it."""
    from descentlab.store import ResultsStore
    from descentlab.train import run_training

    script = tmp_path / "killer.py"
    script.write_text(textwrap.dedent(KILLER))
    killed = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "a"), *ARGS], capture_output=True, timeout=3600
    )
    assert killed.returncode == 17, killed.stderr
    saved = load_checkpoint(tmp_path / "a" / "train" / "checkpoint.pt")
    assert saved["state"]["epoch"] == 2 and not saved["finished"]
    run_id = saved["config"]["run_id"]
    with ResultsStore(tmp_path / "a" / "runs.sqlite") as store:
        assert store.get_run(run_id).status == "running"
        assert len(store.metrics(run_id)["train_loss"]) == 3  # epoch 3 was logged, not saved

    changed = [*ARGS]
    changed[changed.index("--lrate") + 1] = "0.02"
    with pytest.raises(ValueError, match="resume config must equal the checkpoint's, got lrate"):
        run_training(_config(changed), out=tmp_path / "a", resume=True)

    resumed = _cli("train", *ARGS, "--out", str(tmp_path / "a"), "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    one = json.loads(resumed.stdout)
    fresh = run_training(_config(ARGS), out=tmp_path / "b")
    assert one["results"]["resumed_from_epoch"] == 2 and one["status"] == "finished"
    assert _weights(tmp_path / "a") == _weights(tmp_path / "b")
    for name in ("train_loss", "val_loss", "val_accuracy", "lrate"):
        assert one["results"]["history"][name] == fresh.results["history"][name]
    with ResultsStore(tmp_path / "a" / "runs.sqlite") as store:
        assert store.get_run(run_id).status == "finished" and one["run_ids"] == [run_id]
        stored = store.metrics(run_id)["train_loss"].tolist()
        assert stored == fresh.results["history"]["train_loss"]

    with pytest.raises(
        ValueError, match="resume must continue an unfinished run, got a finished checkpoint"
    ):
        run_training(_config(ARGS), out=tmp_path / "a", resume=True)


def test_interrupted_run_resumes_and_completes_its_stored_run(tmp_path):
    """Ctrl-C marks the run failed; --resume reopens that same run and finishes it."""
    from descentlab.store import ResultsStore
    from descentlab.train import run_training

    def interrupt(event):
        if event.kind == "epoch" and event.epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_training(_config(ARGS), out=tmp_path / "a", callback=interrupt)
    run_id = load_checkpoint(tmp_path / "a" / "train" / "checkpoint.pt")["config"]["run_id"]
    with ResultsStore(tmp_path / "a" / "runs.sqlite") as store:
        assert store.get_run(run_id).status == "interrupted"

    resumed = run_training(_config(ARGS), out=tmp_path / "a", resume=True)
    fresh = run_training(_config(ARGS), out=tmp_path / "b")
    assert resumed.run_id == run_id and resumed.status == "finished"
    assert _weights(tmp_path / "a") == _weights(tmp_path / "b")
    assert resumed.results["history"]["train_loss"] == fresh.results["history"]["train_loss"]
    with ResultsStore(tmp_path / "a" / "runs.sqlite") as store:
        run = store.get_run(run_id)
        assert run.status == "finished" and run.message is None
        assert (
            store.metrics(run_id)["train_loss"].tolist() == fresh.results["history"]["train_loss"]
        )
