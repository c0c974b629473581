"""Diagnosis: the mistake table, matching by value whatever the shape, and the whole-function rule.

Every mistake and pair written as learner code is checked on full case sets in
``test_grade_diagnose_properties.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from mistaken_steps import mistaken_step

from descentlab.grade import REGISTRY, load_case_set
from descentlab.grade.diagnose import (
    Change,
    build_mistakes,
    diagnose_case,
    explained_by,
    values_close,
    wrong_outputs,
)
from descentlab.grade.linear_steps import CHANGES, MISTAKES, MISTAKES_ONEFEATURE

STEP = REGISTRY["gradient_step"]
ONE = REGISTRY["gradient_step_onefeature"]
NAMES = {m.name for m in MISTAKES}


def _case(gradable, description_part: str):
    return next(c for c in load_case_set(gradable.name).cases if description_part in c.description)


def _diagnose(gradable, case, *returned, wrong=None):
    received = dict(zip(gradable.outputs, returned, strict=True))
    return diagnose_case(gradable.mistakes, case.inputs, received, case.expected, wrong)


def _mistaken(gradable, case, *mistakes, **options):
    return mistaken_step(*(case.inputs[a] for a in gradable.arguments), mistakes, **options)


def test_the_table_has_every_single_mistake_of_the_brief() -> None:
    assert {
        "sign_flipped",
        "missing_factor_2",
        "missing_1_over_m",
        "missing_2_over_m",
        "half_mse_convention",
        "sum_instead_of_mean",
        "loss_after_update",
        "lrate_twice",
        "weight_unchanged",
        "per_sample_updates",
        "gradient_collapsed",
        "half_sum_of_squares",
        "weight_as_gradient",
        "returns_gradient",
        "rmse",
        "swapped_outputs",
        "half_mse",
    } <= {m.name for m in MISTAKES if not m.parts}
    assert {m.name for m in MISTAKES_ONEFEATURE} == {
        m.name for m in MISTAKES if "gradient_collapsed" not in m.components
    }


def test_pairs_are_named_by_their_sorted_parts_and_exist_where_compatible() -> None:
    for mistake in MISTAKES:
        if mistake.parts:
            assert mistake.name == "+".join(sorted(mistake.parts)) and len(mistake.parts) == 2
    assert {
        "missing_factor_2+sign_flipped",
        "loss_after_update+sign_flipped",
        "half_mse+loss_after_update",
        "loss_after_update+per_sample_updates",
        "loss_during_updates+per_sample_updates",
        "gradient_collapsed+missing_1_over_m",
        "rmse+sum_instead_of_mean",
        "missing_factor_2+swapped_outputs",
        "half_mse_convention+sign_flipped",
    } <= NAMES
    # a pair with the arithmetic of a named mistake is that mistake
    assert (
        "half_mse+missing_factor_2" not in NAMES
        and "missing_1_over_m+missing_factor_2" not in NAMES
    )
    assert "half_mse+sum_instead_of_mean" not in NAMES
    # incompatible: the same part of the computation twice, or one that makes the other moot
    for name in (
        "missing_1_over_m+per_sample_updates",
        "sign_flipped+weight_unchanged",
        "half_mse+half_mse_convention",
        "loss_after_update+loss_during_updates",
        "loss_during_updates+sign_flipped",
        "per_sample_updates+returns_gradient",
    ):
        assert name not in NAMES
    assert "loss_during_updates" in NAMES  # reported as a part of its pair


def test_build_mistakes_pairs_compatible_changes_and_drops_duplicates() -> None:
    def evaluate(recipe, inputs, memo):
        return {"out": (np.asarray(float(sum(recipe))), 1.0)}

    changes = [
        Change("a", "A", lambda r: ((r[0] + 1, r[1]),), frozenset({"first"})),
        Change("b", "B", lambda r: ((r[0], r[1] + 1),), frozenset({"second"})),
        Change("ab", "AB", lambda r: ((r[0] + 1, r[1] + 1),), frozenset({"first", "second"})),
        Change("c", "C", lambda r: ((r[0] + 2, r[1]),), frozenset({"first"})),
    ]
    table = build_mistakes(changes, (0, 0), evaluate, lambda recipe: frozenset({"out"}))
    assert [m.name for m in table] == ["a", "b", "ab", "c", "b+c"]
    assert table[-1].parts == ("b", "c") and table[-1].message == "B; and C"
    assert table[-1].predict({}, {})[0]["out"][0] == 3.0


def test_a_correct_return_and_a_correct_float32_return_are_not_diagnosed() -> None:
    case = load_case_set(STEP.name).public[0]
    assert _diagnose(STEP, case, case.expected["new_weight"], case.expected["mse"]) == ()
    returned = _mistaken(STEP, case, dtype=np.float32)
    assert _diagnose(STEP, case, *returned, wrong=frozenset({"new_weight", "mse"})) == ()


def test_a_mistake_that_changes_nothing_in_a_case_is_not_seen_there() -> None:
    case = _case(STEP, "lrate=1,")
    # the learning rate applied twice predicts exactly the expected value, not this
    noisy = case.expected["new_weight"] * (1 + 5e-4)
    assert _diagnose(STEP, case, noisy, case.expected["mse"]) == ()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_pair_is_diagnosed_as_the_pair(dtype) -> None:
    case = _case(STEP, "lrate=1.5")
    returned = _mistaken(STEP, case, "sign_flipped", "loss_after_update", dtype=dtype)
    assert _diagnose(STEP, case, *returned) == ("sign_flipped", "loss_after_update+sign_flipped")
    returned = _mistaken(STEP, case, "half_mse", "loss_after_update", dtype=dtype)
    assert _diagnose(STEP, case, *returned) == ("half_mse+loss_after_update",)


def test_a_pair_that_adds_nothing_in_a_case_is_listed_as_its_part() -> None:
    case = _case(STEP, "lrate=1,")
    returned = _mistaken(STEP, case, "sign_flipped", "lrate_twice")
    assert _diagnose(STEP, case, *returned) == ("sign_flipped",)
    returned = _mistaken(STEP, case, "sign_flipped", "sum_instead_of_mean")
    assert _diagnose(STEP, case, *returned) == ("sign_flipped", "sum_instead_of_mean")


def test_a_wrong_value_behind_a_wrong_shape_is_diagnosed() -> None:
    case = _case(STEP, "n=3")
    new_weight, mse = _mistaken(STEP, case, "sign_flipped")
    assert _diagnose(STEP, case, new_weight.ravel(), mse.reshape(1, 1)) == ("sign_flipped",)
    case = _case(ONE, "lrate=1.5")
    new_weight, mse = _mistaken(ONE, case, "missing_factor_2")
    assert _diagnose(ONE, case, new_weight.reshape(1, 1), mse) == ("missing_factor_2",)


@pytest.mark.parametrize("gradable", [STEP, ONE], ids=lambda g: g.name)
def test_swapped_outputs_are_diagnosed_whatever_the_shapes(gradable) -> None:
    for case in load_case_set(gradable.name).public:
        new_weight, mse = _mistaken(gradable, case)
        assert _diagnose(gradable, case, mse, new_weight) == ("swapped_outputs",), case.description
        returned = _mistaken(gradable, case, "swapped_outputs", "sign_flipped")
        assert _diagnose(gradable, case, *returned) == ("sign_flipped+swapped_outputs",)


def test_a_float32_mistake_matches_but_a_different_mistake_does_not() -> None:
    predicted = np.array([1.0, -2.0, 3.0])
    assert values_close(predicted.astype(np.float32), predicted)
    assert values_close(predicted.reshape(3, 1), predicted)
    assert not values_close(predicted * 0.999, predicted)
    assert not values_close(predicted[:2], predicted) and not values_close(None, predicted)
    # cancellation: the scale of the terms, not the small result, sets the tolerance
    assert values_close(1e-3 + 5e-6, 1e-3, scale=1.0) and not values_close(1e-3 + 5e-6, 1e-3)


def test_wrong_outputs_compares_numbers_whatever_the_shape() -> None:
    expected = {"new_weight": np.ones((2, 1)), "mse": np.asarray(2.0)}
    assert wrong_outputs({"new_weight": np.ones(2), "mse": np.ones((1, 1)) * 2}, expected) == set()
    assert wrong_outputs({"new_weight": np.asarray(2.0), "mse": np.ones(2)}, expected) == {
        "new_weight",
        "mse",
    }
    assert wrong_outputs({"new_weight": None, "mse": np.asarray(np.nan)}, expected) == set()
    # too close to tell from float32 rounding, though numpy.allclose says it differs
    assert wrong_outputs({"new_weight": np.ones(2), "mse": 2.0 + 1e-4}, expected) == set()
    assert wrong_outputs({"new_weight": np.zeros(2), "mse": 1.0}, expected, ["mse"]) == {"mse"}


def test_a_nan_output_neither_confirms_nor_refutes_a_pair() -> None:
    case = _case(STEP, "lrate=1.5")
    new_weight, _ = _mistaken(STEP, case, "sign_flipped")
    names = _diagnose(STEP, case, new_weight, np.asarray(np.nan))
    assert names == ("sign_flipped",)


def test_the_whole_function_rule_prefers_one_mistake_then_reports_the_parts() -> None:
    table = {m.name: m for m in MISTAKES}
    nw, mse, both = frozenset({"new_weight"}), frozenset({"mse"}), frozenset({"new_weight", "mse"})
    single = [(nw, ("sign_flipped",)), (nw, ("sign_flipped", "lrate_twice+sign_flipped"))]
    assert explained_by(MISTAKES, single) == (table["sign_flipped"],)
    pair = [(both, ("sign_flipped", "loss_after_update+sign_flipped"))] * 3 + [(nw, ())]
    assert explained_by(MISTAKES, pair) == ()  # one failing case is not explained
    pair = [(both, ("sign_flipped", "loss_after_update+sign_flipped"))] * 3
    assert explained_by(MISTAKES, pair) == (table["sign_flipped"], table["loss_after_update"])
    separate = [(both, ("sign_flipped", "sum_instead_of_mean")), (mse, ("sum_instead_of_mean",))]
    assert {m.name for m in explained_by(MISTAKES, separate)} == {
        "sign_flipped",
        "sum_instead_of_mean",
    }
    convention = [(both, ("missing_factor_2", "half_mse", "half_mse_convention"))]
    assert explained_by(MISTAKES, convention) == (table["half_mse_convention"],)
    coincidence = [(nw, ("missing_factor_2", "lrate_twice"))] * 2
    assert {m.name for m in explained_by(MISTAKES, coincidence)} == {
        "missing_factor_2",
        "lrate_twice",
    }
    assert explained_by(MISTAKES, [(frozenset(), ())]) == ()


def test_a_mistake_that_misses_one_failing_case_is_not_reported() -> None:
    per_case = [(frozenset({"new_weight"}), ("sign_flipped",)), (frozenset({"new_weight"}), ())]
    assert explained_by(MISTAKES, per_case) == ()


def test_every_change_says_what_to_do() -> None:
    for change in CHANGES:
        assert change.message and change.message[0].islower() and not change.message.endswith(".")
