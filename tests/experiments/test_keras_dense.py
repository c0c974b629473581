"""``keras-dense`` (SPEC §2.10): through the real CLI with tiny settings — store records, files,
figures, matched budgets counted from the optimizer, same seed same bits, bad settings refused,
a diverging rate reported. TensorFlow is imported once per process (a few seconds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.experiments.cli_runs import run_json

from descentlab.cli import main
from descentlab.experiments.runner import run_experiment
from descentlab.store import ResultsStore

pytestmark = pytest.mark.slow

TINY = [
    "--set", "n_samples=300", "--set", "epochs=2", "--set", "updates=7", "--set", "n_seeds=2",
    "--set", "batch_sizes=64", "--seed", "3",
]  # fmt: skip
TINY_OVERRIDES = {"n_samples": "200", "epochs": "2", "updates": "5", "n_seeds": "1",
                  "batch_sizes": "32", "full_batch": "false", "tasks": "regression"}  # fmt: skip


def _without_times(value):
    """``value`` with every measured time left out (they differ run to run)."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if "time" not in k}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_cli_run_stores_trials_files_figures_and_matched_budgets(tmp_path):
    payload = run_json("keras-dense", "--out", str(tmp_path), *TINY)
    results = payload["results"]
    assert payload["status"] == "finished"
    n_train = results["tasks"]["regression"]["data"]["n_train"]
    assert n_train == 240 and results["tasks"]["classification"]["data"]["n_val"] == 60
    sizes = [64, n_train]
    for task in ("regression", "classification"):
        assert results["tasks"][task]["batch_sizes"] == sizes
    runs = results["runs"]
    assert len(runs) == 2 * 2 * 2 * 2  # tasks × batch sizes × seeds × budgets
    for run in runs:
        per_epoch = -(-n_train // run["batch_size"])
        assert run["batches_per_epoch"] == per_epoch
        if run["budget"] == "epochs":  # counted by the optimizer, not assumed
            assert run["updates"] == 2 * per_epoch and run["epochs_run"] == 2
            assert run["time_per_epoch"]["median_s"] > 0
        else:
            assert run["updates"] == 7 and run["epochs_run"] == -(-7 // per_epoch)
        assert run["updates"] == run["expected_updates"]
    full = [r for r in runs if r["full_batch"] and r["budget"] == "updates"]
    assert full and all(r["epochs_run"] == 7 for r in full)
    assert results["summary"]["classification"]["updates"]["64"]["updates"] == [7]

    folder = tmp_path / "keras-dense"
    names = {f["name"] for f in payload["figures"]}
    assert names == {"keras-dense-curves", "keras-dense-time", "keras-dense-final"}
    for name in names:
        assert (folder / f"{name}.png").stat().st_size > 0
        assert (folder / f"{name}.svg").stat().st_size > 0
    assert json.loads((folder / "results.json").read_text())["seeds"] == [3, 4]
    config = json.loads((folder / "config.json").read_text())
    assert config["batch_sizes"] == [64] and config["dataset"]["n_samples"] == 300
    with ResultsStore(tmp_path / "runs.sqlite") as store:
        stored = store.load_experiment(payload["run_ids"][0])
    assert stored.run.status == "finished" and len(stored.trials) == len(runs)
    curves = stored.trial_metrics(stored.trials[0])
    assert len(curves["val_metric"]) == 2 and len(curves["epoch_s"]) == 2


def test_same_seed_same_bits_other_seed_other_bits(tmp_path):
    a = run_experiment("keras-dense", out=tmp_path / "a", overrides=TINY_OVERRIDES)
    b = run_experiment("keras-dense", out=tmp_path / "b", overrides=TINY_OVERRIDES)
    c = run_experiment("keras-dense", out=tmp_path / "c", overrides={**TINY_OVERRIDES, "seed": 1})
    same = _without_times(a.results)
    assert json.dumps(same) == json.dumps(_without_times(b.results))
    assert [r["val_loss"] for r in a.results["runs"]] != [r["val_loss"] for r in c.results["runs"]]


BAD = [
    ("epochs=1", "epochs"),
    ("tasks=images", "tasks"),
    ("tasks=regression,regression", "tasks"),
    ("updates=0", "updates"),
    ("batch_sizes=0", "batch_size"),
    ("val_fraction=1", "val_fraction"),
    ("optimizer=rmsprop", "optimizer"),
    ("layers=", "layers"),
    ("backend=torch", "backend"),
]


@pytest.mark.parametrize(("setting", "name"), BAD)
def test_bad_settings_exit_2_naming_them(setting, name, tmp_path, capsys):
    code = main(["run", "keras-dense", "--set", setting, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and name in err[0], err
    assert not (tmp_path / "out").exists()


def test_full_batch_false_needs_a_batch_size_through_a_real_process(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "descentlab", "run", "keras-dense", "--out", str(tmp_path),
         "--set", "batch_sizes=", "--set", "full_batch=false"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2 and "batch_sizes must list a batch size" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_diverging_rate_is_a_result(tmp_path):
    report = run_experiment(
        "keras-dense",
        out=tmp_path,
        overrides={**TINY_OVERRIDES, "optimizer": "sgd", "lrate": "1e12"},
    )
    assert report.status == "diverged"
    (line,) = report.messages
    assert line.startswith("2 of 2 trials diverged") and "at epoch 1 step" in line
    assert "lrate 1e+12" in line and "equal epochs" in line and "equal updates" in line
    for run in report.results["runs"]:
        assert run["status"] == "diverged" and run["divergence"]["step"] >= 1
    assert all(Path(f["png"]).stat().st_size > 0 for f in report.figures)


def test_fit_reads_a_new_permutation_every_epoch():
    """Keras ``fit`` over the stream (``steps_per_epoch`` = batches per epoch) makes the same
    updates as ``train_on_batch`` over the fast loader's batches, epoch after epoch; had Keras
    restarted the stream each epoch, it would have repeated the first epoch's order."""
    import numpy as np
    import torch

    from descentlab.experiments.keras_training import initial_weights, make_dense_model
    from descentlab.loading import make_loader
    from descentlab.loading.tf_data import epoch_stream

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3)).astype(np.float32)
    y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)).astype(np.float32)
    start = initial_weights(3, (4,), "regression", seed=5)

    def trained(feed) -> list:
        dense = make_dense_model(3, (4,), "regression", optimizer="sgd", lrate=0.05)
        dense.restart(start)
        feed(dense.model)
        assert dense.updates == 3 * 4
        return dense.model.get_weights()

    def by_fit(model) -> None:
        stream = epoch_stream(X, y, 10, epochs=3, seed=9)
        model.fit(stream, epochs=3, steps_per_epoch=4, shuffle=False, verbose=0)

    loader = make_loader("fast", torch.from_numpy(X), torch.from_numpy(y), 10, seed=9)

    def by_batches(model, epochs: int = 3) -> None:
        for _ in range(epochs):
            for xb, yb in loader:
                model.train_on_batch(xb.numpy(), yb.numpy())

    fitted, stepped = trained(by_fit), trained(by_batches)
    for a, b in zip(fitted, stepped, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    def first_epoch_thrice(model) -> None:
        first = list(loader)
        for _ in range(3):
            for xb, yb in first:
                model.train_on_batch(xb.numpy(), yb.numpy())

    repeated = trained(first_epoch_thrice)
    pairs = zip(fitted, repeated, strict=True)
    assert any(not np.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in pairs)


def test_defaults_are_the_spec():
    from descentlab.experiments.runner import resolve_config

    config = resolve_config("keras-dense", {})
    assert (config.n_samples, config.n_features, config.noise) == (10000, 20, 0.1)
    assert config.layers == (64, 32, 16) and config.tasks == ("regression", "classification")
    assert config.batch_sizes == (16, 64, 256) and config.full_batch
    assert config.n_seeds == 3 and config.backend == "tf"
