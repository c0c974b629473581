"""Issue 10, "Input and exit codes": each case through the real console script.

A user's mistake must end with exit code 2 and exactly one stderr line that names the flag or
argument; never exit 1 ("unexpected error"), a traceback or a file left behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from descentlab.lifecycle.output_folder import MARKER

# every case starts a Python process with torch and the CLI (seconds on a loaded machine)
pytestmark = pytest.mark.slow


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "descentlab", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)


def refused(done: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit 2, one stderr line holding every fragment; returns that line."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("run", "gd-onefeature", "--seed", "9223372036854775808"),
        ("run", "gd-onefeature", "--set", "seed=99999999999999999999"),
        ("train", "--model", "linear", "--seed", "9223372036854775808"),
        ("run", "gd-onefeature", "--seed", "-1"),
    ],
    ids=["run--seed", "run--set-seed", "train--seed", "negative"],
)
def test_seed_outside_64_bits_is_refused(tmp_path, args):
    line = refused(
        cli(*args, "--out", "out", cwd=tmp_path), "seed must be an integer in [0, 2**63 - 1], got"
    )
    assert not (tmp_path / "out").exists(), line  # refused before the folder or the store


def test_hidden_seed_outside_64_bits_is_refused(tmp_path):
    submission = tmp_path / "mine.py"
    submission.write_text("def gradient_step(x, y, w, lrate):\n    return w\n")
    done = cli("check", str(submission), "--hidden-seed", "9223372036854775808", cwd=tmp_path)
    refused(done, "hidden_seed must be an integer in [0, 2**63 - 1], got 9223372036854775808")


def test_duplicate_csv_header_names_the_column(tmp_path):
    (tmp_path / "dup.csv").write_text("a,a,y\n1,2,3\n4,5,6\n7,8,10\n")
    done = cli("run", "gd-multifeature", "--data", "dup.csv", "--out", "out", cwd=tmp_path)
    refused(done, "data column names must be distinct", "'a'")


def test_huge_values_are_standardised_not_zeroed(tmp_path):
    """A column near 1e308 has an infinite naive std; it must still reach the model."""
    rows = ["a,b,y", "1e308,1,3", "-1e308,2,4", "1.5e308,3,5", "0,4,7"]
    (tmp_path / "big.csv").write_text("\n".join(rows) + "\n")
    done = cli(
        "run", "gd-multifeature", "--data", "big.csv", "--out", "out", "--json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no overflow warning leaks
    payload = json.loads(done.stdout)
    optimum = payload["results"]["optimum_weights"]
    assert np.isfinite(optimum).all()
    assert abs(optimum[0]) > 1e-6  # the huge feature was not zeroed
    assert payload["config"]["dataset"]["n_features"] == 2


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--set", "features=a,b"), ("features must come with data", "('a', 'b')")),
        (("--features", "a,b"), ("features must come with data",)),
        (("--set", "target=y"), ("target must come with data",)),
    ],
    ids=["set-features", "features-flag", "set-target"],
)
def test_column_choice_without_data_is_refused(tmp_path, args, fragments):
    refused(cli("run", "gd-multifeature", *args, "--out", "out", cwd=tmp_path), *fragments)


def test_snapshot_epochs_beyond_epochs_is_refused(tmp_path):
    done = cli(
        "run", "lr-sweep", "--set", "epochs=100", "--set", "snapshot_epochs=0,1000",
        "--out", "out", cwd=tmp_path,
    )  # fmt: skip
    refused(done, "snapshot_epochs", "epochs=100", "got 1000")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("run", "gd-onefeature", "--set", "epochs=99999999999999999999"), ("epochs",)),
        (("run", "gd-onefeature", "--set", "epochs=999999999999999"), ("epochs", "limit")),
        (("run", "gd-multifeature", "--set", "n_samples=100000000000"), ("n_samples", "limit")),
        (("train", "--model", "mlp", "--layers", "100000000"), ("--layers", "limit")),
    ],
    ids=["epochs-c-long", "epochs", "n_samples", "layers"],
)
def test_sizes_beyond_memory_are_refused_before_starting(tmp_path, args, fragments):
    line = refused(cli(*args, "--out", "out", cwd=tmp_path), *fragments)
    assert not (tmp_path / "out").exists(), line


def _checkpoint_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "out" / "train"
    folder.mkdir(parents=True)
    (tmp_path / "out" / MARKER).write_text("")  # a folder descentlab created earlier
    return folder


def test_checkpoint_missing_keys_is_named(tmp_path):
    path = _checkpoint_folder(tmp_path) / "checkpoint.pt"
    torch.save({"format": 1, "finished": False}, path)
    done = cli("train", "--model", "linear", "--out", "out", "--resume", cwd=tmp_path)
    line = refused(done, "is not a descentlab checkpoint (missing 'config')")
    assert line.startswith("descentlab: error: checkpoint ")
    assert line.split()[3].endswith(str(Path("out/train/checkpoint.pt")))  # the file, by name


def test_random_bytes_checkpoint_never_advises_unsafe_loading(tmp_path):
    path = _checkpoint_folder(tmp_path) / "checkpoint.pt"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    done = cli("train", "--model", "linear", "--out", "out", "--resume", cwd=tmp_path)
    line = refused(done, "checkpoint.pt", "is not a descentlab checkpoint")
    assert "weights_only" not in done.stderr, line


def test_folder_named_checkpoint_is_refused_before_training(tmp_path):
    (_checkpoint_folder(tmp_path) / "checkpoint.pt").mkdir()
    done = cli("train", "--model", "linear", "--out", "out", cwd=tmp_path)
    refused(done, "checkpoint must be a file", "(a folder)")
    assert not (tmp_path / "out" / "runs.sqlite").exists()  # no run was started
