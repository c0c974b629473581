"""TensorFlow values as the worker packages them (inside the sandbox) and as the grader judges
them: eager tensors and variables become plain arrays with TensorFlow's dtype name, narrow floats
are widened exactly and refused by name, anything without a value is described, never sent."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.grade.compare import check_output
from descentlab.grade.inside.capture import package
from descentlab.grade.inside.wire import decode_wire
from descentlab.grade.tolerance import unit_roundoff
from descentlab.quiet_tensorflow import tensorflow

pytestmark = pytest.mark.slow  # imports TensorFlow into the test process


@pytest.fixture(scope="module")
def tf():
    return tensorflow()


@pytest.mark.parametrize("name", ["float32", "float64", "float16", "bfloat16"])
def test_tf_dtype_names_have_the_unit_roundoff_of_their_format(name: str) -> None:
    expected = {"float32": 2.0**-24, "float64": 2.0**-53, "float16": 2.0**-11, "bfloat16": 2.0**-8}
    assert unit_roundoff(f"tf.{name}") == expected[name]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tensors_and_variables_become_exact_arrays_with_tf_names(tf, dtype: str) -> None:
    values = np.array([[0.1], [-2.5], [np.pi]], dtype=dtype)
    for value, kind in ((tf.constant(values), "tf.Tensor"), (tf.Variable(values), "tf.Variable")):
        packaged = package(value, top=False)
        assert packaged["kind"] == "tensor" and packaged["type"] == kind
        assert packaged["dtype"] == f"tf.{dtype}" and packaged["shape"] == [3, 1]
        array = decode_wire(packaged["array"])
        assert array.dtype == np.dtype(dtype) and array.tobytes() == values.tobytes()
    scalar = package(tf.reduce_mean(tf.constant(values)), top=False)
    assert scalar["shape"] == [] and scalar["dtype"] == f"tf.{dtype}"


def test_a_returned_pair_of_tf_values_is_a_sequence(tf) -> None:
    packaged = package((tf.Variable(np.ones((2, 1))), tf.constant(0.5, tf.float64)))
    assert packaged["kind"] == "sequence" and packaged["length"] == 2
    assert [item["type"] for item in packaged["items"]] == ["tf.Variable", "tf.Tensor"]


def test_narrow_floats_are_widened_exactly_and_refused_by_name(tf) -> None:
    value = tf.constant([[1.5], [0.25]], tf.bfloat16)
    packaged = package(value, top=False)
    array = decode_wire(packaged["array"])
    assert packaged["dtype"] == "tf.bfloat16" and array.dtype == np.float32
    assert array.tolist() == [[1.5], [0.25]]
    expected = np.array([[1.5], [0.25]])
    judged = check_output("new_weight", packaged, expected, tolerance=lambda u: np.full((2, 1), u))
    assert not judged.ok and judged.issue is not None and judged.issue.code == "wrong_dtype"
    assert "got dtype tf.bfloat16" in judged.issue.message


def test_a_tf_float32_value_is_judged_at_float32s_bound(tf) -> None:
    expected = np.array([[0.1], [0.2]])
    packaged = package(tf.constant(expected, tf.float32), top=False)
    bounds: list[float] = []

    def tolerance(u: float) -> np.ndarray:
        bounds.append(u)
        return np.full((2, 1), 4 * u)

    judged = check_output("new_weight", packaged, expected, tolerance=tolerance)
    assert judged.ok and bounds == [2.0**-24]


def test_integer_string_sparse_and_ragged_values_get_their_feedback(tf) -> None:
    integers = package(tf.constant([[1], [2]]), top=False)
    assert integers["dtype"] == "tf.int32"
    judged = check_output("new_weight", integers, np.ones((2, 1)), tolerance=lambda u: u)
    assert judged.issue is not None and judged.issue.code == "wrong_dtype"
    text = package(tf.constant(["a"]), top=False)
    assert text["kind"] == "other" and "array" not in text
    sparse = package(tf.sparse.from_dense(tf.constant([[1.0], [0.0]])), top=False)
    ragged = package(tf.ragged.constant([[1.0], [2.0, 3.0]]), top=False)
    for packaged, type_name in ((sparse, "SparseTensor"), (ragged, "RaggedTensor")):
        assert packaged["kind"] == "other" and packaged["type"] == type_name
        judged = check_output("new_weight", packaged, np.ones((2, 1)), tolerance=lambda u: u)
        assert judged.issue is not None and judged.issue.code == "wrong_type"
        assert f"got {type_name}" in judged.issue.message


def test_a_keras_variable_is_packaged_like_a_tf_variable() -> None:
    import keras

    variable = keras.Variable(np.array([[0.5], [1.5]]), dtype="float64")
    packaged = package(variable, top=False)
    assert (packaged["kind"], packaged["type"], packaged["dtype"]) == (
        "tensor",
        "keras.Variable",
        "tf.float64",
    )
    assert decode_wire(packaged["array"]).tolist() == [[0.5], [1.5]]
