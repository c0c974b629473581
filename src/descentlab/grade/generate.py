"""Writing case sets: inputs drawn from a seed, expected values from the reference implementation.

``generate_cases(out_dir, seed)`` writes ``<out_dir>/<function>/public.json`` and ``hidden.json``
for every registered function. The shipped files are this function's output for
:data:`SHIPPED_SEED`, and a test regenerates them to prove it.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from descentlab.atomic_files import write_text
from descentlab.grade.arrays import encode_readable
from descentlab.grade.cases import FORMAT_VERSION, VISIBILITIES
from descentlab.grade.registry import REGISTRY, Gradable, get_gradable
from descentlab.lifecycle.output_folder import prepare_output
from descentlab.validation import check_seed

__all__ = ["SHIPPED_SEED", "build_case_document", "generate_cases", "render_json"]

SHIPPED_SEED = 2024

#: What a case folder holds besides the marker: a sub-folder per function and the format notes.
#: A folder holding only these was written by descentlab (NOTE [ownership]), even unmarked.
CASE_SET_ENTRIES = (*REGISTRY, "FORMAT.md")


def _case_rng(seed: int, function: str, visibility: str) -> np.random.Generator:
    # NOTE [case streams]: one stream per (seed, function, visibility), keyed by a stable checksum
    # of the name, so adding a function to the registry never changes another function's cases.
    return np.random.default_rng(
        [seed, zlib.crc32(function.encode()), VISIBILITIES.index(visibility)]
    )


def _encode(value: Any) -> Any:
    if isinstance(value, np.ndarray | np.generic):
        return encode_readable(value)
    return float(value)


def build_case_document(gradable: Gradable, seed: int, visibility: str) -> dict[str, Any]:
    """The JSON document of one case file (see ``cases/FORMAT.md``)."""
    rng = _case_rng(seed, gradable.name, visibility)
    indices = gradable.public_cases if visibility == "public" else gradable.hidden_cases
    cases = []
    for number, i in enumerate(indices, start=1):
        inputs = gradable.make_inputs(rng, i)
        outputs = gradable.reference(*(inputs[name] for name in gradable.arguments))
        cases.append(
            {
                "id": f"{visibility}-{number:02d}",
                "description": gradable.describe(inputs),
                "points": gradable.points_per_case,
                "inputs": {name: _encode(inputs[name]) for name in gradable.arguments},
                "expected": {
                    name: encode_readable(np.asarray(value))
                    for name, value in zip(gradable.outputs, outputs, strict=True)
                },
            }
        )
    return {
        "format_version": FORMAT_VERSION,
        "function": gradable.name,
        "visibility": visibility,
        "reference": gradable.reference_name,
        "seed": seed,
        "tolerance": "forward error bound at the submission's precision (grade/tolerance.py)",
        "cases": cases,
    }


def _render(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}  {json.dumps(k)}: {_render(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        if all(isinstance(v, list) and not any(isinstance(e, list) for e in v) for v in value):
            rows = [f"{pad}  {json.dumps(v)}" for v in value]
        else:
            rows = [f"{pad}  {_render(v, indent + 1)}" for v in value]
        return "[\n" + ",\n".join(rows) + "\n" + pad + "]"
    return json.dumps(value)


def render_json(document: Any) -> str:
    """JSON with one line per matrix row: readable, diffable, and parsed back exactly."""
    return _render(document, 0) + "\n"


def generate_cases(
    out_dir: str | os.PathLike[str],
    seed: int,
    *,
    names: Sequence[str] | None = None,
    force: bool = False,
) -> list[Path]:
    """Write the case sets of ``names`` (default: every registered function) under ``out_dir``.

    Refuses to overwrite an existing file unless ``force``; returns the paths written.
    """
    seed = check_seed("seed", seed)
    gradables = [get_gradable(n) for n in (REGISTRY if names is None else names)]
    out = prepare_output(out_dir, name="out_dir", also_ours=CASE_SET_ENTRIES)  # NOTE [ownership]
    targets = [(g, v, out / g.name / f"{v}.json") for g in gradables for v in VISIBILITIES]
    existing = [str(path) for _, _, path in targets if path.exists()]
    if existing and not force:
        raise FileExistsError(
            f"out_dir must not already hold case files (use --force to overwrite), "
            f"got {', '.join(existing)}"
        )
    written = []
    for gradable, visibility, path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = render_json(build_case_document(gradable, seed, visibility))
        write_text(path, text, name="out_dir")  # NOTE [atomic files]
        written.append(path)
    return written
