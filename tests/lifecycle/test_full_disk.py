"""A full disk (simulated by a file-size limit) while writing a figure or the store: one line
naming the file, exit 2, no partial file, and the run marked with the reason."""

from __future__ import annotations

import resource

import pytest

from .folder_checks import check_folder, run_cli, runs

pytestmark = pytest.mark.slow
RUN = ("run", "gd-onefeature")


def _limit(size: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_a_full_disk_while_drawing_names_the_figure(tmp_path):
    # The store of one small run stays far below 60 kB; its PNG does not.
    done = run_cli(*RUN, "--set", "epochs=5", "--out", tmp_path, preexec_fn=_limit(60_000))
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "gd-onefeature.png" in line and "File too large" in line
    assert "runs plot" in line and "unexpected" not in line
    folder = tmp_path / "gd-onefeature"
    manifest = check_folder(folder)
    assert not manifest["complete"]
    assert not [p for p in folder.iterdir() if p.suffix in (".png", ".svg", ".tmp")]
    (run,) = runs(tmp_path / "runs.sqlite")
    assert run["status"] == "finished" and "gd-onefeature.png" in run["message"]


def test_a_full_disk_while_storing_the_results_names_the_store(tmp_path):
    first = run_cli(*RUN, "--set", "epochs=5", "--out", tmp_path)
    assert first.returncode == 0, first.stderr
    size = (tmp_path / "runs.sqlite").stat().st_size
    # 4000 epochs of metrics need more pages than the store has: complete_run cannot fit.
    done = run_cli(*RUN, "--set", "epochs=4000", "--out", tmp_path, preexec_fn=_limit(size))
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "runs.sqlite" in line and "unexpected" not in line
    last = runs(tmp_path / "runs.sqlite")[-1]
    assert last["status"] == "failed" and "could not be stored" in last["message"]
    assert not check_folder(tmp_path / "gd-onefeature")["complete"]
