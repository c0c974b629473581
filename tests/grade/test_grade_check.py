"""check(): inputs, isolation, limits, partial credit and the report's renderings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from grade_corpus import SUBMISSIONS
from grade_helpers import allocates_2_gb, gradient_step, loops_on_m_10, prints_markup

from descentlab.grade import check, default_cases_dir, load_case_set

BROKEN = SUBMISSIONS / "broken"
CORRECT = SUBMISSIONS / "correct"
CONSTANT = 2.0


def test_an_importable_function_is_graded_by_its_name() -> None:
    report = check(gradient_step)
    assert report.passed
    assert [f.name for f in report.functions] == ["gradient_step"]
    assert report.n_cases == len(load_case_set("gradient_step")) + 12  # 12 drawn hidden cases


def test_a_local_function_is_graded_from_its_source() -> None:
    def helper(residual):
        return np.mean(residual**2) * CONSTANT / 2

    def gradient_step(X, y, weight, lrate):
        residual = y - X @ weight
        return weight - lrate * (-2 / len(X)) * X.T @ residual, helper(residual)

    report = check(gradient_step)
    assert report.passed, report.to_table()


def test_a_function_named_otherwise_needs_names_or_telling_arguments() -> None:
    def step1(a, b, c, d):
        return c, 0.0

    with pytest.raises(ValueError, match="names must say which function step1 implements"):
        check(step1)
    report = check(step1, names="gradient_step")
    assert report.functions[0].name == "gradient_step"
    assert report.functions[0].implementation == "step1"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"names": "adam"}, ValueError, "names must be one of"),
        ({"names": []}, ValueError, "names must name at least one function"),
        ({"timeout": 0}, ValueError, "timeout must be a finite positive number, got 0"),
        ({"memory_mb": 0}, ValueError, "memory_mb must be a positive integer, got 0"),
        ({"cases": "/nonexistent/cases"}, FileNotFoundError, "cases must be an existing"),
    ],
)
def test_bad_arguments_raise_one_line_errors(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        check(CORRECT / "numpy_vectorised.py", **kwargs)


def test_bad_targets_raise(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="path must be an existing file"):
        check(tmp_path / "absent.py")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"path must end in \.py or \.ipynb"):
        check(tmp_path / "notes.txt")
    with pytest.raises(TypeError, match="func_or_path must be a function or a path"):
        check(42)  # type: ignore[arg-type]


def test_a_case_directory_with_zero_cases_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "gradient_step"
    folder.mkdir()
    document = json.loads((default_cases_dir() / "gradient_step" / "public.json").read_text())
    (folder / "public.json").write_text(json.dumps(dict(document, cases=[])))
    with pytest.raises(ValueError, match="at least one case, got 0"):
        check(gradient_step, cases=tmp_path)
    with pytest.raises(ValueError, match="at least one case, got 0"):
        check(CORRECT / "numpy_vectorised.py", cases=tmp_path, names="gradient_step")


def test_a_report_without_cases_never_passes() -> None:
    report = check(BROKEN / "wrong_name.py")
    assert report.n_cases == 0 and not report.passed
    assert "FAIL" in report.to_table()


def test_names_restrict_and_require_functions() -> None:
    only = check(CORRECT / "numpy_vectorised.py", names="gradient_step")
    assert [f.name for f in only.functions] == ["gradient_step"] and only.passed
    both = check(
        CORRECT / "copy_then_update.py", names=["gradient_step", "gradient_step_onefeature"]
    )
    missing = both.functions[1]
    assert missing.error is not None and missing.error.code == "not_defined"
    assert missing.max_points > 0 and missing.points == 0
    assert {c.verdict for c in missing.cases} == {"skipped"}
    assert not both.passed and both.points == both.functions[0].max_points


def test_a_misspelt_function_is_reported_not_guessed() -> None:
    report = check(str(CORRECT / "numpy_vectorised.py") + ":gradient_stpe")
    assert [issue.code for issue in report.errors] == ["not_defined"] and not report.passed
    named = check(str(CORRECT / "numpy_vectorised.py") + ":gradient_stpe", names="gradient_step")
    assert named.functions[0].error is not None and named.max_points == 48


def test_repeated_names_grade_once() -> None:
    report = check(CORRECT / "numpy_vectorised.py", names=["gradient_step", "gradient_step"])
    assert [f.name for f in report.functions] == ["gradient_step"]


def test_partial_credit_for_the_right_weight_and_the_wrong_loss() -> None:
    report = check(BROKEN / "loss_after_update.py")
    function = report.functions[0]
    assert function.points == function.max_points / 2
    assert {c.verdict for c in function.cases} == {"fail"}


def test_a_timeout_kills_the_worker_and_grading_goes_on() -> None:
    report = check(loops_on_m_10, names="gradient_step", timeout=1.0)
    verdicts = {c.description.split(",")[0]: c.verdict for c in report.functions[0].cases}
    assert verdicts.pop("m=10") == "timeout"
    assert set(verdicts.values()) == {"pass"}


def test_the_memory_limit_turns_a_large_allocation_into_a_memory_error() -> None:
    report = check(allocates_2_gb, names="gradient_step", memory_mb=1024)
    assert report.issue_codes == {"memory_limit"}
    assert "memory" in report.functions[0].cases[0].issues[0].message


def _digest(folder: Path) -> str:
    files = sorted(folder.rglob("*.json"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def test_in_place_changes_never_reach_the_case_files() -> None:
    before = _digest(default_cases_dir())
    expected = load_case_set("gradient_step").public[0].inputs["weight"].copy()
    report = check(BROKEN / "inplace_weight.py")
    assert report.issue_codes == {"modified_input"}
    assert "weight" in report.functions[0].cases[0].issues[0].message
    assert _digest(default_cases_dir()) == before
    assert np.array_equal(load_case_set("gradient_step").public[0].inputs["weight"], expected)


def test_errors_show_the_learners_frames_only() -> None:
    report = check(BROKEN / "raises.py")
    message = report.functions[0].cases[0].issues[0].message
    assert message.startswith("raised NotImplementedError: TODO: write the gradient step")
    assert "raises.py, line 5, in gradient_step" in message
    assert "descentlab" not in message and "worker" not in message


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    target = tmp_path / "solution.py"
    target.write_text((BROKEN / "syntax_error.py.txt").read_text())
    report = check(target)
    (issue,) = report.errors
    assert issue.code == "syntax_error" and "(solution.py, line 5)" in issue.message


def test_a_notebook_error_names_its_cell() -> None:
    report = check(BROKEN / "notebook_name_error.ipynb")
    message = report.functions[0].cases[0].issues[0].message
    assert "NameError" in message and "notebook_name_error.ipynb [cell 2], line 7" in message


def test_printing_is_captured_and_capped() -> None:
    report = check(CORRECT / "prints_a_lot.py")
    case = report.functions[0].cases[0]
    assert report.passed and case.notes and "printed 1,200,001 characters" in case.notes[0]
    assert case.output is not None and len(case.output) == 2000


def test_json_shows_public_cases_and_only_counts_hidden_ones() -> None:
    data = json.loads(check(BROKEN / "sign_flipped.py").to_json())
    function = data["functions"][0]
    public = function["public"][0]
    assert set(public["inputs"]) == {"X", "y", "weight", "lrate"}
    assert public["expected"]["new_weight"]["shape"] == public["received"]["new_weight"]["shape"]
    assert public["diagnosis"] == ["sign_flipped"]
    assert function["hidden"] == {
        "cases": 12,
        "passed": 0,
        "points": 12,
        "max_points": 24,
        "issues": {"wrong_value": 12},
    }
    assert "inputs" not in json.dumps(function["hidden"])
    assert data["passed"] is False and data["max_points"] == 48


def test_html_is_standalone_and_escapes_submission_output() -> None:
    report = check(prints_markup, names="gradient_step")
    page = report.to_html()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Hidden cases: 12/12 passed" in page
    assert report._repr_html_().startswith("<div class='dl-grade'>")


def test_table_lists_public_cases_and_the_diagnosis() -> None:
    table = check(BROKEN / "half_mse.py").to_table()
    assert "public-01" in table and "hidden-01" not in table
    assert "diagnosis [half_mse_convention]" in table
    assert table.rstrip().endswith("0/48 points")
