"""The minima experiment (SPEC §2.8): the located minima, the runs' basins, figures, the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from descentlab.experiments import minima
from descentlab.experiments.runner import resolve_config
from descentlab.landscapes import BASINS, X_COS_PI_X

EXE = shutil.which("descentlab")


def test_cli_run_json_has_the_minima_and_every_basin(tmp_path):
    command = [EXE] if EXE else [sys.executable, "-m", "descentlab.cli"]
    done = subprocess.run(
        [*command, "run", "minima", "--json", "--out", str(tmp_path / "tmp")],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    results = payload["results"]
    minima = results["minima"]
    assert set(minima) == {"local", "global"}
    for kind, (x, f) in {"local": (-0.274, -0.179), "global": (1.090, -1.047)}.items():
        assert minima[kind]["x"] == pytest.approx(x, abs=1e-3)
        assert minima[kind]["f"] == pytest.approx(f, abs=1e-3)
        assert abs(X_COS_PI_X.derivative(np.float64(minima[kind]["x"]))) < 1e-9
    config = payload["config"]
    runs = results["runs"]
    assert len(runs) == config["n_starts"] * len(config["lrates"])
    assert all(set(run) == {"start", "lrate", "final_x", "basin"} for run in runs)
    assert {run["basin"] for run in runs} >= {"local", "global", "diverged"}
    assert {run["basin"] for run in runs} <= set(BASINS)
    names = {figure["name"] for figure in payload["figures"]}
    assert names == {
        "minima-curve",
        "minima-basins",
        "minima-rosenbrock",
        "minima-saddle",
        "minima-narrow-valley",
    }
    for figure in payload["figures"]:
        assert Path(figure["png"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    surface_runs = results["surface_runs"]
    assert len(surface_runs) == 3 * len(config["optimizers"])
    assert all(run["left_box"] for run in surface_runs if run["surface"] == "saddle")


def test_basins_are_consistent_with_the_final_iterates():
    config = resolve_config("minima", {"surfaces": "", "n_starts": "13"})
    outcome = minima.run(config, minima.default_data(config))
    results = outcome.results
    local, global_ = results["minima"]["local"]["x"], results["minima"]["global"]["x"]
    for run in results["runs"]:
        x = run["final_x"]
        if run["basin"] == "diverged":
            assert not -1 <= x <= 2
        elif run["basin"] in ("local", "global"):
            assert abs(x - (local if run["basin"] == "local" else global_)) <= 1e-3
        else:
            assert -1 <= x <= 2 and min(abs(x - local), abs(x - global_)) > 1e-3
    counts = {row["lrate"]: row for row in results["basin_counts"]}
    # small rates: the maximum near x = 0.27 splits the starts; 0.7 leaves the interval
    assert counts[0.01]["local"] + counts[0.01]["global"] == 13
    assert counts[0.7]["diverged"] == 13
    assert outcome.status == "finished"
    assert [t.status for t in outcome.trials].count("diverged") == 1
    assert "with lrate 0.7 (every run left [-1, 2])" in outcome.trials[-1].message


@pytest.mark.parametrize(
    ("overrides", "error", "needle"),
    [
        ({"show_lrate": "0.25"}, ValueError, "show_lrate must be one of lrates"),
        ({"data": "x.csv"}, ValueError, "data must be empty for minima"),
        ({"backend": "torch"}, ValueError, "backend must be one of 'numpy', got 'torch'"),
        ({"surfaces": "bowl"}, ValueError, "surface must be one of 'rosenbrock'"),
        ({"optimizers": "lbfgs"}, ValueError, "optimizer must be one of 'sgd'"),
        ({"n_starts": "1"}, ValueError, "n_starts must be an integer >= 2, got 1"),
        ({"lrates": "0.1,-1"}, ValueError, "lrate must be a finite positive number, got -1.0"),
        ({"tolerance": "0"}, ValueError, "tolerance must be a finite positive number, got 0.0"),
    ],
)
def test_bad_config(overrides, error, needle):
    with pytest.raises(error, match=needle):
        resolve_config("minima", overrides)
