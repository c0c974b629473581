"""The console script as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

EXE = shutil.which("descentlab") or ""


def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    command = [EXE] if EXE else [sys.executable, "-m", "descentlab.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, timeout=3600)


def test_list():
    done = cli("list")
    assert done.returncode == 0
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == [
        "gd-onefeature",
        "lr-sweep",
        "gd-multifeature",
        "minibatch-sgd",
        "batch-compare",
        "optimizers",
        "schedulers",
        "minima",
        "loaders",
        "keras-dense",
        "devices",
        "lr-find",
    ]


def test_run_json_and_runs_commands(tmp_path):
    out = tmp_path / "out"
    done = cli(
        "run",
        "gd-onefeature",
        "--out",
        str(out),
        "--seed",
        "3",
        "--json",
        "--set",
        "epochs=20",
        "--backend",
        "torch",
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) >= {"experiment", "config", "results", "figures", "run_ids"}
    for key in (
        "weights",
        "losses",
        "final_weight",
        "final_loss",
        "optimum_weight",
        "backend_max_abs_diff",
    ):
        assert key in payload["results"]
    assert payload["config"]["seed"] == 3 and payload["config"]["backend"] == "torch"
    listing = cli("runs", "--out", str(out))
    assert listing.returncode == 0 and "gd-onefeature" in listing.stdout
    run_id = str(payload["run_ids"][0])
    show = cli("runs", "--out", str(out), "show", run_id)
    assert show.returncode == 0 and "finished" in show.stdout and "weight[21]" in show.stdout
    export = cli("runs", "--out", str(out), "export", run_id, "--format", "parquet")
    assert export.returncode == 0 and (out / f"run-{run_id}.parquet").is_file()
    again = cli("runs", "--out", str(out), "export", run_id, "--format", "parquet")
    assert again.returncode == 2 and "must not exist yet" in again.stderr
    redraw = cli("runs", "--out", str(out), "plot", run_id, "--to", str(tmp_path / "re"))
    assert redraw.returncode == 0 and (tmp_path / "re" / "gd-onefeature.svg").is_file()
    after = cli("runs", "show", run_id, "--out", str(out))  # --out after the subcommand too
    assert after.returncode == 0 and after.stdout == show.stdout
    elsewhere = cli("runs", "show", run_id, "--out", str(tmp_path / "empty"))
    assert elsewhere.returncode == 2 and len(elsewhere.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("run", "no-such"), "experiment must be one of 'gd-onefeature'"),
        (
            ("run", "gd-onefeature", "--set", "lrate=-1"),
            "lrate must be a finite positive number, got -1.0",
        ),
        (("run", "gd-onefeature", "--set", "epochs=0"), "epochs must be a positive integer, got 0"),
        (("run", "gd-onefeature", "--set", "bogus=1"), "--set key must be one of:"),
        (("run", "gd-onefeature", "--set", "lrate"), "--set must be key=value, got 'lrate'"),
        (
            ("run", "minibatch-sgd", "--set", "batch_sizes=0"),
            "batch_size must be a positive integer, got 0",
        ),
        (("run", "gd-onefeature", "--data", "missing.csv"), "data must be an existing file"),
        (("run", "gd-onefeature", "--backend", "jax"), "invalid choice: 'jax'"),
        (
            ("run", "gd-onefeature", "--out", "/proc/descentlab-nope"),
            "out must be a writable folder",
        ),
        (("runs", "--out", "nowhere", "show", "1"), "store must be an existing results file"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, needle):
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert needle in lines[0] and "Traceback" not in done.stderr


def test_user_data_with_several_features_needs_a_choice(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b,t\n1,2,3\n4,5,6\n7,8,10\n")
    done = cli(
        "run", "gd-onefeature", "--data", str(data), "--target", "t", "--out", str(tmp_path / "o")
    )
    assert done.returncode == 2 and "exactly 1 feature column" in done.stderr
    ok = cli(
        "run",
        "gd-onefeature",
        "--data",
        str(data),
        "--target",
        "t",
        "--features",
        "a",
        "--out",
        str(tmp_path / "o"),
        "--json",
    )
    assert ok.returncode == 0, ok.stderr


def test_diverged_run_says_so_and_exits_0(tmp_path):
    done = cli(
        "run", "gd-onefeature", "--set", "lrate=50", "--set", "epochs=400", "--out", str(tmp_path)
    )
    assert done.returncode == 0
    assert "diverged" in done.stdout and "diverged at epoch" in done.stderr


@pytest.mark.slow
def test_tour_writes_every_figure_and_an_index(tmp_path):
    done = cli("tour", "--out", str(tmp_path / "t"), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    index = (tmp_path / "t" / "index.html").read_text()
    figures = [f for run in payload["runs"] for f in run["figures"]]
    assert len(payload["runs"]) == 12 and len(figures) == 29  # §2.1–2.12
    for figure in figures:
        assert os.path.relpath(figure["png"], tmp_path / "t") in index
        assert figure["caption"].split(":")[0][:30] in index.replace("&#x27;", "'")
    again = cli("tour", "--out", str(tmp_path / "t"))
    assert again.returncode == 0, again.stderr


def test_check_and_cases_commands(tmp_path):
    good = tmp_path / "solution.py"
    good.write_text(
        "import numpy as np\n\n"
        "def gradient_step(X, y, weight, lrate):\n"
        "    r = y - X @ weight\n"
        "    return weight + lrate * (2 / len(X)) * X.T @ r, float(np.mean(r**2))\n"
    )
    ok = cli("check", str(good))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = tmp_path / "flipped.py"
    bad.write_text(good.read_text().replace("weight + lrate", "weight - lrate"))
    failed = cli("check", str(bad), "--json")
    assert failed.returncode == 1
    assert "sign" in failed.stdout.lower()
    missing = cli("check", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    written = cli("cases", "generate", "--out", str(tmp_path / "cases"), "--seed", "3")
    assert written.returncode == 0, written.stderr
    again = cli("cases", "generate", "--out", str(tmp_path / "cases"), "--seed", "3")
    assert again.returncode == 2
