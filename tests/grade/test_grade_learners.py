"""Submissions written the way learners write them get the verdict, issues and diagnosis of
``submissions/learners.json``: the broken ones on the shipped cases, each named by its mistake or
pair of mistakes, the correct ones on the cases of five seeds with no issue and no diagnosis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from grade_corpus import CASE_TIMEOUT, SUBMISSIONS, grade

ENTRIES = json.loads((SUBMISSIONS / "learners.json").read_text("utf-8"))["submissions"]
CORRECT = [e for e in ENTRIES if e["verdict"] == "pass"]
BROKEN = [e for e in ENTRIES if e["verdict"] == "fail"]


def _params(selected: list[dict]) -> list:
    return [
        pytest.param(
            entry,
            id=entry["target"].removeprefix("learners/"),
            marks=[pytest.mark.slow] if "torch" in entry["target"] else [],
        )
        for entry in selected
    ]


def test_the_table_lists_every_learner_file_and_covers_the_styles() -> None:
    listed = {e["target"] for e in ENTRIES}
    on_disk = {f"learners/{p.name}" for p in (SUBMISSIONS / "learners").iterdir()}
    assert listed == on_disk
    assert len(ENTRIES) >= 30 and len(CORRECT) >= 12 and len(BROKEN) >= 12
    styles = " ".join(e["style"] for e in ENTRIES)
    for style in (
        "for-loop",
        "np.dot",
        "@",
        "class",
        "np.matrix",
        "requires_grad",
        ".backward()",
        "nn.Linear + torch.optim.SGD",
        "nn.MSELoss",
        "1/(2m)",
        ".item()",
        "float32",
        "notebook",
    ):
        assert style in styles, style
    # every broken learner is named: a real mistake, or two at once
    assert all(e["diagnosis"] for e in BROKEN)
    assert sum(len(e["diagnosis"]) == 2 for e in BROKEN) >= 8


@pytest.mark.parametrize("entry", _params(BROKEN))
def test_broken_learners_get_their_verdict_issues_and_diagnosis(
    entry: dict, tmp_path: Path
) -> None:
    report = grade(entry, tmp_path, timeout=entry.get("timeout", CASE_TIMEOUT))
    assert not report.passed, report.to_table()
    assert report.issue_codes == frozenset(entry["issues"]), report.to_table()
    assert report.diagnosis == frozenset(entry["diagnosis"]), report.to_table()


@pytest.mark.parametrize("entry", _params(CORRECT))
def test_correct_learners_pass_on_five_seeds(
    entry: dict, tmp_path: Path, five_seed_cases: Path
) -> None:
    report = grade(entry, tmp_path, five_seed_cases, timeout=entry.get("timeout", CASE_TIMEOUT))
    assert report.n_cases >= 5 * 24
    assert report.diagnosis == frozenset(), report.to_table()
    assert report.passed, report.to_table()
    assert report.issue_codes == frozenset()
