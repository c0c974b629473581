"""Issue 10's divergence cases through the real CLI (a subprocess): exit 0, one stderr line naming
epoch, step and rate, results and figures written, ``runs plot`` redraws, no warning printed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

LINE = re.compile(
    r"descentlab: diverged at epoch (\d+), step (\d+) with lrate ([0-9.e+-]+) \(loss "
)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "descentlab", *args], capture_output=True, text=True, timeout=600
    )


def _written(folder: Path) -> list[Path]:
    json.loads((folder / "results.json").read_text())
    pngs = sorted(folder.glob("*.png"))
    assert pngs and all(p.stat().st_size and p.with_suffix(".svg").stat().st_size for p in pngs)
    return pngs


def _status(out: Path) -> str:
    shown = cli("runs", "--out", str(out), "show", "1", "--json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)["run"]["status"]


@pytest.mark.slow
def test_train_diverging_at_epoch_2_is_a_result_and_leaves_the_folder_free(tmp_path):
    """main: "x and y must have same first dimension", no files, and the folder locked."""
    out = tmp_path / "out"
    args = ("train", "--model", "linear", "--dataset", "diabetes", "--optimizer", "sgd",
            "--lrate", "50", "--epochs", "5", "--out", str(out))  # fmt: skip
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr
    (line,) = done.stderr.splitlines()
    epoch, step, lrate = LINE.match(line).groups()
    assert (epoch, lrate) == ("2", "50") and 6 < int(step) <= 12  # 6 batches of 64 per epoch
    assert _written(out / "train") and _status(out) == "diverged"
    again = cli(*args)  # the diverged run's checkpoint is finished: nothing to resume
    assert again.returncode == 0, again.stderr


@pytest.mark.slow
def test_a_diverged_minibatch_run_is_drawn_and_redrawn(tmp_path):
    """main: "arange: cannot compute length" after storing the run; `runs plot` never drew it."""
    out = tmp_path / "out"
    done = cli("run", "minibatch-sgd", "--set", "lrate=100", "--set", "epochs=5", "--out", str(out))
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.splitlines()
    assert re.fullmatch(
        r"descentlab: 1 of 3 trials diverged: batch size 1 at epoch 1 step \d+ with lrate 100", line
    )
    drawn = _written(out / "minibatch-sgd")
    redraw = cli("runs", "--out", str(out), "plot", "1", "--to", str(tmp_path / "again"))
    assert redraw.returncode == 0, redraw.stderr
    assert sorted(p.name for p in (tmp_path / "again").glob("*.png")) == [p.name for p in drawn]


def _duplicated_rows(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 3))
    rows = np.repeat(np.column_stack([X, X @ np.ones(3)]), 5, axis=0)
    path = folder / "duplicated.csv"
    np.savetxt(path, rows, delimiter=",", header="a,b,c,y", comments="")
    return path


def _wide(folder: Path) -> Path:
    rng = np.random.default_rng(1)
    path = folder / "wide.csv"
    names = ",".join(f"c{j}" for j in range(20_000))
    np.savetxt(path, rng.standard_normal((12, 20_000)), delimiter=",", header=names, comments="")
    return path


CASES = {
    "gd-onefeature lrate 1e6": (("gd-onefeature", "--set", "lrate=1e6"), True),
    "lr-sweep up to 1e300": (("lr-sweep", "--set", "lrates=1e3,1e10,1e300"), True),
    "one sample": (("gd-onefeature", "--set", "n_samples=1"), False),
    "optimizers on duplicated rows": (("optimizers", "--data", _duplicated_rows), False),
    "20000 columns": (("gd-multifeature", "--data", _wide, "--set", "epochs=3"), False),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_no_warning_reaches_the_user(case, tmp_path):
    """main: NumPy overflow and matplotlib warnings printed on stderr for each of these."""
    words, diverges = CASES[case]
    args = [w(tmp_path) if callable(w) else w for w in words]
    done = cli("run", *map(str, args), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "warn" not in done.stderr.lower()
    assert len(done.stderr.splitlines()) == (1 if diverges else 0), done.stderr
    if diverges:
        assert "epoch" in done.stderr and "step" in done.stderr and "lrate" in done.stderr
