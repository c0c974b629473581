"""The submission corpus: its table and how one entry is graded (shared by tests and the benchmark).

Each entry of ``submissions/corpus.json`` names a target (``file``, ``file:function``), optionally
an ``as`` name and shorter ``timeout``/``load_timeout`` limits (for the runaway entries), and the
verdict, issue codes and diagnosis the grader must give.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from descentlab.grade import GradeReport, check

SUBMISSIONS = Path(__file__).parent / "submissions"
CASE_TIMEOUT = 2.0
LOAD_TIMEOUT = 30.0


def entries() -> list[dict[str, Any]]:
    """The corpus table."""
    return json.loads((SUBMISSIONS / "corpus.json").read_text("utf-8"))["submissions"]


def target_path(entry: dict[str, Any], scratch: Path) -> str:
    """The target to grade; a ``.txt`` file is first copied to ``scratch`` without that suffix."""
    target = entry["target"]
    path, _, function = target.partition(":")
    if path.endswith(".txt"):
        copy = scratch / Path(path).name.removesuffix(".txt")
        shutil.copyfile(SUBMISSIONS / path, copy)
        resolved = str(copy)
    else:
        resolved = str(SUBMISSIONS / path)
    return resolved + (f":{function}" if function else "")


def grade(
    entry: dict[str, Any],
    scratch: Path,
    cases: Path | None = None,
    *,
    timeout: float = CASE_TIMEOUT,
    load_timeout: float | None = LOAD_TIMEOUT,
) -> GradeReport:
    """Grade one corpus entry, by default with the short time limits of the tests."""
    return check(
        target_path(entry, scratch),
        cases=cases,
        names=entry.get("as"),
        timeout=timeout,
        load_timeout=entry.get("load_timeout", load_timeout),
    )
