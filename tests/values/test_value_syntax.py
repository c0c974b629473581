"""The one value syntax (NOTE [value syntax]): round trips, tricky inputs, refused old forms."""

from __future__ import annotations

import math
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from descentlab.validation import InputError, InputValueError
from descentlab.values import (
    format_spec,
    format_value,
    kinds_of_dataclass,
    kinds_of_defaults,
    parse_field,
    parse_hyperparameter,
    parse_scalar,
    parse_settings,
    parse_spec,
    split_assignments,
)

finite = st.floats(allow_nan=False, allow_infinity=False)
ints = st.integers(min_value=-(10**300), max_value=10**300)
# Text a text field can hold: no separator, no surrounding quote or blank, not a bool word.
words = st.text(alphabet=string.ascii_letters + string.digits + "_-.é漢", min_size=1).filter(
    lambda t: t.lower() not in ("true", "false")
)


def same(a: object, b: object) -> bool:
    """Equal, with -0.0 told from 0.0 (the text keeps the sign)."""
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float):
        return isinstance(b, float) and a == b and math.copysign(1, a) == math.copysign(1, b)
    return type(a) is type(b) and a == b


# --- round trips: format a value, parse it back, get the same value ---------------------------


@given(st.one_of(finite.map(lambda x: (float, x)), ints.map(lambda x: (int, x))))
def test_numbers_round_trip(case: tuple[type, float]) -> None:
    kind, value = case
    assert same(parse_scalar("x", format_value(value), kind), value)
    assert same(parse_hyperparameter("x", format_value(value), kind), value)
    assert same(parse_field("x", format_value(value), kind), value)


@given(st.booleans())
def test_bools_round_trip(value: bool) -> None:
    assert parse_scalar("x", format_value(value), bool) is value


@given(words)
def test_text_round_trips(value: str) -> None:
    assert parse_scalar("x", format_value(value), str) == value
    assert parse_field("x", value, str) == value


@given(st.lists(finite, min_size=1, max_size=5).map(tuple))
def test_float_sequences_round_trip_as_hyperparameters(value: tuple[float, ...]) -> None:
    assert same(parse_hyperparameter("betas", format_value(value), tuple[float, ...]), value)


@given(st.lists(ints, min_size=1, max_size=5).map(tuple))
def test_int_sequences_round_trip_as_hyperparameters(value: tuple[int, ...]) -> None:
    assert same(parse_hyperparameter("milestones", format_value(value), tuple[int, ...]), value)


@given(
    st.one_of(
        st.tuples(st.just(float), st.lists(finite, max_size=5)),
        st.tuples(st.just(int), st.lists(ints, max_size=5)),
        st.tuples(st.just(str), st.lists(words, max_size=5)),
    )
)
def test_list_fields_round_trip(case: tuple[type, list]) -> None:
    kind, items = case
    text = ",".join(format_value(v) for v in items)
    assert same(parse_field("items", text, tuple[kind, ...]), tuple(items))


ADAM = {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False}
STEP = {"lr": 0.1, "step_size": 10, "gamma": 0.5}
KINDS = {"adam": kinds_of_defaults(ADAM), "step": kinds_of_defaults(STEP)}


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "lr": finite,
            "betas": st.tuples(finite, finite),
            "eps": finite,
            "amsgrad": st.booleans(),
        },
    )
)
def test_specs_round_trip(hyper: dict) -> None:
    spec = parse_spec("optimizers[0]", format_spec("adam", hyper), KINDS)
    assert spec.name == "adam"
    assert spec.given.keys() == hyper.keys()
    assert all(same(spec.given[k], v) for k, v in hyper.items())


@given(st.dictionaries(st.sampled_from(["step_size", "gamma"]), st.integers(1, 10**6)))
def test_settings_round_trip(hyper: dict) -> None:
    items = [f"{k}={format_value(v)}" for k, v in hyper.items()]
    parsed = parse_settings("--schedule-set", items, KINDS["step"])
    assert parsed == {k: float(v) if k == "gamma" else v for k, v in hyper.items()}


def test_kinds_come_from_defaults_and_annotations() -> None:
    assert KINDS["adam"] == {
        "lr": float,
        "betas": tuple[float, ...],
        "eps": float,
        "amsgrad": bool,
    }
    from descentlab.optim.schedules import SCHEDULES

    kinds = kinds_of_dataclass(SCHEDULES["multistep"])
    assert parse_hyperparameter("milestones", "10/20", kinds["milestones"]) == (10, 20)
    assert kinds_of_dataclass(SCHEDULES["one_cycle"])["three_phase"] is bool


# --- tricky inputs: each refused with the name and the value, or read as stated --------------

