"""Every corpus submission gets the verdict, issue codes and diagnosis of the corpus table."""

from __future__ import annotations

from pathlib import Path

import pytest
from grade_corpus import CASE_TIMEOUT, entries, grade

ENTRIES = entries()
CORRECT = [e for e in ENTRIES if e["verdict"] == "pass"]
BROKEN = [e for e in ENTRIES if e["verdict"] == "fail"]
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


def test_corpus_is_large_enough_and_varied() -> None:
    assert len(BROKEN) >= 30
    assert len(CORRECT) >= 10
    styles = " ".join(e["style"] + " " + e["target"] for e in CORRECT)
    for style in ("torch", "notebook", "float32", "loops", "einsum", "np.dot", "float64"):
        assert style in styles


@pytest.mark.parametrize("entry", _params(BROKEN))
def test_broken_submissions_get_their_verdict_issues_and_diagnosis(
    entry: dict, tmp_path: Path
) -> None:
    report = grade(entry, tmp_path, timeout=entry.get("timeout", CASE_TIMEOUT))
    assert report.passed is (entry["verdict"] == "pass"), report.to_table()
    assert report.issue_codes == frozenset(entry["issues"]), report.to_table()
    assert report.diagnosis == frozenset(entry["diagnosis"]), report.to_table()


@pytest.mark.parametrize("entry", _params(CORRECT))
def test_correct_submissions_pass_on_five_seeds(
    entry: dict, tmp_path: Path, five_seed_cases: Path
) -> None:
    """No false failures: every correct submission passes the cases of five seeds (the shipped
    seed among them) with no issue and no diagnosis."""
    report = grade(entry, tmp_path, cases=five_seed_cases)
    assert report.n_cases >= 5 * 24
    assert report.passed, report.to_table()
    assert report.issue_codes == frozenset() and report.diagnosis == frozenset()
