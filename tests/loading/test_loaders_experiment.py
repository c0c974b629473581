"""The ``loaders`` experiment (SPEC §2.9): shape of its results, measured numbers present and
sane (never their wall-clock values), the overhead measured apart from compute (NOTE [loader
overhead], checked on a fake clock), divergence as a result, the drop_last example, the
batch-order proof, the CLI."""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from descentlab.experiments import batching_lab
from descentlab.experiments.batching_lab import LAB_KINDS, LoadersConfig, same_bits
from descentlab.experiments.runner import resolve_config, run_experiment
from descentlab.loading import IN_MEMORY_KINDS
from descentlab.store import ResultsStore

SMALL = {"n_samples": "300", "repeat": "1", "batch_sizes": "16,64"}


def test_results_hold_every_measurement_for_each_kind_and_batch_size(tmp_path):
    report = run_experiment("loaders", out=tmp_path, overrides=SMALL)
    results = report.results
    runs = results["runs"]
    assert [(r["kind"], r["batch_size"]) for r in runs] == [
        (kind, size) for kind in LAB_KINDS for size in (16, 64)
    ]
    for run in runs:
        assert run["batches_per_epoch"] == math.ceil(300 / run["batch_size"])
        for key in ("load_s", "train_s", "compute_s", "overhead_s", "overhead_share"):
            assert math.isfinite(run[key]) and run[key] > 0, (key, run)
            assert run[f"{key}_min"] <= run[key] <= run[f"{key}_max"], (key, run)
        assert math.isfinite(run["samples_per_s_loading"]) and run["samples_per_s_loading"] > 0
        assert run["overhead_s"] == run["load_s"]  # the loader-only epoch, never a difference
        assert run["diverged_at"] is None and run["trained_epochs"] == 2
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
        "loaders-loss",
    ]
    assert all(f["caption"] for f in report.figures)
    with ResultsStore(tmp_path / "runs.sqlite") as store:
        stored = store.load_experiment(report.run_ids[0])
    assert len(stored.trials) == 2 * len(LAB_KINDS)
    metrics = stored.trial_metrics(stored.trials[0])
    assert set(metrics) == {"load_epoch_s", "train_epoch_s", "compute_epoch_s", "train_loss"}
    assert len(metrics["train_loss"]) == 2 * math.ceil(300 / 16)
    assert np.all(np.isfinite(metrics["train_loss"]))
    json.dumps(report.as_json(), allow_nan=False)


def test_defaults_and_config_checks():
    config = resolve_config("loaders", {})
    assert config.kinds == (*IN_MEMORY_KINDS, "tfdata") and config.batch_sizes == (32, 256)
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


class FakeClock:
    """``perf_counter`` for ``descentlab.measure.timing``: time moves only when the fake loader
    delivers a batch (``load`` seconds) or the model takes a step (``step`` seconds, growing by
    ``drift`` each step, as on a machine getting busier during the run)."""

    def __init__(self, load: float, step: float, drift: float) -> None:
        self.now, self.load, self.step, self.drift = 0.0, load, step, drift

    def perf_counter(self) -> float:
        return self.now

    def stepped(self) -> None:
        self.now += self.step
        self.step *= self.drift


class Ticking:
    """A loader whose every delivered batch costs ``clock.load`` seconds."""

    def __init__(self, inner, clock: FakeClock) -> None:
        self.inner, self.clock = inner, clock

    def __len__(self) -> int:
        return len(self.inner)

    def __iter__(self):
        for batch in self.inner:
            self.clock.now += self.clock.load
            yield batch


def test_overhead_is_the_loaders_own_time_never_negative_on_a_busier_and_busier_machine(
    tmp_path, monkeypatch
):
    """Loading costs 1 µs a batch, a step 1 ms growing 10 % a step. Subtracting the compute
    epochs (timed after the training epochs, so slower) from the training epochs gave a negative
    overhead; measured on its own, the loader's time is exactly what it cost."""
    clock = FakeClock(load=1e-6, step=1e-3, drift=1.1)
    monkeypatch.setattr(
        "descentlab.measure.timing.time", SimpleNamespace(perf_counter=clock.perf_counter)
    )
    original_loader, original_step = batching_lab._loader, batching_lab.LinearSGD.step
    monkeypatch.setattr(
        batching_lab, "_loader", lambda *args, **kw: Ticking(original_loader(*args, **kw), clock)
    )

    def step(self, xb, yb):
        clock.stepped()
        return original_step(self, xb, yb)

    monkeypatch.setattr(batching_lab.LinearSGD, "step", step)
    overrides = {"n_samples": "64", "repeat": "3", "batch_sizes": "16", "kinds": "fast,manual"}
    config = resolve_config("loaders", overrides)
    outcome = batching_lab.run(config, batching_lab.default_data(config))
    for run in outcome.results["runs"]:
        assert run["load_s"] == pytest.approx(4 * 1e-6, rel=1e-6), run  # 4 batches, 1 µs each
        assert run["overhead_s"] == run["load_s"] and run["overhead_s_min"] > 0, run
        assert 0 < run["overhead_share_min"] <= run["overhead_share"] < 0.01, run
        assert run["train_s"] > run["load_s"] and run["compute_s"] > 0, run


