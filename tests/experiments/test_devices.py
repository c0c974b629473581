"""devices (§2.11): CPU measured always; CUDA measured and compared where it exists, else said so."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from descentlab.data import regression_data
from descentlab.experiments import devices
from descentlab.experiments.devices import DevicesConfig, agreement, run
from descentlab.linear import torch_backend as tb

SMALL = {"n_samples": 300, "n_features": 5, "epochs": 2, "repeat": 2, "warmup": 1}


def _data():
    return regression_data(300, 5, noise=20.0, random_state=42)


def test_cpu_only_says_why_and_measures_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    threads = torch.get_num_threads()
    out = run(DevicesConfig(**SMALL), _data())
    r = out.results
    assert r["devices"]["cuda"]["available"] is False and r["devices"]["cuda"]["reason"]
    assert "CUDA" in r["devices"]["cuda"]["reason"] and r["note"].startswith("CPU only: ")
    assert r["agreement"] == {"compared": False, "reason": "cuda not available"}
    assert r["cuda_speedup"] is None
    cpu = r["devices"]["cpu"]
    assert cpu["measured"] and len(cpu["time_per_epoch"]["samples_s"]) == 2
    assert cpu["samples_per_s"] == pytest.approx(300 / cpu["time_per_epoch"]["median_s"])
    assert [t.label for t in out.trials] == ["cpu"]
    assert len(out.trials[0].metrics["epoch_loss"]) == 3
    assert torch.get_num_threads() == threads  # restored


def test_cpu_trajectory_is_the_torch_backends(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    config = DevicesConfig(**SMALL, dtype="float64", devices=("cpu",), seed=4)
    data = _data()
    weights, losses = devices._trajectory(config, data.X, data.y, "cpu")
    ref = tb.minibatchSGD(data.X, data.y, 100, 2, config.lrate, seed=4)
    np.testing.assert_allclose(weights[-1], ref.final_weight.ravel(), rtol=1e-12)
    np.testing.assert_allclose(losses, ref.epoch_losses, rtol=1e-12)
    out = run(config, data)
    assert out.results["agreement"] == {"compared": False, "reason": "only cpu requested"}
    assert out.results["note"] is None


def test_agreement_uses_the_dtype_tolerance():
    w = np.linspace(-1, 1, 12).reshape(3, 4)
    losses = np.array([3.0, 2.0, 1.0])
    same = agreement((w, losses), (w + 1e-6, losses * (1 + 1e-6)), "float32")
    assert same["compared"] and same["agree"]
    assert same["max_abs_weight_diff"] == pytest.approx(1e-6)
    assert not agreement((w, losses), (w + 1e-6, losses), "float64")["agree"]
    assert not agreement((w, losses), (w[:2], losses), "float32")["agree"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_is_timed_and_agrees_with_the_cpu():
    r = run(DevicesConfig(**SMALL), _data()).results
    assert r["devices"]["cuda"]["measured"] and r["agreement"]["agree"], r["agreement"]
    assert r["cuda_speedup"] > 0 and r["note"] is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("devices", ("tpu",), r"device must be one of"),
        ("devices", ("cpu", "cpu"), r"devices must not repeat a device"),
        ("dtype", "float16", r"dtype must be one of"),
        ("cpu_threads", -1, r"cpu_threads must be an integer >= 0, got -1"),
    ],
)
def test_bad_config(field, value, message):
    with pytest.raises(ValueError, match=message):
        DevicesConfig(**{field: value})