REFUSED = [
    # (what is parsed, the message it must give)
    (lambda: parse_scalar("lrate", "abc", float), r"lrate must be a number, got 'abc'"),
    (lambda: parse_scalar("lrate", "", float), r"lrate must be a number, got ''"),
    (lambda: parse_scalar("lrate", "   ", float), r"lrate must be a number, got ''"),
    (lambda: parse_scalar("lrate", "inf", float), r"lrate must be a finite number, got 'inf'"),
    (lambda: parse_scalar("lrate", "-Infinity", float), r"lrate must be a finite number, .*"),
    (lambda: parse_scalar("lrate", "NaN", float), r"lrate must be a finite number, got 'NaN'"),
    (lambda: parse_scalar("lrate", "1e400", float), r"lrate must be a finite number, got '1e400'"),
    (lambda: parse_scalar("lrate", "0x10", float), r"lrate must be a number, got '0x10'"),
    (lambda: parse_scalar("lrate", "1_000", float), r"lrate must be a number, got '1_000'"),
    (lambda: parse_scalar("lrate", "１２", float), r"lrate must be a number, got '１２'"),
    (lambda: parse_scalar("lrate", "0.1 0.2", float), r"lrate must be a number, got '0.1 0.2'"),
    (lambda: parse_scalar("epochs", "1.5", int), r"epochs must be an integer, got '1.5'"),
    (lambda: parse_scalar("epochs", "1e3", int), r"epochs must be an integer, got '1e3'"),
    (lambda: parse_scalar("epochs", "٣", int), r"epochs must be an integer, got '٣'"),
    (
        lambda: parse_scalar("epochs", "9" * 5000, int),
        r"epochs must be an integer of at most 4300 digits, got '9{60}'\.\.\. \(5000 characters\)",
    ),
    (lambda: parse_scalar("flag", "yes", bool), r"flag must be true or false, got 'yes'"),
    (lambda: parse_scalar("flag", "1", bool), r"flag must be true or false, got '1'"),
    (
        lambda: parse_scalar("mode", "'min'", str),
        r"mode must be written without quotes \(mode=min\), got \"'min'\"",
    ),
    (lambda: split_assignments("--set", [""]), r"--set must be key=value, got ''"),
    (lambda: split_assignments("--set", ["="]), r"--set must be key=value, got '='"),
    (lambda: split_assignments("--set", ["=5"]), r"--set must be key=value, got '=5'"),
    (lambda: split_assignments("--set", ["lrate"]), r"--set must be key=value, got 'lrate'"),
    (
        lambda: split_assignments("--set", ["lrate=0.1", " lrate = 0.2"]),
        r"--set must set each key once, got lrate='0.1' and lrate='0.2'",
    ),
    (
        lambda: parse_field("lrates", "0.1,,0.2", tuple[float, ...]),
        r"lrates must be items separated by ',' with none left out, got '0.1,,0.2'",
    ),
    (
        lambda: parse_field("lrates", "0.1,", tuple[float, ...]),
        r"lrates must be items separated by ',' with none left out, got '0.1,'",
    ),
    (
        lambda: parse_field("lrates", "0.1,abc", tuple[float, ...]),
        r"lrates\[1\] must be a number, got 'abc'",
    ),
    (
        lambda: parse_hyperparameter("betas", "0.9//0.99", tuple[float, ...]),
        r"betas must be numbers joined by '/' with none left out, got '0.9//0.99'",
    ),
    (
        lambda: parse_hyperparameter("betas", "0.9/nan", tuple[float, ...]),
        r"betas\[1\] must be a finite number, got 'nan'",
    ),
    (
        lambda: parse_hyperparameter("lr", "0.1/0.2", float),
        r"lr must be a number, got '0.1/0.2'",
    ),
    (
        lambda: parse_settings("--optimizer-set", ["a==b"], KINDS["adam"]),
        r"--optimizer-set key must be one of lr, betas, eps, amsgrad, got 'a'",
    ),
    (
        lambda: parse_settings("--optimizer-set", ["bétas=0.9/0.99"], KINDS["adam"]),
        r"--optimizer-set key must be one of lr, betas, eps, amsgrad, got 'bétas'",
    ),
]


@pytest.mark.parametrize("parse, message", REFUSED)
def test_tricky_input_is_refused_naming_key_and_value(parse, message) -> None:
    with pytest.raises(InputValueError) as caught:
        parse()
    assert re.fullmatch(message, str(caught.value)), str(caught.value)