def test_same_bits_calls_equal_nans_equal_and_compares_every_bit():
    nan = torch.tensor([1.0, float("nan"), float("inf")])
    assert same_bits(nan, nan.clone()) and not torch.equal(nan, nan.clone())
    assert not same_bits(torch.tensor([0.0]), torch.tensor([-0.0]))
    assert not same_bits(torch.tensor([1.0]), torch.tensor([1.0], dtype=torch.float64))
    assert not same_bits(torch.zeros(2), torch.zeros(3))


DIVERGED = re.compile(r"@ batch \d+ at epoch (\d+) step (\d+) with lrate 1e\+30$")


def test_a_rate_that_diverges_everywhere_is_a_diverged_run_with_figures_and_no_warning(tmp_path):
    overrides = {**SMALL, "n_samples": "64", "lrate": "1e30", "kinds": "fast,dataset"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = run_experiment("loaders", out=tmp_path, overrides=overrides)
    assert report.status == "diverged"
    (line,) = report.messages  # one line for the run, naming every trial
    assert line.startswith("4 of 4 trials diverged: "), line
    parts = line.removeprefix("4 of 4 trials diverged: ").split("; ")
    for part, run in zip(parts, report.results["runs"], strict=True):
        found = DIVERGED.search(part)
        assert found, part
        epoch, step = int(found[1]), int(found[2])
        assert run["diverged_at"]["epoch"] == epoch and run["diverged_at"]["step"] == step
        assert (epoch - 1) * run["batches_per_epoch"] + step == 2  # step 1's loss is finite
    order = report.results["batch_order"]
    assert order["same_batches"] and order["same_weights_after_one_epoch"]
    assert "equal seeds give equal batches and weights: yes" in report.results["headline"]
    assert {f["name"] for f in report.figures} >= {"loaders-loss", "loaders-overhead"}
    json.dumps(report.as_json(), allow_nan=False)


def test_figures_of_a_run_stored_before_the_spread_and_of_all_nan_losses_draw_without_warning():
    """Runs stored by earlier versions have medians only; a trajectory may be NaN throughout."""
    from descentlab.plots.loader_figures import loaders as draw

    runs = [
        {
            "kind": kind,
            "batch_size": size,
            "load_s": 1e-4,
            "train_s": 3e-4,
            "compute_s": 2e-4,
            "overhead_s": 1e-4,
            "overhead_share": 1 / 3,
            "rss_increase_bytes": 0,
            "traced_peak_bytes": None,
        }
        for kind in ("fast", "manual")
        for size in (8, 32)
    ]
    trials = [
        SimpleNamespace(id=i, label=f"t{i}", status="diverged", config=run)
        for i, run in enumerate(runs)
    ]
    stored = SimpleNamespace(
        run=SimpleNamespace(results={"runs": runs, "n_samples": 64, "device": "cpu"}),
        trials=trials,
        trial_metrics=lambda trial: {"train_loss": np.full(3, np.nan)},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = draw(stored)
        for _, _, figure in figures:
            figure.savefig(io.BytesIO(), format="png")
    assert [name for name, _, _ in figures][-1] == "loaders-loss"


@pytest.mark.slow
def test_descentlab_run_loaders_from_the_command_line_with_the_issues_diverging_rate(tmp_path):
    """Issue 10: ``run loaders --set lrate=1e6 --set repeat=1 --set n_samples=256`` said "equal
    seeds give equal batches and weights: NO" (NaN != NaN) and nothing of the divergence.
    Warnings are errors in the child: none may reach the user."""
    command = [sys.executable, "-W", "error", "-m", "descentlab", "run", "loaders"]
    command += ["--out", str(tmp_path), "--set", "lrate=1e6", "--set", "repeat=1"]
    command += ["--set", "n_samples=256"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("loaders (run 1, finished): batch 32: manual ")
    assert "equal seeds give equal batches and weights: yes" in done.stdout
    (line,) = done.stderr.splitlines()  # one line for the run (NOTE [divergence report])
    assert re.fullmatch(
        r"descentlab: 5 of 10 trials diverged: (\w+ @ batch 32 at epoch 1 step \d+ with lrate "
        r"1e\+06(; )?){5}",
        line,
    ), line
    assert "Warning" not in done.stderr
    folder = tmp_path / "loaders"
    results = json.loads((folder / "results.json").read_text())
    assert [r["kind"] for r in results["runs"]] == [k for k in LAB_KINDS for _ in (32, 256)]
    assert results["drop_last_example"]["batches"]["dataset"]["drop_last=True"] == 3
    diverged = [run for run in results["runs"] if run["diverged_at"]]
    assert {run["kind"] for run in diverged if run["batch_size"] == 32} == set(LAB_KINDS)
    assert all(run["overhead_s"] > 0 for run in results["runs"])
    assert (folder / "loaders-loss.png").stat().st_size > 0
