"""The ``loaders`` experiment (SPEC §2.9): shape of its results, measured numbers present and
sane (never their wall-clock values), the drop_last example, the batch-order proof, the CLI."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys

import pytest
import torch

from descentlab.experiments.loaders import LoadersConfig
from descentlab.experiments.runner import resolve_config, run_experiment
from descentlab.loading import IN_MEMORY_KINDS
from descentlab.store import ResultsStore

SMALL = {"n_samples": "300", "repeat": "1", "batch_sizes": "16,64"}


def test_results_hold_every_measurement_for_each_kind_and_batch_size(tmp_path):
    report = run_experiment("loaders", out=tmp_path, overrides=SMALL)
    results = report.results
    runs = results["runs"]
    assert [(r["kind"], r["batch_size"]) for r in runs] == [
        (kind, size) for kind in IN_MEMORY_KINDS for size in (16, 64)
    ]
    for run in runs:
        assert run["batches_per_epoch"] == math.ceil(300 / run["batch_size"])
        for key in ("load_s", "train_s", "compute_s", "samples_per_s_loading"):
            assert math.isfinite(run[key]) and run[key] > 0, (key, run)
        assert math.isclose(run["overhead_s"], run["train_s"] - run["compute_s"])
        assert math.isfinite(run["overhead_share"])
        assert run["rss_increase_bytes"] >= 0 and run["traced_peak_bytes"] > 0
    example = results["drop_last_example"]
    assert (example["n_samples"], example["batch_size"]) == (100, 30)
    for counts in example["batches"].values():
        assert counts["drop_last=True"] == 3 and counts["drop_last=False"] == 4
        assert counts["batch_sizes_without_drop"] == [30, 30, 30, 10]
    order = results["batch_order"]
    assert (
        order["same_batches"] and order["same_weights_after_one_epoch"] and order["epochs_differ"]
    )
    assert [f["name"] for f in report.figures] == [
        "loaders-epoch-time",
        "loaders-overhead",
        "loaders-memory",
    ]
    assert all(f["caption"] for f in report.figures)
    with ResultsStore(tmp_path / "runs.sqlite") as store:
        stored = store.load_experiment(report.run_ids[0])
    assert len(stored.trials) == 8
    metrics = stored.trial_metrics(stored.trials[0])
    assert set(metrics) == {"load_epoch_s", "train_epoch_s", "compute_epoch_s"}
    json.dumps(report.as_json(), allow_nan=False)


def test_defaults_and_config_checks():
    config = resolve_config("loaders", {})
    assert config.kinds == IN_MEMORY_KINDS and config.batch_sizes == (32, 256)
    assert config.device == "cpu" and config.num_workers == 0
    with pytest.raises(ValueError, match=r"^kinds must be one of 'manual', .*got 'lazy'$"):
        LoadersConfig(kinds=("fast", "lazy"))
    with pytest.raises(ValueError, match=r"^batch_size must be a positive integer, got 0$"):
        LoadersConfig(batch_sizes=(0,))
    with pytest.raises(ValueError, match=r"^repeat must be a positive integer, got 0$"):
        LoadersConfig(repeat=0)
    with pytest.raises(
        ValueError, match=r"^device must be one of 'cpu', 'cuda', 'auto', got 'tpu'$"
    ):
        LoadersConfig(device="tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match=r"^device must be 'cpu' or 'auto' on a machine"):
            LoadersConfig(device="cuda")


@pytest.mark.slow
def test_descentlab_run_loaders_from_the_command_line(tmp_path):
    exe = shutil.which("descentlab")
    command = [exe] if exe else [sys.executable, "-m", "descentlab.cli"]
    args = ["run", "loaders", "--out", str(tmp_path), "--set", "kinds=fast,dataset"]
    args += [item for key, value in SMALL.items() for item in ("--set", f"{key}={value}")]
    done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("loaders (run 1, finished): batch 16: fast ")
    assert "equal seeds give equal batches and weights: yes" in done.stdout
    results = json.loads((tmp_path / "loaders" / "results.json").read_text())
    assert [r["kind"] for r in results["runs"]] == ["fast", "fast", "dataset", "dataset"]
    assert results["drop_last_example"]["batches"]["dataset"]["drop_last=True"] == 3
