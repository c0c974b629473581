"""Issue 10, "Input and exit codes": each case through the command line's own ``main``.

A user's mistake must end with exit code 2 and exactly one stderr line that names the flag or
argument; never exit 1 ("unexpected error"), a traceback or a file left behind.

The cases run ``descentlab.cli.main`` in this process, with warnings as errors (a warning is
what the console script would print to stderr); a process start per case (a second or more
each, torch included) added nothing but time. ``test_the_console_script_refuses_alike``
checks once that the real console script ends the same way, exit code and line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from descentlab.cli import main
from descentlab.lifecycle.output_folder import MARKER

pytestmark = pytest.mark.filterwarnings("error")


@dataclass(frozen=True)
class Done:
    """What a command left: exit code, stdout and stderr (as ``subprocess`` reports them)."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """``run_cli(*args, cwd=...)``: ``descentlab args`` run by ``main`` in ``cwd``."""

    def run(*args: str, cwd: Path) -> Done:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse's own usage errors
            code = stop.code
        captured = capsys.readouterr()
        return Done(code, captured.out, captured.err)

    return run


def refused(done: Done | subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit 2, one stderr line holding every fragment; returns that line."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.slow
def test_the_console_script_refuses_alike(tmp_path, run_cli):
    args = ("train", "--model", "linear", "--seed", "-1", "--out", "out")
    command = [sys.executable, "-m", "descentlab", *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=3600)
    line = refused(done, "seed must be an integer in [0, 2**63 - 1], got -1")
    assert refused(run_cli(*args, cwd=tmp_path)) == line
    assert not (tmp_path / "out").exists()


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
def test_seed_outside_64_bits_is_refused(run_cli, tmp_path, args):
    line = refused(
        run_cli(*args, "--out", "out", cwd=tmp_path),
        "seed must be an integer in [0, 2**63 - 1], got",
    )
    assert not (tmp_path / "out").exists(), line  # refused before the folder or the store


def test_hidden_seed_outside_64_bits_is_refused(run_cli, tmp_path):
    submission = tmp_path / "mine.py"
    submission.write_text("def gradient_step(x, y, w, lrate):\n    return w\n")
    done = run_cli("check", str(submission), "--hidden-seed", "9223372036854775808", cwd=tmp_path)
    refused(done, "hidden_seed must be an integer in [0, 2**63 - 1], got 9223372036854775808")


def test_duplicate_csv_header_names_the_column(run_cli, tmp_path):
    (tmp_path / "dup.csv").write_text("a,a,y\n1,2,3\n4,5,6\n7,8,10\n")
    done = run_cli("run", "gd-multifeature", "--data", "dup.csv", "--out", "out", cwd=tmp_path)
    refused(done, "data column names must be distinct", "'a'")


def test_huge_values_are_standardised_not_zeroed(run_cli, tmp_path):
    """A column near 1e308 has an infinite naive std; it must still reach the model."""
    rows = ["a,b,y", "1e308,1,3", "-1e308,2,4", "1.5e308,3,5", "0,4,7"]
    (tmp_path / "big.csv").write_text("\n".join(rows) + "\n")
    done = run_cli(
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
def test_column_choice_without_data_is_refused(run_cli, tmp_path, args, fragments):
    refused(run_cli("run", "gd-multifeature", *args, "--out", "out", cwd=tmp_path), *fragments)


def test_snapshot_epochs_beyond_epochs_is_refused(run_cli, tmp_path):
    done = run_cli(
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
def test_sizes_beyond_memory_are_refused_before_starting(run_cli, tmp_path, args, fragments):
    line = refused(run_cli(*args, "--out", "out", cwd=tmp_path), *fragments)
    assert not (tmp_path / "out").exists(), line


def _checkpoint_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "out" / "train"
    folder.mkdir(parents=True)
    (tmp_path / "out" / MARKER).write_text("")  # a folder descentlab created earlier
    return folder


def test_checkpoint_missing_keys_is_named(run_cli, tmp_path):
    path = _checkpoint_folder(tmp_path) / "checkpoint.pt"
    torch.save({"format": 1, "finished": False}, path)
    done = run_cli("train", "--model", "linear", "--out", "out", "--resume", cwd=tmp_path)
    line = refused(done, "is not a descentlab checkpoint (missing 'config')")
    assert line.startswith("descentlab: error: checkpoint ")
    assert line.split()[3].endswith(str(Path("out/train/checkpoint.pt")))  # the file, by name


def test_random_bytes_checkpoint_never_advises_unsafe_loading(run_cli, tmp_path):
    path = _checkpoint_folder(tmp_path) / "checkpoint.pt"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    done = run_cli("train", "--model", "linear", "--out", "out", "--resume", cwd=tmp_path)
    line = refused(done, "checkpoint.pt", "is not a descentlab checkpoint")
    assert "weights_only" not in done.stderr, line


def test_folder_named_checkpoint_is_refused_before_training(run_cli, tmp_path):
    (_checkpoint_folder(tmp_path) / "checkpoint.pt").mkdir()
    done = run_cli("train", "--model", "linear", "--out", "out", cwd=tmp_path)
    refused(done, "checkpoint must be a file", "(a folder)")
    assert not (tmp_path / "out" / "runs.sqlite").exists()  # no run was started


def test_a_rate_beyond_float32_is_bad_input_not_a_crash(tmp_path, capsys):
    from descentlab.cli import main

    code = main(["train", "--model", "linear", "--lrate", "1e300", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("descentlab: error: lrate must be a finite positive number up to")
    assert not (tmp_path / "o").exists()  # refused before any folder or store


@pytest.mark.parametrize("command", [["run", "gd-onefeature"], ["train", "--model", "linear"]])
def test_an_empty_out_is_refused_not_taken_for_the_current_folder(
    command, tmp_path, capsys, monkeypatch
):
    from descentlab.cli import main

    monkeypatch.chdir(tmp_path)  # an empty folder: the old code would have written into it
    code = main([*command, "--out", ""])
    assert code == 2
    assert capsys.readouterr().err.strip() == "descentlab: error: out must name a folder, got ''"
    assert list(tmp_path.iterdir()) == []
