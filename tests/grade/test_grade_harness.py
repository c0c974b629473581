"""The seed course's harness names: grade like ``check``, print the table, return the report."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import descentlab.grade
from descentlab.grade import (
    GradeReport,
    check,
    test_gradient_step,
    test_gradient_step_one_feature,
)


def _verdicts(report: GradeReport) -> list[tuple[str, str, str, float]]:
    return [
        (function.name, case.id, case.verdict, case.points)
        for function in report.functions
        for case in function.cases
    ]


def test_the_names_are_exported_and_not_collected_as_tests() -> None:
    for harness in (test_gradient_step, test_gradient_step_one_feature):
        assert harness.__name__ in descentlab.grade.__all__
        assert harness.__test__ is False


def test_a_correct_one_feature_step_passes_like_check(capsys: pytest.CaptureFixture) -> None:
    def gradient_step_onefeature(x, y, weight, lrate):
        residual = y - x * weight
        return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)

    report = test_gradient_step_one_feature(gradient_step_onefeature)
    printed = capsys.readouterr().out
    assert isinstance(report, GradeReport) and report.passed
    assert printed == report.to_table()
    assert "gradient_step_onefeature" in printed
    direct = check(gradient_step_onefeature, names="gradient_step_onefeature")
    assert _verdicts(report) == _verdicts(direct)


def test_a_wrong_step_gets_the_verdicts_check_gives(capsys: pytest.CaptureFixture) -> None:
    def gradient_step(X, y, weight, lrate):
        residual = y - X @ weight
        return weight + lrate * (-2 / len(X)) * X.T @ residual, np.mean(residual**2)

    report = test_gradient_step(gradient_step)
    printed = capsys.readouterr().out
    assert not report.passed and printed == report.to_table()
    assert "sign_flipped" in report.diagnosis
    direct = check(gradient_step, names="gradient_step")
    assert _verdicts(report) == _verdicts(direct)
    assert {verdict for *_, verdict, _ in _verdicts(report)} == {"fail"}


def test_a_function_named_otherwise_is_graded_as_the_harness_says(
    capsys: pytest.CaptureFixture,
) -> None:
    def my_step(a, b, c, d):
        residual = b - a * c
        return c - d * np.mean(-2 * a * residual), np.mean(residual**2)

    report = test_gradient_step_one_feature(my_step)
    capsys.readouterr()
    (function,) = report.functions
    assert (function.name, function.implementation) == ("gradient_step_onefeature", "my_step")
    assert report.passed


def test_options_reach_check(capsys: pytest.CaptureFixture) -> None:
    def gradient_step(X, y, weight, lrate):
        while True:
            pass

    report = test_gradient_step(gradient_step, timeout=0.5)
    capsys.readouterr()
    assert "timeout" in report.issue_codes and not report.passed


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("solution.py", "'solution.py'"),
        (None, "None (NoneType)"),
        (np.zeros(3), "array of shape (3,) and dtype float64"),
    ],
)
def test_the_argument_must_be_a_callable(value: object, shown: str) -> None:
    for harness, name in (
        (test_gradient_step, "gradient_step"),
        (test_gradient_step_one_feature, "gradient_step_onefeature"),
    ):
        message = f"func must be a callable (your {name} function, passed without calling it)"
        with pytest.raises(TypeError, match="^" + re.escape(f"{message}, got {shown}") + "$"):
            harness(value)


def test_pytest_does_not_collect_the_imported_names(tmp_path: Path) -> None:
    module = tmp_path / "test_uses_harness.py"
    module.write_text(
        "from descentlab.grade import test_gradient_step, test_gradient_step_one_feature\n\n\n"
        "def test_something():\n    assert callable(test_gradient_step)\n"
    )
    src = str(Path(descentlab.grade.__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 test collected" in done.stdout, done.stdout
    assert "test_uses_harness.py::test_something" in done.stdout
