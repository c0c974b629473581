"""Every worker reply is checked against a strict schema before the grader reads it."""

from __future__ import annotations

import base64
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.grade.inside.capture import package
from descentlab.grade.inside.wire import encode_wire
from descentlab.grade.reply_schema import BadReplyError, check_array, check_reply


def _call(result: dict, arguments: list | None = None) -> dict:
    return {
        "status": "returned",
        "result": result,
        "arguments": [None] * 4 if arguments is None else arguments,
        "output": "",
        "output_chars": 0,
    }


def test_a_real_reply_passes() -> None:
    result = package((np.ones((2, 1)), np.float64(0.5)))
    arguments = [encode_wire(np.ones((3, 2))), encode_wire(np.ones((3, 1))), None, None]
    check_reply("call", _call(result, arguments), n_args=4)


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        ({"status": "passed"}, "status must be"),
        ({**_call(package(None)), "verdict": "pass"}, "keys must be"),
        (_call({"kind": "sequence", "type": "tuple", "length": 2, "items": []}), "2 values"),
        (_call({"kind": "ndarray", "type": "x", "dtype": "f8", "shape": [2], "array": None}), None),
        (
            _call(
                {
                    "kind": "ndarray",
                    "type": "x",
                    "dtype": "float64",
                    "shape": [3],
                    "array": {"dtype": "<f8", "shape": [3], "data": "AAAA"},
                }
            ),
            "bytes",
        ),
        (
            _call(
                {
                    "kind": "ndarray",
                    "type": "x",
                    "dtype": "object",
                    "shape": [1],
                    "array": {"dtype": "|O", "shape": [1], "data": ""},
                }
            ),
            "plain numeric dtype",
        ),
        (_call(package(1.0), arguments=[None]), "a list of 4 entries"),
        ("PASS 48/48", "an object"),
        ([1, 2], "an object"),
    ],
)
def test_malformed_call_replies_are_refused(reply: object, match: str | None) -> None:
    if match is None:
        check_reply("call", reply, n_args=4)  # a value too large to send is described, not sent
        return
    with pytest.raises(BadReplyError, match=match):
        check_reply("call", reply, n_args=4)


def test_load_replies_may_only_name_the_functions_asked_for() -> None:
    reply = {
        "ok": True,
        "found": {"os_system": ["cmd"]},
        "notes": [],
        "output": "",
        "output_chars": 0,
    }
    with pytest.raises(BadReplyError, match="keys among"):
        check_reply("load", reply, names=["gradient_step"])


def test_an_array_record_must_carry_exactly_its_bytes() -> None:
    record = encode_wire(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(check_array(record, "a"), np.arange(6.0).reshape(2, 3))
    short = dict(record, data=base64.b64encode(b"\0" * 40).decode())
    with pytest.raises(BadReplyError, match="48 bytes"):
        check_array(short, "a")
    with pytest.raises(BadReplyError, match="base64"):
        check_array(dict(record, data="not base64!"), "a")
    with pytest.raises(BadReplyError, match="elements"):
        check_array(dict(record, shape=[10**6, 10**6]), "a")


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    )
)
def test_any_json_value_is_either_accepted_or_refused_with_bad_reply(value: object) -> None:
    for op, expect in (("call", {"n_args": 4}), ("load", {"names": ["f"]}), ("init", {})):
        with contextlib.suppress(BadReplyError):
            check_reply(op, value, **expect)
