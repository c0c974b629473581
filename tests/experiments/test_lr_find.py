"""The lr-find experiment (SPEC §2.12) on the linear model."""

from __future__ import annotations

import json

import pytest

from descentlab.experiments.runner import resolve_config, run_experiment


def test_lr_find_defaults(tmp_path):
    report = run_experiment("lr-find", out=tmp_path)
    r = report.results
    assert {
        "lrates",
        "losses",
        "smoothed",
        "suggested_lrate",
        "stopped_early",
        "stop_reason",
    } <= set(r)
    assert len(r["lrates"]) == len(r["losses"]) == len(r["smoothed"]) <= 100
    assert r["stopped_early"] is True and r["stop_reason"] == "diverged"
    assert r["lrates"][0] == pytest.approx(1e-4) and r["model"] == "linear"
    assert 1e-4 < r["suggested_lrate"] < r["stability_bound"]
    training = r["training"]
    assert training["status"] == "finished" and training["lrate"] == r["suggested_lrate"]
    assert training["final_loss"] < 1.2 * training["optimum_loss"]
    assert [f["name"] for f in report.figures] == ["lr-find"]
    json.dumps(report.as_json(), allow_nan=False)


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"model": "cnn"}, "model must be one of 'linear', 'mlp', got 'cnn'"),
        ({"backend": "numpy"}, "backend must be one of 'torch', got 'numpy'"),
        ({"min_lr": "1", "max_lr": "0.1"}, r"max_lr must be greater than min_lr \(1.0\), got 0.1"),
        ({"num_steps": "1"}, "num_steps must be an integer >= 2, got 1"),
        ({"smoothing": "1"}, r"smoothing must be a number in \[0, 1\), got 1.0"),
        ({"divergence_factor": "0.5"}, "divergence_factor must be a number > 1, got 0.5"),
        ({"optimizer": "lbfgs"}, "optimizer must be one of 'sgd'"),
        ({"device": "tpu"}, "device must be one of 'cpu', 'cuda', got 'tpu'"),
    ],
)
def test_bad_config(overrides, needle):
    with pytest.raises(ValueError, match=needle):
        resolve_config("lr-find", overrides)
