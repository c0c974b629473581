"""TensorFlow submissions are graded like NumPy and torch ones (``submissions/tf.json``).

Each entry is graded in the sandbox with the tests' 2 s per-case limit: correct learners (eager
``GradientTape``, ``tf.function``, float32 and float64, tensors and variables returned) pass the
cases of five seeds with the types and dtypes the table names; broken ones get their issue codes
and the diagnosis of each function. A TensorFlow worker costs seconds to start (the import), so
these tests are marked slow; each grades one submission in one worker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from grade_corpus import CASE_TIMEOUT, SUBMISSIONS, grade

from descentlab.grade.submission_spec import frameworks_used, spec_for_path

TABLE = json.loads((SUBMISSIONS / "tf.json").read_text("utf-8"))["submissions"]
CORRECT = [e for e in TABLE if e["verdict"] == "pass"]
BROKEN = [e for e in TABLE if e["verdict"] == "fail"]
HELPER = "warm_check.py"  # imported by the warm-up probes
HOSTILE = json.loads((SUBMISSIONS / "hostile.json").read_text("utf-8"))["submissions"]


def _params(selected: list[dict[str, Any]]) -> list:
    return [
        pytest.param(e, id=e["target"].removeprefix("tf/"), marks=pytest.mark.slow)
        for e in selected
    ]


def test_the_table_lists_every_tf_file_and_covers_the_styles() -> None:
    on_disk = {f"tf/{p.name}" for p in (SUBMISSIONS / "tf").iterdir() if p.name != HELPER}
    assert {e["target"] for e in TABLE} == on_disk
    styles = " ".join(e["style"] for e in CORRECT)
    for style in ("eager GradientTape", "tf.function", "float32", "float64", "importlib"):
        assert style in styles, style
    returned = {
        tuple(kind)
        for e in CORRECT
        for outputs in e["received"].values()
        for kind in outputs.values()
    }
    assert {("tf.Variable", "tf.float64"), ("tf.Tensor", "tf.float32")} <= returned
    assert {("tf.Variable", "tf.float32"), ("tf.Tensor", "tf.float64")} <= returned
    issues = {code for e in BROKEN for code in e["issues"]}
    assert {"raised", "returned_none", "wrong_shape", "not_finite", "timeout"} <= issues
    assert {"modified_input", "wrong_dtype", "wrong_value"} <= issues
    diagnosed = {name for e in BROKEN for names in e["diagnosis"].values() for name in names}
    assert {"sign_flipped", "missing_2_over_m", "loss_after_update"} <= diagnosed


def test_the_frameworks_to_warm_up_are_read_from_the_imports_without_running_them() -> None:
    for entry in TABLE:
        spec = spec_for_path(SUBMISSIONS / entry["target"])
        expected = [] if "importlib" in entry["style"] else ["tensorflow"]
        assert frameworks_used(spec) == expected, entry["target"]


def test_the_hostile_table_holds_tensorflow_attacks() -> None:
    """The hostile TensorFlow submissions run in test_grade_hostile.py with every other hostile
    one (the same containment checks); here: that they are there and cover what they must."""
    tf_entries = [e for e in HOSTILE if e["target"].startswith("hostile/tf_")]
    sources = " ".join((SUBMISSIONS / e["target"]).read_text("utf-8") for e in tf_entries)
    for attack in ("tf.io.gfile", "tf.io.read_file", "tf.io.write_file", "socket", "os.fork"):
        assert attack in sources, attack
    assert any(e.get("listen") for e in tf_entries) and any(e.get("marker") for e in tf_entries)
    assert any(e.get("must_not_exist") for e in tf_entries)


def _function_diagnosis(report: Any) -> dict[str, list[str]]:
    return {f.name: sorted(n for n, _ in f.diagnosis) for f in report.functions if f.diagnosis}


@pytest.mark.parametrize("entry", _params(BROKEN))
def test_broken_tf_learners_get_their_feedback_and_diagnosis(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    report = grade(entry, tmp_path, timeout=CASE_TIMEOUT)
    table = report.to_table()
    assert not report.passed, table
    assert report.issue_codes == frozenset(entry["issues"]), table
    assert _function_diagnosis(report) == entry["diagnosis"], table
    messages = " ".join(i.message for f in report.functions for c in f.cases for i in c.issues)
    if "raised" in entry["issues"]:
        assert "InvalidArgumentError" in messages, table
    if "modified_input" in entry["issues"]:
        assert "modified its input weight" in messages, table
    if "wrong_dtype" in entry["issues"]:
        assert "got dtype tf.bfloat16" in messages, table


@pytest.mark.parametrize("entry", _params(CORRECT))
def test_correct_tf_learners_pass_on_five_seeds(
    entry: dict[str, Any], tmp_path: Path, five_seed_cases: Path
) -> None:
    report = grade(entry, tmp_path, five_seed_cases, timeout=CASE_TIMEOUT)
    table = report.to_table()
    assert report.passed, table
    assert report.issue_codes == frozenset() and report.diagnosis == frozenset(), table
    assert {f.name for f in report.functions} == set(entry["received"])
    for function in report.functions:
        assert len(function.cases) >= 5 * 24
        for case in function.visible("public"):
            assert case.received is not None
            kinds = {name: [value["type"], value["dtype"]] for name, value in case.received.items()}
            assert kinds == entry["received"][function.name], (case.id, kinds)
            assert not case.notes, (case.id, case.notes)
