"""Case sets: the shipped (or an instructor's) JSON files of inputs and expected outputs.

A case directory holds ``<function>/public.json`` and, for an instructor's set, ``hidden.json``;
the package ships public cases only (hidden ones are drawn at grading time). The layout and the
file format are described in ``cases/FORMAT.md``. Loading validates every file and refuses an
empty one (SPEC §6: a grader that passes with zero test cases is a bug).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from descentlab.grade.arrays import decode_readable, is_array_record
from descentlab.grade.registry import get_gradable
from descentlab.validation import InputValueError

__all__ = [
    "FORMAT_VERSION",
    "VISIBILITIES",
    "Case",
    "CaseSet",
    "cases_from_document",
    "default_cases_dir",
    "load_case_file",
    "load_case_set",
]

FORMAT_VERSION = 1
VISIBILITIES = ("public", "hidden")
Visibility = Literal["public", "hidden"]


@dataclass(frozen=True)
class Case:
    """One case: the arguments in call order and the expected outputs, decoded.

    ``inputs`` maps argument names to NumPy arrays or numbers; ``records`` keeps the JSON form of
    the inputs and expected values for reports.
    """

    id: str
    visibility: Visibility
    points: float
    description: str
    inputs: dict[str, Any]
    expected: dict[str, np.ndarray]
    records: dict[str, Any]


@dataclass(frozen=True)
class CaseSet:
    """The public and hidden cases of one function."""

    function: str
    public: tuple[Case, ...]
    hidden: tuple[Case, ...]
    source: str

    @property
    def cases(self) -> tuple[Case, ...]:
        return self.public + self.hidden

    def __len__(self) -> int:
        return len(self.public) + len(self.hidden)


def default_cases_dir() -> Path:
    """The case files shipped inside the package."""
    return Path(__file__).parent / "cases"


def _decode_value(record: Any, where: str) -> Any:
    if is_array_record(record):
        return decode_readable(record, where)
    if isinstance(record, bool) or not isinstance(record, int | float):
        raise InputValueError(f"{where} must be an array record or a number, got {record!r}")
    return float(record)


def _case(raw: Any, number: int, visibility: Visibility, function: str, source: str) -> Case:
    gradable = get_gradable(function)
    where = f"{source}: case {number}"
    if not isinstance(raw, dict):
        raise InputValueError(f"{where} must be a JSON object, got {type(raw).__name__}")
    inputs_raw, expected_raw = raw.get("inputs"), raw.get("expected")
    if not isinstance(inputs_raw, dict) or set(inputs_raw) != set(gradable.arguments):
        raise InputValueError(
            f"{where} inputs must have exactly the keys {list(gradable.arguments)}, "
            f"got {sorted(inputs_raw) if isinstance(inputs_raw, dict) else inputs_raw!r}"
        )
    if not isinstance(expected_raw, dict) or set(expected_raw) != set(gradable.outputs):
        raise InputValueError(
            f"{where} expected must have exactly the keys {list(gradable.outputs)}, "
            f"got {sorted(expected_raw) if isinstance(expected_raw, dict) else expected_raw!r}"
        )
    points = raw.get("points", gradable.points_per_case)
    if isinstance(points, bool) or not isinstance(points, int | float) or not points > 0:
        raise InputValueError(f"{where} points must be a positive number, got {points!r}")
    inputs = {k: _decode_value(inputs_raw[k], f"{where} inputs.{k}") for k in gradable.arguments}
    expected = {
        k: np.asarray(_decode_value(expected_raw[k], f"{where} expected.{k}"))
        for k in gradable.outputs
    }
    try:
        gradable.tolerance(inputs, 2.0**-53)
    except ValueError as error:
        raise InputValueError(f"{where} inputs are inconsistent: {error}") from None
    return Case(
        id=str(raw.get("id", f"{visibility}-{number:02d}")),
        visibility=visibility,
        points=float(points),
        description=str(raw.get("description", "")),
        inputs=inputs,
        expected=expected,
        records={"inputs": inputs_raw, "expected": expected_raw},
    )


def cases_from_document(document: Any, function: str, where: str) -> tuple[Case, ...]:
    """The cases of one parsed case document; raises ValueError when it is malformed or empty."""
    if not isinstance(document, dict):
        raise InputValueError(f"case file must hold a JSON object, got {where}")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise InputValueError(
            f"format_version must be {FORMAT_VERSION}, got {version!r} in {where}"
        )
    if document.get("function") != function:
        raise InputValueError(
            f"function must be {function!r}, got {document.get('function')!r} in {where}"
        )
    visibility = document.get("visibility")
    if visibility not in VISIBILITIES:
        raise InputValueError(
            f"visibility must be 'public' or 'hidden', got {visibility!r} in {where}"
        )
    raw_cases = document.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        count = len(raw_cases) if isinstance(raw_cases, list) else raw_cases
        raise InputValueError(f"cases must hold at least one case, got {count!r} in {where}")
    return tuple(
        _case(raw, number, visibility, function, where)
        for number, raw in enumerate(raw_cases, start=1)
    )


def load_case_file(path: str | os.PathLike[str], function: str) -> tuple[Case, ...]:
    """The cases in one JSON file; raises ValueError for a malformed or empty file."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputValueError(f"case file must be valid JSON, got {path}: {error}") from None
    except UnicodeDecodeError:
        raise InputValueError(f"case file must be UTF-8 JSON, got {path}") from None
    return cases_from_document(document, function, str(path))


def load_case_set(
    function: str,
    directory: str | os.PathLike[str] | None = None,
    *,
    generated_hidden: tuple[Case, ...] = (),
) -> CaseSet:
    """The case set of ``function`` from ``directory`` (default: the shipped public cases).

    The hidden cases are the directory's ``hidden.json`` when it has one, else
    ``generated_hidden`` (NOTE [hidden cases] in the grader). A directory must hold at least one of
    the two files; a present file with no cases is an error, and so is a set with no case at all.
    """
    get_gradable(function)
    base = default_cases_dir() if directory is None else Path(directory)
    if not base.is_dir():
        raise FileNotFoundError(f"cases must be an existing directory, got {str(base)!r}")
    folder = base / function
    found = {v: folder / f"{v}.json" for v in VISIBILITIES if (folder / f"{v}.json").is_file()}
    if not found:
        raise FileNotFoundError(
            f"cases must contain {function}/public.json or {function}/hidden.json, "
            f"got neither in {str(base)!r}"
        )
    loaded = {v: load_case_file(p, function) for v, p in found.items()}
    for visibility, cases in loaded.items():
        if cases[0].visibility != visibility:
            raise InputValueError(
                f"visibility must be {visibility!r} in {found[visibility]}, "
                f"got {cases[0].visibility!r}"
            )
    return CaseSet(
        function=function,
        public=loaded.get("public", ()),
        hidden=loaded.get("hidden", generated_hidden),
        source=str(folder),
    )
