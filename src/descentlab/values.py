"""The text syntax of settings typed by a user, and its one parser.

Used by ``run --set``, ``train --optimizer-set/--schedule-set`` and the optimizer and schedule
entries of experiment configs (``optimizers=sgd:lr=0.1,adam:betas=0.9/0.99``)::

    setting   KEY=VALUE                   --set lrate=0.1, --optimizer-set betas=0.9/0.99
    list      ITEM,ITEM,...               a config field holding several items (lrates, layers,
                                          optimizers): items separated by ","
    spec      NAME:KEY=VALUE:KEY=VALUE    an optimizer or schedule with hyperparameters
    sequence  NUMBER/NUMBER/...           a hyperparameter holding several numbers (betas,
                                          milestones): the same wherever it is typed
    scalar    10, -3, 0.1, 1e-3, true, false, or text (for a text field)

NOTE [value syntax]: each separator has one meaning everywhere. "," lists the items of a config
field (one run, one curve or one layer each), ":" separates a spec's fields, "=" a key from its
value, and "/" joins the numbers of one sequence-valued hyperparameter. Every separator is
typed in any shell without quoting (brackets, braces and ";" are not: zsh globs ``[...]``, bash
expands ``{a,b}`` and ends a command at ";"). The levels nest without ambiguity: a list of
specs holding a sequence, ``optimizers=adam:betas=0.9/0.99,sgd``, and a future sweep over a
sequence, ``betas=0.9/0.99,0.5/0.999``. A value's kind comes from the field's annotation or the
hyperparameter's default, never from guessing, so ``data=2024`` stays text where text is meant.
Spellings the earlier parsers took that would now mean something else (``betas=0.9,0.99``,
``betas=(0.9, 0.99)``, quoted text, ``yes``/``1`` for a bool) are refused with the new form.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from descentlab.validation import InputError, InputValueError, check_choice

__all__ = [
    "ITEM_SEPARATOR",
    "PART_SEPARATOR",
    "SPEC_SEPARATOR",
    "Spec",
    "check_stray_number",
    "format_spec",
    "format_value",
    "kinds_of_dataclass",
    "kinds_of_defaults",
    "parse_field",
    "parse_hyperparameter",
    "parse_scalar",
    "parse_settings",
    "parse_spec",
    "split_assignments",
]

ITEM_SEPARATOR = ","
SPEC_SEPARATOR = ":"
PART_SEPARATOR = "/"

SCALAR_KINDS = (bool, int, float, str)
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NON_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_SHOWN_MAX = 60


def _shown(text: str) -> str:
    """``text`` as an error message shows it: quoted, and cut short when very long."""
    if len(text) <= _SHOWN_MAX:
        return repr(text)
    return f"{text[:_SHOWN_MAX]!r}... ({len(text)} characters)"


def _refuse(name: str, rule: str, text: str) -> InputValueError:
    return InputValueError(f"{name} must be {rule}, got {_shown(text)}")


def _is_quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""


def parse_scalar(name: str, text: str, kind: type | None) -> Any:
    """One scalar of ``kind`` (``bool``, ``int``, ``float``, ``str``; ``None``: read the text as
    the first of bool, int, float that fits, else text). Numbers must be finite."""
    text = text.strip()
    if _is_quoted(text):
        raise _refuse(name, f"written without quotes ({name}={text[1:-1]})", text)
    if kind is None:
        kind = _kind_of_text(text)
    if kind is bool:
        if text.lower() not in ("true", "false"):
            raise _refuse(name, "true or false", text)
        return text.lower() == "true"
    if kind is int:
        if not _INT.fullmatch(text):
            raise _refuse(name, "an integer", text)
        try:
            return int(text)
        except ValueError:  # more digits than Python converts from text
            digits = sys.get_int_max_str_digits()
            raise _refuse(name, f"an integer of at most {digits} digits", text) from None
    if kind is float:
        if _NON_FINITE.fullmatch(text):
            raise _refuse(name, "a finite number", text)
        if not _FLOAT.fullmatch(text):
            raise _refuse(name, "a number", text)
        number = float(text)
        if not math.isfinite(number):  # 1e400 overflows to inf
            raise _refuse(name, "a finite number", text)
        return number
    if kind is str:
        return text
    raise TypeError(f"parse_scalar has no grammar for {kind!r}")  # a defect, not bad input


def _kind_of_text(text: str) -> type:
    if text.lower() in ("true", "false"):
        return bool
    if _INT.fullmatch(text):
        return int
    if _FLOAT.fullmatch(text) or _NON_FINITE.fullmatch(text):
        return float
    return str


def _sequence_item(kind: Any) -> Any:
    """The item kind of ``tuple[X, ...]`` or ``Sequence[X]``; ``None`` for a scalar kind."""
    if typing.get_origin(kind) in (tuple, Sequence, list):
        items = {a for a in typing.get_args(kind) if a is not Ellipsis}
        return items.pop() if len(items) == 1 else None
    return None


def parse_hyperparameter(name: str, text: str, kind: Any) -> Any:
    """A hyperparameter's value: a scalar of ``kind``, or for a sequence kind
    (``tuple[float, ...]``) numbers joined by ``/`` (NOTE [value syntax])."""
    stripped = text.strip()
    item = _sequence_item(kind)
    if item is None and kind is not None:
        return parse_scalar(name, stripped, kind)
    old_form = stripped[:1] in "([" or ITEM_SEPARATOR in stripped
    if old_form and (item is not None or kind is None):
        new = PART_SEPARATOR.join(
            p.strip() for p in stripped.strip("()[] ").split(ITEM_SEPARATOR) if p.strip()
        )
        raise _refuse(name, f"numbers joined by '/' ({name}={new})", stripped)
    if item is None and PART_SEPARATOR not in stripped:
        return parse_scalar(name, stripped, None)
    parts = stripped.split(PART_SEPARATOR)
    if any(not p.strip() for p in parts):
        raise _refuse(name, "numbers joined by '/' with none left out", stripped)
    return tuple(parse_scalar(f"{name}[{i}]", p, item) for i, p in enumerate(parts))


def parse_field(name: str, text: str, kind: Any) -> Any:
    """A config field's value: a scalar of ``kind``, or for ``tuple[X, ...]`` items separated
    by ``,`` (an empty text is the empty tuple)."""
    item = _sequence_item(kind)
    if item is None:
        return parse_scalar(name, text, kind)
    stripped = text.strip()
    if not stripped:
        return ()
    parts = stripped.split(ITEM_SEPARATOR)
    if any(not p.strip() for p in parts):
        raise _refuse(name, "items separated by ',' with none left out", stripped)
    if item in (int, float) and PART_SEPARATOR in stripped:
        new = ITEM_SEPARATOR.join(p.strip() for p in stripped.split(PART_SEPARATOR))
        raise _refuse(name, f"numbers separated by ',' ({name}={new})", stripped)
    return tuple(parse_scalar(f"{name}[{i}]", p, item) for i, p in enumerate(parts))


def kinds_of_defaults(defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Each hyperparameter's kind from its default: ``0.9`` → ``float``, ``(0.9, 0.999)`` →
    ``tuple[float, ...]``; ``None`` (any scalar) where the default says nothing."""
    kinds: dict[str, Any] = {}
    for key, default in defaults.items():
        if isinstance(default, tuple | list):
            whole = bool(default) and all(
                isinstance(d, int) and not isinstance(d, bool) for d in default
            )
            kinds[key] = tuple[int, ...] if whole else tuple[float, ...]
        elif isinstance(default, SCALAR_KINDS):
            kinds[key] = next(k for k in SCALAR_KINDS if isinstance(default, k))
        else:
            kinds[key] = None
    return kinds


