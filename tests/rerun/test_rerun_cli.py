"""``descentlab rerun ID`` and ``descentlab run --config FILE`` through the real CLI: a repeat
is a new run linked to the original, with the original's results to the bit (same machine, same
build), and bad input is refused with exit 2."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from tests.rerun.cli import descentlab, ok_json, refused


def _stored_runs(store: Path) -> list[tuple[int, str, dict]]:
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT id, experiment, config FROM runs WHERE parent_id IS NULL")
        return [(i, e, json.loads(c)) for i, e, c in rows.fetchall()]


def _assert_identical(payload: dict, original: int) -> None:
    rerun = payload["rerun"]
    assert rerun["of"]["run"] == original
    assert rerun["identical"] is True, rerun
    assert rerun["compared"] > 0
    assert rerun["differing"] == 0 and rerun["mismatched"] == []
    assert rerun["config_changes"] == []
    assert rerun["warnings"] == []


def test_gd_onefeature_rerun_by_id_and_by_config_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = ok_json("run", "gd-onefeature", "--set", "epochs=20", "--seed", "3", "--out", out)
    original = first["run_ids"][0]

    again = ok_json("rerun", str(original), "--out", out)
    _assert_identical(again, original)
    assert again["results"] == first["results"]
    new_id = again["run_ids"][0]
    assert new_id != original
    stored = {i: c for i, _, c in _stored_runs(out / "runs.sqlite")}
    assert stored[new_id]["rerun_of"]["run"] == original  # NOTE [rerun link]
    assert {k: v for k, v in stored[new_id].items() if k != "rerun_of"} == stored[original]

    # the config.json the rerun wrote (with its link) is accepted as written
    written = out / "gd-onefeature" / "config.json"
    assert json.loads(written.read_text())["rerun_of"]["run"] == original
    by_file = ok_json("run", "--config", written, "--out", out)
    _assert_identical(by_file, new_id)
    assert by_file["results"] == first["results"]


def test_lr_sweep_rerun_is_bit_identical(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = ok_json("run", "lr-sweep", "--set", "epochs=4", "--out", out)
    again = ok_json("rerun", str(first["run_ids"][0]), "--out", out)
    _assert_identical(again, first["run_ids"][0])
    assert len(again["run_ids"]) == len(first["run_ids"])  # one trial per learning rate


@pytest.mark.slow
def test_optimizers_mlp_rerun_is_bit_identical(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = ok_json(
        "run", "optimizers", "--set", "model=mlp", "--set", "epochs=2", "--set", "n_samples=48",
        "--set", "layers=4", "--set", "optimizers=sgd,adam:betas=0.5/0.99", "--out", out,
    )  # fmt: skip
    again = ok_json("rerun", str(first["run_ids"][0]), "--out", out)
    _assert_identical(again, first["run_ids"][0])


def _write_csv(path: Path, rows: int = 30) -> None:
    rng = np.random.default_rng(5)
    X = rng.standard_normal((rows, 2))
    y = X @ np.array([1.5, -2.0]) + 0.1 * rng.standard_normal(rows)
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header="a,b,t", comments="")


def test_minibatch_sgd_on_a_user_csv_and_a_changed_file_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    data = tmp_path / "points.csv"
    _write_csv(data)
    first = ok_json(
        "run", "minibatch-sgd", "--data", "points.csv", "--features", "a",
        "--set", "epochs=3", "--set", "batch_sizes=1,7", "--out", out, cwd=tmp_path,
    )  # fmt: skip
    original = first["run_ids"][0]
    # from another folder: the relative path of the original run leads to its file
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    again = ok_json("rerun", str(original), "--out", out, cwd=elsewhere)
    assert again["rerun"]["identical"] is True, again["rerun"]

    store = out / "runs.sqlite"
    before = len(_stored_runs(store))
    with data.open("a") as handle:
        handle.write("1.0,2.0,3.0\n")
    line = refused("rerun", str(original), "--out", out)
    assert str(data.resolve()) in line and "changed" in line and "sha256" in line
    data.unlink()
    line = refused("rerun", str(original), "--out", out)
    assert str(data.resolve()) in line and "deleted" in line
    assert len(_stored_runs(store)) == before  # refused before anything was stored


@pytest.mark.slow
def test_train_rerun_retrains_with_the_same_config(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = ok_json(
        "train", "--dataset", "diabetes", "--layers", "4", "--epochs", "2", "--batch-size", "128",
        "--device", "cpu", "--optimizer-set", "betas=0.5/0.99", "--out", out,
    )  # fmt: skip
    again = ok_json("rerun", str(first["run_ids"][0]), "--out", out)
    _assert_identical(again, first["run_ids"][0])
    assert again["rerun"]["measured_not_compared"] > 0  # seconds per epoch: NOTE [measured, …]
    assert again["results"]["final"]["train_loss"] == first["results"]["final"]["train_loss"]
    by_file = ok_json("run", "--config", out / "train" / "config.json", "--out", out)
    _assert_identical(by_file, again["run_ids"][0])


def test_other_library_versions_warn_but_rerun_and_say_bit_identical(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok_json("run", "gd-onefeature", "--set", "epochs=5", "--out", out)
    with sqlite3.connect(out / "runs.sqlite") as db:
        (versions,) = db.execute("SELECT versions FROM runs WHERE id = 1").fetchone()
        old = {**json.loads(versions), "numpy": "0.0.1"}
        db.execute(
            "UPDATE runs SET versions = ?, device = 'cuda:7 (elsewhere)' WHERE id = 1",
            (json.dumps(old),),
        )
    done = descentlab("rerun", "1", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "warning: library versions differ" in done.stderr and "numpy 0.0.1" in done.stderr
    assert "warning: the device differs" in done.stderr
    assert "rerun of run 1" in done.stdout
    assert "bit-identical to run 1's" in done.stdout
