"""Diagnosis: each known mistake, simulated from the reference math, is named and only it."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.grade import REGISTRY, load_case_set
from descentlab.grade.diagnose import explained_by, matching_mistakes

TABLE = [(g, m) for g in REGISTRY.values() for m in g.mistakes]


@pytest.mark.parametrize(
    ("gradable", "mistake"), TABLE, ids=[f"{g.name}-{m.name}" for g, m in TABLE]
)
def test_each_mistake_is_identified_alone_on_the_shipped_cases(gradable, mistake) -> None:
    per_case = []
    for case in load_case_set(gradable.name).cases:
        received = np.asarray(mistake.predict(case.inputs)).reshape(
            case.expected[mistake.output].shape
        )
        wrong = {}
        if not np.allclose(received, case.expected[mistake.output]):
            wrong[mistake.output] = received
        per_case.append(
            (frozenset(wrong), matching_mistakes(gradable.mistakes, case.inputs, wrong))
        )
    assert any(wrong for wrong, _ in per_case), "the mistake never shows"
    assert explained_by(gradable.mistakes, per_case) == (mistake,)


def test_correct_values_are_not_diagnosed() -> None:
    gradable = REGISTRY["gradient_step"]
    case = load_case_set(gradable.name).public[0]
    assert matching_mistakes(gradable.mistakes, case.inputs, {}) == ()
    assert explained_by(gradable.mistakes, [(frozenset(), ())]) == ()


def test_a_mistake_that_misses_one_failing_case_is_not_reported() -> None:
    gradable = REGISTRY["gradient_step"]
    sign = next(m for m in gradable.mistakes if m.name == "sign_flipped")
    per_case = [(frozenset({"new_weight"}), ("sign_flipped",)), (frozenset({"new_weight"}), ())]
    assert sign not in explained_by(gradable.mistakes, per_case)


def test_mistakes_cover_the_brief() -> None:
    names = {m.name for m in REGISTRY["gradient_step"].mistakes}
    assert {
        "sign_flipped",
        "missing_factor_2",
        "missing_1_over_m",
        "loss_after_update",
        "sum_instead_of_mean",
        "weight_unchanged",
        "lrate_twice",
    } <= names
