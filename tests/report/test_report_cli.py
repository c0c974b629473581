"""``descentlab report`` as a user runs it: real processes, exit codes, the claimed folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from descentlab.store import ResultsStore

from .report_store import add_lr_sweep, add_train, embedded_data


def report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "descentlab", "report", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "out" / "runs.sqlite"
    with ResultsStore(path) as store:
        add_lr_sweep(store)
        add_train(store, lrate=0.1, optimizer="adam")
        add_train(store, lrate=0.01, optimizer="sgd")
    return path


def test_report_of_a_whole_store_writes_three_files_into_a_claimed_folder(
    store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    done = report("--store", str(store_path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out.resolve() / "index.html")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["files"] == [
        "index.html",
        "plotly.min.js",
        "report.js",
    ]
    data = embedded_data(out / "index.html")
    assert [row["id"] for row in data["runs"]] == [1, 4, 5]
    again = report("--store", str(store_path), "--out", str(out), "4")
    assert again.returncode == 0, again.stderr
    assert [row["id"] for row in embedded_data(out / "index.html")["runs"]] == [4]


def test_default_out_is_the_report_folder_beside_the_store(store_path: Path) -> None:
    done = report("--store", str(store_path), "--experiment", "train")
    assert done.returncode == 0, done.stderr
    index = store_path.parent / "report" / "index.html"
    assert [row["experiment"] for row in embedded_data(index)["runs"]] == ["train", "train"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999"], "run id must be a run in"),
        (["0"], "run id must be a positive integer"),
        (["--experiment", "minima"], "experiment must have runs in"),
        (["1", "--all"], "runs must be chosen one way"),
        (["--sweep", "3"], "sweep id must be a sweep in"),
        (["1", "--sweep", "1"], "runs must be chosen one way"),
    ],
)
def test_bad_choices_exit_2_with_one_line_and_write_nothing(
    store_path: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "never"
    done = report("--store", str(store_path), "--out", str(out), *args)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_a_missing_store_and_someone_elses_folder_are_refused(
    store_path: Path, tmp_path: Path
) -> None:
    missing = report("--store", str(tmp_path / "nope.sqlite"), "--out", str(tmp_path / "r"))
    assert missing.returncode == 2 and "store must be an existing results file" in missing.stderr
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    done = report("--store", str(store_path), "--out", str(theirs))
    assert done.returncode == 2 and "holds other files" in done.stderr
    assert sorted(p.name for p in theirs.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_report_of_one_sweep_shows_its_trials_and_its_views(tmp_path: Path) -> None:
    """``report --sweep ID``: the sweep's trial runs in the table and its objective views."""
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(
        'run = "train"\n[fixed]\nmodel = "linear"\nn_samples = 120\nn_features = 3\n'
        'device = "cpu"\nepochs = 2\n[space]\nlrate = "0.01,0.1,0.3"\n'
    )
    out = tmp_path / "out"
    swept = subprocess.run(
        [sys.executable, "-m", "descentlab", "sweep", str(sweep_file), "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    done = report("--store", str(out / "runs.sqlite"), "--sweep", "1", "--out", str(tmp_path / "r"))
    assert done.returncode == 0, done.stderr
    data = embedded_data(tmp_path / "r" / "index.html")
    assert [row["experiment"] for row in data["runs"]] == ["train"] * 3
    (view,) = data["sweeps"]
    assert sorted(p["params"]["lrate"] for p in view["points"]) == [0.01, 0.1, 0.3]
    assert all(p["objective"] is not None for p in view["points"])
