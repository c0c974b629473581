"""Every corpus submission gets the verdict, issue codes and diagnosis of the corpus table."""

from __future__ import annotations

from pathlib import Path

import pytest
from grade_corpus import entries, grade

ENTRIES = entries()
CORRECT = [e for e in ENTRIES if e["verdict"] == "pass"]
SLOW = ("infinite_loop", "slow_on_large", "toplevel_loop")


def _params(selected: list[dict]) -> list:
    return [
        pytest.param(
            entry,
            id=entry["target"],
            marks=[pytest.mark.slow] if any(s in entry["target"] for s in SLOW) else [],
        )
        for entry in selected
    ]


def test_corpus_is_large_enough() -> None:
    broken = [e for e in ENTRIES if e["verdict"] == "fail"]
    assert len(broken) >= 30
    assert len(CORRECT) >= 10
    assert {"torch", "notebook", "float32", "loops", "einsum", "np.dot"} <= {
        word
        for e in CORRECT
        for word in ("torch", "notebook", "float32", "loops", "einsum", "np.dot")
        if word in e["style"].lower() or word in e["target"]
    }


@pytest.mark.parametrize("entry", _params(ENTRIES))
def test_verdict_issues_and_diagnosis(entry: dict, tmp_path: Path) -> None:
    report = grade(entry, tmp_path)
    assert report.passed is (entry["verdict"] == "pass"), report.to_table()
    assert report.issue_codes == frozenset(entry["issues"]), report.to_table()
    assert report.diagnosis == frozenset(entry["diagnosis"]), report.to_table()


@pytest.mark.parametrize("entry", _params(CORRECT))
def test_correct_submissions_pass_on_five_seeds(
    entry: dict, tmp_path: Path, five_seed_cases: Path
) -> None:
    report = grade(entry, tmp_path, cases=five_seed_cases)
    assert report.n_cases >= 5 * 24
    assert report.passed, report.to_table()