def kinds_of_dataclass(cls: type) -> dict[str, Any]:
    """Each field's kind from its annotation (``Sequence[int]`` and ``tuple[int, ...]`` are
    sequences; any other non-scalar annotation reads the text as any scalar)."""
    hints = typing.get_type_hints(cls)
    kinds: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        known = hint in SCALAR_KINDS or _sequence_item(hint) in SCALAR_KINDS
        kinds[field.name] = hint if known else None
    return kinds


def split_assignments(flag: str, items: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` → ``{"a": "1", "b": "x"}``: each item needs one ``=`` after a key,
    and each key comes once. Values stay text (their kind is the reader's to know)."""
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise _refuse(flag, "key=value", item)
        if key in pairs:
            raise InputValueError(
                f"{flag} must set each key once, got {key}={_shown(pairs[key])} and "
                f"{key}={_shown(text.strip())}"
            )
        pairs[key] = text.strip()
    return pairs


def parse_settings(
    flag: str, items: Sequence[str], kinds: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``--optimizer-set``-style ``key=value`` items, each value parsed as a hyperparameter of
    its kind; ``kinds=None`` allows any key and reads each value as any scalar or sequence."""
    settings: dict[str, Any] = {}
    for key, text in split_assignments(flag, items).items():
        if kinds is not None and key not in kinds:
            raise InputValueError(
                f"{flag} key must be one of {', '.join(kinds)}, got {_shown(key)}"
            )
        settings[key] = parse_hyperparameter(key, text, None if kinds is None else kinds[key])
    return settings


def check_stray_number(where: str, text: Any) -> None:
    """Refuse a list item that is a bare number: the tail of ``adam:betas=0.9,0.99`` cut at
    the ``,`` that lists items, written where a spec was expected (NOTE [value syntax])."""
    if isinstance(text, str) and _FLOAT.fullmatch(text.strip()):
        rule = "name or name:key=value:... (a sequence joins its numbers with '/': betas=0.9/0.99)"
        raise _refuse(where, rule, text)


@dataclass(frozen=True)
class Spec:
    """A parsed ``name:key=value:…`` entry: the registry ``name`` and the values it set."""

    name: str
    given: dict[str, Any]


def parse_spec(where: str, text: str, kinds: Mapping[str, Mapping[str, Any]]) -> Spec:
    """Parse ``name:key=value:…``; ``kinds`` maps each allowed name to its keys' kinds.

    Errors name ``where`` (``optimizers[1]``), the key and the value.
    """
    form = "name or name:key=value:..."
    if not isinstance(text, str) or not text.strip():
        raise InputValueError(f"{where} must be {form}, got {text!r}")
    name, *pairs = [part.strip() for part in text.strip().split(SPEC_SEPARATOR)]
    check_stray_number(where, text)
    check_choice(f"{where} name", name, tuple(kinds))
    allowed = kinds[name]
    given: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = (part.strip() for part in pair.partition("="))
        if not sep or not key or not value:
            missing = "key" if not key else "value"
            raise InputValueError(
                f"{where} must be {form}, got {_shown(text)} ({_shown(pair)} has no {missing})"
            )
        if key not in allowed:
            raise InputValueError(
                f"{where} key must be one of {', '.join(allowed)} for {name!r}, got {_shown(key)}"
            )
        if key in given:
            raise InputValueError(
                f"{where} must set each key once, got {key!r} twice in {_shown(text)}"
            )
        try:
            given[key] = parse_hyperparameter(key, value, allowed[key])
        except InputError as error:
            raise type(error)(f"{error} in {where}") from None
    return Spec(name, given)


def format_value(value: Any) -> str:
    """The text :func:`parse_hyperparameter` reads back as ``value`` (floats exactly)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return PART_SEPARATOR.join(format_value(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_spec(name: str, given: Mapping[str, Any]) -> str:
    """The ``name:key=value:…`` text :func:`parse_spec` reads back as ``name`` and ``given``."""
    return SPEC_SEPARATOR.join([name, *(f"{k}={format_value(v)}" for k, v in given.items())])
