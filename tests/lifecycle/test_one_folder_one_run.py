"""A folder is held by one run at a time; refusals name the flag and exit 2 (NOTE [folder
claim], NOTE [ownership])."""

from __future__ import annotations

import re
import subprocess

import pytest

from .folder_checks import check_folder, run_cli, start_paused


def _finish(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ("run", "gd-onefeature", "--set", "epochs=5"),
        ("train", "--model", "linear", "--epochs", "2"),
    ],
    ids=["run", "train"],
)
def test_a_second_run_into_a_held_folder_is_refused_at_once(tmp_path, args):
    first = start_paused(*args, "--out", tmp_path, stage="begun")
    try:
        second = run_cli(*args, "--out", tmp_path)
    finally:
        _finish(first)
    assert second.returncode == 2, second.stderr
    (line,) = second.stderr.strip().splitlines()
    assert re.search(rf"in use by another run.*held by pid {first.pid}\b", line), line


def _target(tmp_path, kind: str):
    """A folder descentlab must refuse: someone else's, an existing file, a too-long name."""
    if kind == "foreign":
        folder = tmp_path / "mine"
        folder.mkdir()
        (folder / "gd-onefeature.png").write_bytes(b"the user's own picture")
        return folder
    if kind == "file":
        path = tmp_path / "users-file.json"
        path.write_bytes(b"the user's file")
        return path
    return tmp_path / ("d" * 300)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    done = run_cli("run", "gd-onefeature", "--set", "epochs=3", "--out", out)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["foreign", "file", "long"])
def test_runs_plot_to_follows_the_ownership_rule(store, tmp_path, kind):
    target = _target(tmp_path, kind)
    before = sorted(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    done = run_cli("runs", "--out", store, "plot", "1", "--to", target)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("descentlab: error: --to must be"), line
    assert sorted(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()) == before


def test_runs_plot_into_its_own_folder_is_atomic_and_repeatable(store, tmp_path):
    for _ in range(2):
        done = run_cli("runs", "--out", store, "plot", "1", "--to", tmp_path / "redraw")
        assert done.returncode == 0, done.stderr
    manifest = check_folder(tmp_path / "redraw")
    assert manifest["complete"] and manifest["run_id"] == 1


@pytest.mark.parametrize("kind", ["foreign", "file", "long"])
def test_cases_generate_out_follows_the_ownership_rule(tmp_path, kind):
    target = _target(tmp_path, kind)
    done = run_cli("cases", "generate", "--out", target)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("descentlab: error: --out must be"), line
    if kind == "foreign":
        assert sorted(p.name for p in target.iterdir()) == ["gd-onefeature.png"]


def test_cases_generate_rewrites_its_own_case_folder(tmp_path):
    for extra in ((), ("--force",)):
        done = run_cli("cases", "generate", "--out", tmp_path / "cases", *extra)
        assert done.returncode == 0, done.stderr
    assert check_folder(tmp_path / "cases" / "gradient_step") is None
