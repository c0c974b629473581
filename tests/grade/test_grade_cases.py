"""Case files: shipped files equal the reference output, the format is checked, zero is an error.

NOTE [no bit-for-bit floats]: the expected values in the shipped files were computed in float64 on
one machine; recomputing them elsewhere (another BLAS, SIMD width or thread count) changes the last
bits. Regenerated or recomputed expected values are compared within the case's float64 tolerance
(NOTE [forward error bound] in ``descentlab.grade.tolerance``); everything else in the files
(inputs, ids, descriptions, dtypes, shapes, layout) is compared exactly: the inputs are decimal
numbers with 4 decimals, parsed from JSON to the same bits everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from descentlab.grade import REGISTRY, default_cases_dir, generate_cases, load_case_set
from descentlab.grade.arrays import decode_readable
from descentlab.grade.cases import Case, load_case_file
from descentlab.grade.generate import SHIPPED_SEED, render_json
from descentlab.grade.grader import hidden_cases
from descentlab.grade.tolerance import FLOAT64_ROUNDOFF
from descentlab.linear import numpy_backend


def _shipped(name: str, visibility: str) -> dict:
    return json.loads((default_cases_dir() / name / f"{visibility}.json").read_text("utf-8"))


def assert_within_float64_tolerance(
    name: str, inputs: dict[str, Any], expected: dict[str, Any], computed: dict[str, Any]
) -> None:
    """``computed`` agrees with ``expected`` within the float64 bound of the case, with the same
    dtype and shape."""
    tolerance = REGISTRY[name].tolerance(inputs, FLOAT64_ROUNDOFF)
    for output, bound in tolerance.items():
        want, got = np.asarray(expected[output]), np.asarray(computed[output])
        assert got.dtype == want.dtype and got.shape == want.shape, output
        difference = np.abs(got - want)
        assert np.all(difference <= bound), (output, difference, bound)


def _decoded_inputs(name: str, records: dict[str, Any]) -> dict[str, Any]:
    return {
        k: decode_readable(v) if isinstance(v, dict) else v
        for k, v in records.items()
        if k in REGISTRY[name].arguments
    }


def test_shipped_cases_equal_the_reference_output(tmp_path: Path) -> None:
    """Regenerating the shipped seed gives the shipped files: the same text but for the last
    bits of expected values (NOTE [no bit-for-bit floats])."""
    written = generate_cases(tmp_path, SHIPPED_SEED)
    assert len(written) == 2 * len(REGISTRY)
    for path in (p for p in written if p.name == "public.json"):
        relative = path.relative_to(tmp_path)
        shipped_text = (default_cases_dir() / relative).read_text("utf-8")
        shipped, fresh = json.loads(shipped_text), json.loads(path.read_text("utf-8"))
        assert render_json(shipped) == shipped_text  # the shipped layout is the generator's
        shipped_cases, fresh_cases = shipped.pop("cases"), fresh.pop("cases")
        assert shipped == fresh
        assert len(shipped_cases) == len(fresh_cases)
        for old, new in zip(shipped_cases, fresh_cases, strict=True):
            old_expected, new_expected = old.pop("expected"), new.pop("expected")
            assert old == new  # id, description, points and the inputs, exactly
            assert {k: (v["dtype"], v["shape"]) for k, v in old_expected.items()} == {
                k: (v["dtype"], v["shape"]) for k, v in new_expected.items()
            }
            assert_within_float64_tolerance(
                shipped["function"],
                _decoded_inputs(shipped["function"], old["inputs"]),
                {k: decode_readable(v) for k, v in old_expected.items()},
                {k: decode_readable(v) for k, v in new_expected.items()},
            )


def _recomputed(name: str, case: Case) -> dict[str, Any]:
    new_weight, mse = getattr(numpy_backend, name)(*case.inputs.values())
    return {"new_weight": np.asarray(new_weight), "mse": np.asarray(mse)}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_expected_values_are_the_reference_implementation(name: str) -> None:
    for case in load_case_set(name).cases + hidden_cases(name, 3):
        assert_within_float64_tolerance(name, case.inputs, case.expected, _recomputed(name, case))
        assert case.expected["new_weight"].shape == np.shape(case.inputs["weight"])


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_the_comparison_of_expected_values_is_not_blind(name: str) -> None:
    """The float64 tolerance is tight: a change in the 9th significant digit is caught."""
    case = load_case_set(name).public[-1]
    for output in ("new_weight", "mse"):
        computed = _recomputed(name, case)
        computed[output] = computed[output] * (1 + 1e-9)
        with pytest.raises(AssertionError, match=output):
            assert_within_float64_tolerance(name, case.inputs, case.expected, computed)


def test_hidden_cases_are_not_shipped() -> None:
    """NOTE [hidden cases]: only the public files are in the package."""
    shipped = sorted(
        p.relative_to(default_cases_dir()).as_posix() for p in default_cases_dir().rglob("*.json")
    )
    assert shipped == [f"{name}/public.json" for name in sorted(REGISTRY)]
    assert load_case_set("gradient_step").hidden == ()


@pytest.mark.parametrize("name", sorted(REGISTRY))
@pytest.mark.parametrize("seed", [SHIPPED_SEED, 7])
def test_shipped_and_drawn_cases_cover_sizes_lrates_weights_and_features(
    name: str, seed: int
) -> None:
    document = _shipped(name, "public")
    assert document["format_version"] == 1
    assert document["seed"] == SHIPPED_SEED
    for cases in (load_case_set(name).public, hidden_cases(name, seed)):
        sizes = [case.inputs["y"].shape[0] for case in cases]
        assert sizes == sorted(sizes) and all(m % 5 == 0 for m in sizes)
        assert {case.inputs["lrate"] for case in cases} == {0.5, 1.0, 1.5}
        kinds = {case.description.split("weight=")[1] for case in cases}
        assert kinds == {"0.01", "0.1", "1", "random"}
        if name == "gradient_step":
            features = {case.inputs["X"].shape[1] for case in cases}
            assert 1 in features and len(features) > 2
        for case in cases:
            assert all(a.dtype == np.float64 for a in case.expected.values())


def test_files_are_readable_json_with_lists_and_dtypes() -> None:
    case = _shipped("gradient_step", "public")["cases"][0]
    X = case["inputs"]["X"]
    assert X["dtype"] == "float64" and isinstance(X["data"], list)
    assert len(X["data"]) == X["shape"][0] and len(X["data"][0]) == X["shape"][1]
    assert case["expected"]["mse"]["shape"] == [] and isinstance(
        case["expected"]["mse"]["data"], float
    )


def _write(path: Path, document: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), "utf-8")
    return path


def test_zero_cases_is_an_error(tmp_path: Path) -> None:
    document = dict(_shipped("gradient_step", "public"), cases=[])
    path = _write(tmp_path / "gradient_step" / "public.json", document)
    with pytest.raises(ValueError, match="cases must hold at least one case, got 0"):
        load_case_file(path, "gradient_step")
    with pytest.raises(ValueError, match="at least one case"):
        load_case_set("gradient_step", tmp_path)


def test_a_directory_without_the_function_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"gradient_step/public\.json"):
        load_case_set("gradient_step", tmp_path)
    with pytest.raises(FileNotFoundError, match="existing directory"):
        load_case_set("gradient_step", tmp_path / "absent")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": 2}, "format_version must be 1, got 2"),
        ({"function": "gradient_step_onefeature"}, "function must be 'gradient_step'"),
        ({"visibility": "secret"}, "visibility must be 'public' or 'hidden'"),
        ({"visibility": "hidden"}, "visibility must be 'public'"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, change: dict, message: str) -> None:
    document = dict(_shipped("gradient_step", "public"), **change)
    _write(tmp_path / "gradient_step" / "public.json", document)
    with pytest.raises(ValueError, match=message):
        load_case_set("gradient_step", tmp_path)


def test_a_case_with_wrong_keys_or_shape_is_refused(tmp_path: Path) -> None:
    document = _shipped("gradient_step", "public")
    del document["cases"][0]["inputs"]["lrate"]
    path = _write(tmp_path / "a.json", document)
    with pytest.raises(ValueError, match=r"inputs must have exactly the keys"):
        load_case_file(path, "gradient_step")
    document = _shipped("gradient_step", "public")
    document["cases"][1]["inputs"]["X"]["shape"] = [3, 3]
    path = _write(tmp_path / "b.json", document)
    with pytest.raises(ValueError, match=r"inputs.X.data must have shape \(3, 3\)"):
        load_case_file(path, "gradient_step")


def test_generate_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    generate_cases(tmp_path, 7, names=["gradient_step"])
    with pytest.raises(FileExistsError, match="--force"):
        generate_cases(tmp_path, 8, names=["gradient_step"])
    generate_cases(tmp_path, 8, names=["gradient_step"], force=True)
    assert load_case_set("gradient_step", tmp_path).public[0].description


def test_different_seeds_give_different_cases(tmp_path: Path) -> None:
    generate_cases(tmp_path / "a", 1)
    generate_cases(tmp_path / "b", 2)
    a = load_case_set("gradient_step", tmp_path / "a").public[0].inputs["X"]
    b = load_case_set("gradient_step", tmp_path / "b").public[0].inputs["X"]
    assert a.shape == b.shape and not np.array_equal(a, b)


@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_generate_checks_the_seed(tmp_path: Path, seed: object) -> None:
    with pytest.raises((TypeError, ValueError), match="seed must be"):
        generate_cases(tmp_path, seed)  # type: ignore[arg-type]