READ = [
    (lambda: parse_scalar("lrate", " 1e-3 ", float), 1e-3),
    (lambda: parse_scalar("lrate", "+.5", float), 0.5),
    (lambda: parse_scalar("lrate", "5.", float), 5.0),
    (lambda: parse_scalar("lrate", "3", float), 3.0),
    (lambda: parse_scalar("flag", "TRUE", bool), True),
    (lambda: parse_scalar("n", "-0", int), 0),
    (lambda: parse_scalar("n", "9" * 4000, int), int("9" * 4000)),
    (lambda: parse_scalar("data", "2024", str), "2024"),
    (lambda: parse_scalar("data", "dir/a=b,c.csv", str), "dir/a=b,c.csv"),
    (lambda: parse_field("data", "", str), ""),
    (lambda: parse_field("features", "", tuple[str, ...]), ()),
    (lambda: parse_field("features", " a , b ", tuple[str, ...]), ("a", "b")),
    (lambda: split_assignments("--set", ["data=a==b"]), {"data": "a==b"}),
    (lambda: split_assignments("--set", [" data = x "]), {"data": "x"}),
    (lambda: parse_hyperparameter("betas", " 0.9 / 0.99 ", tuple[float, ...]), (0.9, 0.99)),
    (lambda: parse_hyperparameter("milestones", "5", tuple[int, ...]), (5,)),
]


@pytest.mark.parametrize("parse, expected", READ)
def test_tricky_input_is_read_as_documented(parse, expected) -> None:
    value = parse()
    assert value == expected if isinstance(expected, dict) else same(value, expected)


def test_without_kinds_each_value_is_the_first_scalar_that_fits() -> None:
    items = ["x=2", "y=0.5", "z=true", "w=1/2", "v=cos"]
    assert parse_settings("--set", items, None) == {
        "x": 2,
        "y": 0.5,
        "z": True,
        "w": (1, 2),
        "v": "cos",
    }


# --- old spellings that would now mean something else: refused, showing the new form ----------

OLD_FORMS = [
    ("betas", "0.9,0.99", tuple[float, ...], "betas=0.9/0.99"),
    ("betas", "(0.9, 0.99)", tuple[float, ...], "betas=0.9/0.99"),
    ("betas", "[0.9,0.99]", tuple[float, ...], "betas=0.9/0.99"),
    ("milestones", "10,20", tuple[int, ...], "milestones=10/20"),
    ("milestones", "(10,)", tuple[int, ...], "milestones=10"),
    ("betas", "0.9,0.99", None, "betas=0.9/0.99"),
]


@pytest.mark.parametrize("key, text, kind, new", OLD_FORMS)
def test_old_sequence_forms_are_refused_with_the_new_form(key, text, kind, new) -> None:
    with pytest.raises(InputValueError, match=re.escape(f"({new}), got {text!r}")):
        parse_hyperparameter(key, text, kind)


def test_slashes_in_a_list_field_are_refused_with_commas_shown() -> None:
    with pytest.raises(InputValueError, match=re.escape("(lrates=0.1,0.2), got '0.1/0.2'")):
        parse_field("lrates", "0.1/0.2", tuple[float, ...])
    # a list of specs keeps its entries' slashes: they belong to a hyperparameter
    assert parse_field("optimizers", "adam:betas=0.9/0.99,sgd", tuple[str, ...]) == (
        "adam:betas=0.9/0.99",
        "sgd",
    )


# --- specs: unknown keys and malformed entries are refused with the key named -----------------

SPEC_ERRORS = [
    ("", r"optimizers\[0\] must be name or name:key=value:\.\.\., got ''"),
    ("adamm", r"optimizers\[0\] name must be one of 'adam', 'step', got 'adamm'"),
    (
        "adam:lrr=0.1",
        r"optimizers\[0\] key must be one of lr, betas, eps, amsgrad for 'adam', "
        r"got 'lrr'",
    ),
    ("adam:lr", r"optimizers\[0\] must be .*, got 'adam:lr' \('lr' has no value\)"),
    ("adam:lr=", r"optimizers\[0\] must be .*, got 'adam:lr=' \('lr=' has no value\)"),
    ("adam:=0.1", r"optimizers\[0\] must be .*, got 'adam:=0.1' \('=0.1' has no key\)"),
    ("adam::lr=0.1", r"optimizers\[0\] must be .*\(''\ has no key\)"),
    ("adam:lr=0.1:lr=0.2", r"optimizers\[0\] must set each key once, got 'lr' twice in .*"),
    ("adam:lr=abc", r"lr must be a number, got 'abc' in optimizers\[0\]"),
    ("adam:betas=0.9,0.99", r"betas must be numbers joined by '/' \(betas=0.9/0.99\), .*"),
    ("0.99", r"optimizers\[0\] must be name or name:key=value:\.\.\. \(a sequence joins .*"),
    ("adam:amsgrad=1", r"amsgrad must be true or false, got '1' in optimizers\[0\]"),
]


@pytest.mark.parametrize("text, message", SPEC_ERRORS)
def test_malformed_specs_are_refused_naming_the_key(text, message) -> None:
    with pytest.raises(InputError) as caught:
        parse_spec("optimizers[0]", text, KINDS)
    assert re.fullmatch(message, str(caught.value)), str(caught.value)
