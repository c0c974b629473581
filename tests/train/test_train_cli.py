"""``descentlab train`` as a user runs it: a real process, its JSON, the store, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

EXE = shutil.which("descentlab")


def cli(*args: str) -> subprocess.CompletedProcess:
    command = [EXE] if EXE else [sys.executable, "-m", "descentlab.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=3600)


@pytest.mark.slow
def test_train_json_store_and_figure(tmp_path):
    out = tmp_path / "out"
    done = cli(
        "train", "--model", "mlp", "--layers", "8,4", "--task", "classify", "--dataset", "wine",
        "--epochs", "3", "--batch-size", "32", "--lrate", "0.01", "--out", str(out), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar under --json
    payload = json.loads(done.stdout)
    assert set(payload) == {"experiment", "config", "results", "figures", "run_ids", "status"}
    assert payload["experiment"] == "train" and payload["status"] == "finished"
    history = payload["results"]["history"]
    assert history["epoch"] == [1.0, 2.0, 3.0]
    for name in ("train_loss", "val_loss", "val_accuracy", "val_zero_one", "lrate"):
        assert len(history[name]) == 3
    assert 0 <= payload["results"]["final_val_accuracy"] <= 1
    config = payload["config"]
    assert config["layers"] == [8, 4] and config["n_outputs"] == 3 and config["n_val"] == 36
    assert (out / "train" / "learning-curves.png").is_file()
    listing = cli("runs", "--out", str(out))
    assert listing.returncode == 0
    assert f"{payload['run_ids'][0]:>4}  train" in listing.stdout and "finished" in listing.stdout


def test_diverged_run_explains_itself_and_exits_0(tmp_path):
    done = cli(
        "train", "--model", "linear", "--dataset", "regression", "--optimizer", "sgd",
        "--lrate", "50", "--epochs", "3", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("descentlab: diverged at epoch 1, step ")
    assert "with lrate 50 (loss inf)" in done.stderr and done.stderr.count("\n") == 1
    assert "train (run 1, diverged, 1 epochs): train loss not finite" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--model", "logistic", "--dataset", "diabetes"),
            "descentlab: error: task must be 'classify' for model 'logistic', got 'regress'",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    done = cli("train", *args, "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [message]
