"""The bit-for-bit comparison of a re-run's results (NOTE [measured, not computed])."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from descentlab.lifecycle.rerun import Original, compare_runs, provenance_warnings

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(st.lists(finite, min_size=1, max_size=8))
def test_the_same_values_are_identical(values: list[float]) -> None:
    tree = {"results": {"losses": values, "final": values[-1]}}
    comparison = compare_runs(tree, {"results": {"losses": list(values), "final": values[-1]}})
    assert comparison.identical is True
    assert comparison.compared == len(values) + 1


@given(st.lists(finite, min_size=1, max_size=8), st.data())
def test_one_ulp_is_a_difference_and_the_largest_is_named(values: list[float], data) -> None:
    index = data.draw(st.integers(0, len(values) - 1))
    changed = list(values)
    changed[index] = math.nextafter(values[index], math.inf)
    comparison = compare_runs({"results": {"w": values}}, {"results": {"w": changed}})
    assert comparison.identical is False
    assert comparison.differing == 1
    assert comparison.where == f"results.w[{index}]"
    assert comparison.largest == abs(changed[index] - values[index])


def test_signed_zero_and_structure_count_nan_does_not() -> None:
    assert compare_runs({"a": 0.0}, {"a": -0.0}).identical is False
    assert compare_runs({"a": math.nan}, {"a": math.nan}).identical is True
    shorter = compare_runs({"a": [1.0, 2.0]}, {"a": [1.0]})
    assert shorter.identical is False and shorter.mismatched == ["a[1]"]
    assert compare_runs({"a": None}, {"a": 1.0}).mismatched == ["a"]
    assert compare_runs(None, {"a": 1.0}).identical is None


def test_measured_times_are_counted_apart() -> None:
    old = {"history": {"seconds": [0.1, 0.2], "loss": [1.0]}, "matched_time": {"loss": 3.0}}
    new = {"history": {"seconds": [0.3, 0.4], "loss": [1.0]}, "matched_time": {"loss": 4.0}}
    comparison = compare_runs(old, new)
    assert comparison.identical is True
    assert (comparison.compared, comparison.measured) == (1, 3)


def test_provenance_warnings() -> None:
    original = Original("gd-onefeature", {}, "run 3", versions={"numpy": "2.0"}, device="cpu (x)")
    assert provenance_warnings(original, {"numpy": "2.0"}, "cpu (x)") == []
    version, device = provenance_warnings(original, {"numpy": "2.1"}, "cuda:0 (y)")
    assert "numpy 2.0 → 2.1" in version and "cpu (x) → cuda:0 (y)" in device
    unknown = Original("gd-onefeature", {}, "config.json")
    assert "unknown" in provenance_warnings(unknown, {}, "cpu")[0]
    # a library the original run did not record (stored before it was listed) is no difference
    later = {"numpy": "2.0", "tensorflow-cpu": "2.21.0"}
    assert provenance_warnings(original, later, "cpu (x)") == []
    assert (
        "numpy 2.0 → 2.1" in provenance_warnings(original, {**later, "numpy": "2.1"}, "cpu (x)")[0]
    )
