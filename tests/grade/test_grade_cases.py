"""Case files: shipped files equal the reference output, the format is checked, zero is an error."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.grade import REGISTRY, default_cases_dir, generate_cases, load_case_set
from descentlab.grade.cases import load_case_file
from descentlab.grade.generate import SHIPPED_SEED
from descentlab.linear import numpy_backend


def _shipped(name: str, visibility: str) -> dict:
    return json.loads((default_cases_dir() / name / f"{visibility}.json").read_text("utf-8"))


def test_shipped_cases_equal_the_reference_output(tmp_path: Path) -> None:
    written = generate_cases(tmp_path, SHIPPED_SEED)
    assert len(written) == 2 * len(REGISTRY)
    for path in written:
        relative = path.relative_to(tmp_path)
        assert (default_cases_dir() / relative).read_text("utf-8") == path.read_text("utf-8")


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_expected_values_are_the_reference_implementation(name: str) -> None:
    reference = getattr(numpy_backend, name)
    for case in load_case_set(name).cases:
        new_weight, mse = reference(*case.inputs.values())
        assert np.array_equal(case.expected["new_weight"], new_weight)
        assert np.array_equal(case.expected["mse"], mse)
        assert case.expected["new_weight"].shape == np.shape(case.inputs["weight"])


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_shipped_cases_cover_sizes_lrates_weights_and_features(name: str) -> None:
    for visibility in ("public", "hidden"):
        document = _shipped(name, visibility)
        assert document["format_version"] == 1
        assert document["seed"] == SHIPPED_SEED
        cases = load_case_set(name).public if visibility == "public" else load_case_set(name).hidden
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
