"""SIGINT, SIGTERM and SIGKILL at several points of a real ``descentlab run`` / ``train``:
afterwards the store and the folder agree (NOTE [every exit])."""

from __future__ import annotations

import pytest

from .folder_checks import (
    SIGINT,
    SIGKILL,
    SIGTERM,
    check_folder,
    interrupted,
    run_cli,
    runs,
    start_paused,
    stop,
)

pytestmark = pytest.mark.slow
RUN = ("run", "gd-onefeature", "--set", "epochs=5")


@pytest.mark.parametrize(("signum", "code"), [(SIGINT, 130), (SIGTERM, 143)])
def test_a_signal_during_the_run_stores_it_interrupted(tmp_path, signum, code):
    process = start_paused(*RUN, "--out", tmp_path, stage="begun")
    returncode, stderr = stop(process, signum)
    assert returncode == code, stderr
    assert stderr.strip().splitlines()[-1].startswith("descentlab: interrupted"), stderr
    (run,) = runs(tmp_path / "runs.sqlite")
    assert interrupted(run), run
    manifest = check_folder(tmp_path / "gd-onefeature")
    assert manifest["run_id"] == run["id"] and not manifest["complete"]


def test_sigint_while_drawing_waits_for_every_file(tmp_path):
    process = start_paused(*RUN, "--out", tmp_path, stage="figures", seconds=2)
    returncode, stderr = stop(process, SIGINT)
    assert returncode == 130, stderr
    assert "complete" in stderr
    (run,) = runs(tmp_path / "runs.sqlite")
    assert run["status"] == "finished"
    manifest = check_folder(tmp_path / "gd-onefeature")
    assert manifest == {**manifest, "run_id": run["id"], "complete": True}
    assert {"gd-onefeature.png", "gd-onefeature.svg", "results.json"} <= set(manifest["files"])


def test_sigkill_between_figures_and_results_then_the_next_run_replaces_them(tmp_path):
    folder = tmp_path / "gd-onefeature"
    process = start_paused(*RUN, "--out", tmp_path, stage="files")
    process.send_signal(SIGKILL)
    process.wait(timeout=60)
    killed = check_folder(folder)
    assert not killed["complete"] and not (folder / "results.json").exists()
    assert "gd-onefeature.png" in killed["files"]  # listed before it was written

    done = run_cli(*RUN, "--set", "seed=3", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = check_folder(folder)
    assert manifest["complete"] and manifest["run_id"] != killed["run_id"]
    stored = {r["id"]: r for r in runs(tmp_path / "runs.sqlite")}
    assert stored[manifest["run_id"]]["status"] == "finished"
    assert '"seed": 3' in (folder / "config.json").read_text()


def test_train_killed_before_its_first_checkpoint_leaves_a_hint(tmp_path):
    train = ("train", "--model", "linear", "--epochs", "2", "--out", tmp_path)
    process = start_paused(*train, stage="begun")
    process.send_signal(SIGKILL)
    process.wait(timeout=60)

    resumed = run_cli(*train, "--resume")
    assert resumed.returncode == 2, resumed.stderr
    assert "ended before its first checkpoint" in resumed.stderr
    assert "without --resume" in resumed.stderr

    again = run_cli(*train)
    assert again.returncode == 0, again.stderr
    assert "nothing to resume" in again.stderr
    assert check_folder(tmp_path / "train")["complete"]
