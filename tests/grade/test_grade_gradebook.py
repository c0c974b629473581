"""Grading a class: one sandbox per learner, a reproducible gradebook, nothing shared."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from descentlab.grade.gradebook import expand_targets, grade_class

CORRECT = """
import numpy as np

def gradient_step_onefeature(x, y, weight, lrate):
    residual = y - x * weight
    return weight + lrate * 2 * np.mean(x * residual), np.mean(residual ** 2)

def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    return weight + lrate * (2 / len(X)) * (X.T @ residual), np.mean(residual ** 2)
"""
SIGN = CORRECT.replace("weight + lrate", "weight - lrate")
# Learner "a" leaves a file, a module and an environment change behind; "b" returns a wrong
# weight if it sees any of them, so sharing a sandbox would fail b.
LEAVES_TRACES = CORRECT + textwrap.dedent(
    """
    import os, sys, types
    open("/tmp/left-by-a", "w").write("a")
    sys.modules["left_by_a"] = types.ModuleType("left_by_a")
    os.environ["LEFT_BY_A"] = "1"
    """
)
SEES_TRACES = CORRECT.replace(
    "    residual = y - X @ weight\n",
    "    import os, sys\n"
    "    if os.path.exists('/tmp/left-by-a') or 'left_by_a' in sys.modules or "
    "os.environ.get('LEFT_BY_A'):\n"
    "        weight = weight * 0\n"
    "    residual = y - X @ weight\n",
)


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    room = tmp_path / "class"
    room.mkdir()
    (room / "a_traces.py").write_text(LEAVES_TRACES)
    (room / "b_sees.py").write_text(SEES_TRACES)
    (room / "c_sign.py").write_text(SIGN)
    folder = room / "d_folder"
    folder.mkdir()
    (folder / "solution.py").write_text("from helper import *\n")
    (folder / "helper.py").write_text(CORRECT)
    (room / "e_only_one.py").write_text(CORRECT.split("def gradient_step(")[0])
    (room / "notes.txt").write_text("not a submission")
    return room


def test_a_class_folder_is_one_learner_per_file_or_folder(classroom: Path) -> None:
    names = [p.name for p in expand_targets([classroom])]
    assert names == ["a_traces.py", "b_sees.py", "c_sign.py", "d_folder", "e_only_one.py"]


@pytest.mark.slow
def test_a_class_is_graded_in_isolation_and_reproducibly(classroom: Path) -> None:
    book = grade_class([classroom], hidden_seed=11, workers=2)
    rows = {row.learner: row for row in book.rows}
    assert rows["a_traces.py"].passed and rows["b_sees.py"].passed, book.to_table()
    assert rows["d_folder"].passed
    assert not rows["c_sign.py"].passed and rows["c_sign.py"].diagnosis
    only = rows["e_only_one.py"]
    assert not only.passed and only.verdicts["gradient_step"] == "not_defined"
    assert only.max_points == rows["a_traces.py"].max_points  # a missing function scores zero
    summary = book.summary
    assert summary["learners"] == 5 and summary["passed"] == 3
    assert summary["common_diagnoses"][0][1] == 1
    again = grade_class([classroom], hidden_seed=11, workers=1)

    def without_time(text: str) -> list[list[str]]:
        return [row[:-1] for row in csv.reader(io.StringIO(text))]

    assert without_time(book.to_csv()) == without_time(again.to_csv())
    assert json.loads(json.dumps(book.to_dict()))["hidden_seed"] == 11


@pytest.mark.slow
def test_the_cli_writes_a_gradebook_and_never_overwrites_one(
    classroom: Path, tmp_path: Path
) -> None:
    grades = tmp_path / "grades.csv"
    command = [sys.executable, "-m", "descentlab", "check", str(classroom), "--gradebook"]
    done = subprocess.run(
        [*command, str(grades), "--hidden-seed", "3"], capture_output=True, text=True, timeout=3600
    )
    assert done.returncode == 1, done.stderr  # not every learner passed
    table = list(csv.DictReader(grades.open()))
    assert [row["learner"] for row in table][:2] == ["a_traces.py", "b_sees.py"]
    assert table[2]["diagnosis"] and table[0]["passed"] == "True"
    assert "3/5 learners passed" in done.stdout
    before = grades.read_text()
    again = subprocess.run([*command, str(grades)], capture_output=True, text=True, timeout=3600)
    assert again.returncode == 2 and "--force" in again.stderr
    assert again.stderr.count("\n") == 1 and grades.read_text() == before
