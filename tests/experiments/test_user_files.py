"""Experiments on the user's own data file (SPEC §2: every experiment accepts a CSV/Parquet/.npy)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from descentlab.experiments.runner import run_experiment


@pytest.fixture
def three_feature_csv(tmp_path):
    """A small CSV with three features ``a, b, c`` and a target ``y`` (a noisy linear map)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=40)
    path = tmp_path / "mine.csv"
    rows = "".join(",".join(f"{v:.6f}" for v in row) + "\n" for row in np.column_stack([X, y]))
    path.write_text("a,b,c,y\n" + rows)
    return path


@pytest.mark.parametrize("model", ["linear", "mlp"])
def test_lr_find_takes_a_file_of_any_width(tmp_path, three_feature_csv, model):
    overrides = {"data": str(three_feature_csv), "target": "y", "model": model}
    overrides |= {"num_steps": "20", "train_epochs": "2"}
    report = run_experiment("lr-find", out=tmp_path / "out", overrides=overrides)
    assert report.config["dataset"]["n_features"] == 3
    assert len(report.results["lrates"]) <= 20
    json.dumps(report.as_json(), allow_nan=False)


@pytest.mark.slow
def test_a_diverging_batch_compare_warns_nothing(tmp_path):
    """Every method diverging (inf losses) is reported as diverged, without a RuntimeWarning from
    the seed statistics or the log-scale figures leaking to the user's terminal."""
    overrides = {"lrate": "100", "n_seeds": "1", "n_samples": "200", "epochs": "3"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        report = run_experiment("batch-compare", out=tmp_path, overrides=overrides)
    assert report.messages
    json.dumps(report.as_json(), allow_nan=False)


@pytest.mark.parametrize("name", ["optimizers", "schedulers", "lr-find"])
def test_a_one_row_file_is_refused(tmp_path, name):
    path = tmp_path / "one.csv"
    path.write_text("a,b,y\n0.5,1.5,2.0\n")
    overrides = {"data": str(path), "target": "y"}
    with pytest.raises(ValueError, match="data must have at least 2 samples, got 1"):
        run_experiment(name, out=tmp_path / "out", overrides=overrides)
