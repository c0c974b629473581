"""Each experiment through the runner: results keys, store rows, figures, overrides."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.experiments import EXPERIMENTS
from descentlab.experiments.common_config import apply_overrides
from descentlab.experiments.gd_onefeature import GDOneFeatureConfig
from descentlab.experiments.runner import resolve_config, run_experiment
from descentlab.plots import draw_experiment
from descentlab.store import ResultsStore

FAST = {
    "gd-onefeature": {},
    "lr-sweep": {},
    "gd-multifeature": {},
    "minibatch-sgd": {"epochs": "5"},
    "optimizers": {"epochs": "3"},
    "schedulers": {"epochs": "3"},
    "minima": {"n_starts": "7", "steps": "50", "surface_steps": "40"},
    "lr-find": {"num_steps": "40", "train_epochs": "3"},
    "loaders": {"n_samples": "200", "repeat": "1", "batch_sizes": "16,64"},
    "batch-compare": {
        "n_samples": "200",
        "epochs": "3",
        "repeat": "2",
        "n_seeds": "2",
        "time_budget": "0.005",
    },
    "devices": {"n_samples": "400", "epochs": "2", "repeat": "2", "warmup": "1"},
    "keras-dense": {
        "n_samples": "200",
        "epochs": "2",
        "updates": "3",
        "n_seeds": "1",
        "batch_sizes": "64",
        "tasks": "classification",
    },
}


def test_defaults_are_the_spec():
    assert resolve_config("gd-onefeature", {}) == GDOneFeatureConfig(
        n_samples=100, noise=20.0, data_seed=42, epochs=100, lrate=0.1
    )
    sweep = resolve_config("lr-sweep", {})
    assert sweep.lrates == (0.001, 0.01, 0.1, 0.9) and sweep.epochs == 100
    multi = resolve_config("gd-multifeature", {})
    assert multi.n_features == 4
    mini = resolve_config("minibatch-sgd", {})
    assert (mini.batch_sizes, mini.lrate, mini.epochs) == ((1, 10, 100), 0.02, 100)


def test_gd_onefeature(tmp_path):
    report = run_experiment("gd-onefeature", out=tmp_path)
    r = report.results
    assert len(r["weights"]) == len(r["losses"]) == 101
    assert r["final_weight"] == pytest.approx(r["optimum_weight"], rel=1e-6)
    assert (
        r["backend_max_abs_diff"] is None
    )  # NOTE [numpy runs stay numpy]; torch: test_cli_imports
    assert report.status == "finished" and len(report.run_ids) == 2
    assert {f["name"] for f in report.figures} == {"gd-onefeature"}
    for figure in report.figures:
        assert Path(figure["png"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in Path(figure["svg"]).read_text()[:500]
    config = json.loads((tmp_path / "gd-onefeature" / "config.json").read_text())
    assert config["lrate"] == 0.1 and "make_regression" in config["dataset"]["source"]


def test_lr_sweep_behaviours(tmp_path):
    report = run_experiment("lr-sweep", out=tmp_path, overrides={"lrates": "0.001,0.1,0.9,1.5"})
    r = report.results
    assert r["stability_bound"] == pytest.approx(1.0)
    behaviours = {run["lrate"]: run["behaviour"] for run in r["runs"]}
    assert behaviours == {0.001: "too slow", 0.1: "converges", 0.9: "oscillates", 1.5: "diverges"}
    assert len(report.figures) == 3


def test_gd_multifeature(tmp_path):
    r = run_experiment("gd-multifeature", out=tmp_path).results
    assert set(r["final_weights"]) == {"numpy", "torch", "tf"}
    assert set(r["backend_max_abs_diffs"]) == {"torch", "tf"}
    for other in ("torch", "tf"):
        np.testing.assert_allclose(
            r["final_weights"]["numpy"], r["final_weights"][other], rtol=1e-10
        )
    np.testing.assert_allclose(r["final_weights"]["numpy"], r["optimum_weights"], rtol=1e-6)


def test_minibatch_sgd(tmp_path):
    report = run_experiment("minibatch-sgd", out=tmp_path, overrides={"epochs": "5"})
    runs = report.results["runs"]
    assert [(run["batch_size"], run["steps"]) for run in runs] == [(1, 500), (10, 50), (100, 5)]
    assert len(report.figures) == 2


def test_diverging_run_is_stored_as_diverged(tmp_path):
    report = run_experiment(
        "gd-onefeature", out=tmp_path, overrides={"lrate": "50", "epochs": "400"}
    )
    assert report.status == "diverged"
    assert report.results["status"] == "diverged" and report.messages
    assert report.messages[0].startswith("diverged at epoch")
    with ResultsStore(tmp_path / "runs.sqlite") as store:
        assert store.get_run(report.run_ids[0]).status == "diverged"
    json.dumps(report.as_json(), allow_nan=False)


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_figures_redraw_from_store_alone(tmp_path, name):
    report = run_experiment(name, out=tmp_path / "a", overrides=FAST[name])
    with ResultsStore(tmp_path / "a" / "runs.sqlite") as store:
        redrawn = draw_experiment(store.load_experiment(report.run_ids[0]), tmp_path / "b")
    assert [f.name for f in redrawn] == [f["name"] for f in report.figures]
    for old, new in zip(report.figures, redrawn, strict=True):
        assert Path(old["svg"]).read_bytes() == new.svg.read_bytes()
        assert Path(old["png"]).read_bytes() == new.png.read_bytes()


def test_same_seed_same_results_different_seed_different(tmp_path):
    a = run_experiment("minibatch-sgd", out=tmp_path / "a", overrides={"epochs": "3", "seed": 1})
    b = run_experiment("minibatch-sgd", out=tmp_path / "b", overrides={"epochs": "3", "seed": 1})
    c = run_experiment("minibatch-sgd", out=tmp_path / "c", overrides={"epochs": "3", "seed": 2})
    assert a.results == b.results and a.results != c.results


def test_user_csv(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = 3 * x + rng.normal(size=50)
    path = tmp_path / "mine.csv"
    path.write_text(
        "size,price\n" + "\n".join(f"{a:.17g},{b:.17g}" for a, b in zip(x, y, strict=True))
    )
    report = run_experiment(
        "gd-onefeature", out=tmp_path / "o", overrides={"data": str(path), "target": "price"}
    )
    assert report.config["dataset"]["feature_names"] == ["size"]
    assert report.results["final_weight"] == pytest.approx(
        report.results["optimum_weight"], rel=1e-6
    )


def test_overrides_are_type_checked():
    base = GDOneFeatureConfig()
    assert apply_overrides(base, {"lrate": "0.5"}).lrate == 0.5
    with pytest.raises(ValueError, match=r"--set key must be one of: .*lrate.*; got 'lr'"):
        apply_overrides(base, {"lr": "0.5"})
    with pytest.raises(ValueError, match=r"epochs must be an integer, got 'ten'"):
        apply_overrides(base, {"epochs": "ten"})
    with pytest.raises(ValueError, match=r"lrate must be a finite positive number, got -1.0"):
        apply_overrides(base, {"lrate": "-1"})
    with pytest.raises(ValueError, match=r"epochs must be a positive integer, got 0"):
        apply_overrides(base, {"epochs": "0"})


def test_output_folder_rules(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    with pytest.raises(ValueError, match="out must be empty or a folder descentlab created"):
        run_experiment("gd-onefeature", out=foreign)
    assert (foreign / "thesis.tex").read_text() == "precious"
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ValueError, match=r"out must be a folder, got .* \(an existing file\)"):
        run_experiment("gd-onefeature", out=a_file)


def test_stored_device_follows_the_config(monkeypatch):
    import torch

    from descentlab.experiments.devices import DevicesConfig
    from descentlab.experiments.gd_onefeature import GDOneFeatureConfig
    from descentlab.experiments.runner import run_devices

    assert run_devices(GDOneFeatureConfig()).startswith("cpu (")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert run_devices(DevicesConfig()).startswith("cpu (")
    assert ";" not in run_devices(DevicesConfig())
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: "Test GPU")
    both = run_devices(DevicesConfig())
    assert both.startswith("cpu (") and both.endswith("; cuda (Test GPU)")


@pytest.mark.parametrize("name", ["devices", "loaders", "lr-find"])
def test_torch_only_experiments_store_torch_and_refuse_numpy(name):
    assert resolve_config(name, {}).backend == "torch"
    with pytest.raises(ValueError, match="backend must be one of 'torch', got 'numpy'"):
        resolve_config(name, {"backend": "numpy"})
