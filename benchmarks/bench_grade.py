"""Grading time, sandbox start included: one learner, and a class through ``grade_class``.

Cases (every one with the default cases and limits and ``sandbox="auto"``, so each submission's
sandbox is started, loaded and thrown away inside the timing):

* ``one NumPy submission``, ``one torch submission`` and ``one TensorFlow submission``:
  ``descentlab.grade.check`` on a correct corpus submission (the TensorFlow one an eager
  ``GradientTape`` step, ``tests/grade/submissions/tf``), timed in alternating rounds after a
  warm-up (``harness.time_side_by_side``).
* ``import torch (fresh interpreter)`` and ``import tensorflow (fresh interpreter)``: the seconds
  the import takes in a new Python process (measured inside it, interpreter start left out), the
  cost such a submission's sandbox cannot avoid; their targets are stated on top of it.
* ``class of N NumPy submissions`` and ``class of N torch submissions``: ``grade_class`` on a
  folder of N correct corpus submissions (copies cycling through several styles), two workers,
  timed once (N = 100; 4 with ``quick``).

Targets. These are budgets from the grader's requirements, so the ratios divide a measured time by
its budget (met when ≤ 1), the torch and TensorFlow ones by a budget that includes the import
measured in the same run: one NumPy submission ≤ 1 s; one torch submission ≤ 1 s + one
``import torch``; one TensorFlow submission ≤ 1 s + one ``import tensorflow`` (the warm-up's
first ops and trace fit in the second; the NumPy and TensorFlow rows are timed side by side);
100 NumPy submissions ≤ 60 s and 100 torch submissions ≤ 3 min on two cores (with ``quick`` the
class budgets shrink in proportion to N).

    python benchmarks/run_all.py grade [--quick]
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from descentlab.grade import check
from harness import Benchmark, Case, Ratio, import_seconds, time_side_by_side

SUBMISSIONS = Path(__file__).resolve().parents[1] / "tests" / "grade" / "submissions"
CORPUS = SUBMISSIONS / "correct"
TF_TARGET = SUBMISSIONS / "tf" / "tape_eager_float64.py"
# float64 styles only: whether a float32 submission passes is the tolerance's business, not this
# benchmark's, and every learner here must be graded in full.
NUMPY_STYLES = (
    "numpy_vectorised.py",
    "np_dot.py",
    "einsum.py",
    "loops.py",
    "python_floats.py",
    "copy_then_update.py",
)
TORCH_STYLES = ("torch_autograd.py",)
ONE_SUBMISSION_S = 1.0
CLASS_SIZE = 100
CLASS_BUDGET_S = {"NumPy": 60.0, "torch": 180.0}
WORKERS = 2


def _grade_class() -> Any:
    """``grade_class`` from the grader core; a clear error when this core has none."""
    try:
        from descentlab.grade import grade_class
    except ImportError:
        try:
            from descentlab.grade.gradebook import grade_class
        except ImportError:
            raise RuntimeError(
                "bench_grade needs descentlab.grade.grade_class (the class gradebook of the "
                "sandboxed grader core), which this installation lacks"
            ) from None
    return grade_class


def _class_folder(root: Path, styles: tuple[str, ...], size: int) -> Path:
    folder = root / f"class-{styles[0].split('_')[0]}-{size}"
    folder.mkdir()
    for index in range(size):
        shutil.copyfile(CORPUS / styles[index % len(styles)], folder / f"learner_{index:03d}.py")
    return folder


def _check(target: Path) -> Any:
    """Grade one learner; the timing counts only if it ran in a sandbox and passed."""
    report = check(target)
    if not report.passed or report.sandbox in ("", "none"):
        raise RuntimeError(
            f"grading {target.name} must pass in a sandbox, got passed={report.passed} "
            f"sandbox={report.sandbox!r}:\n{report.to_table()}"
        )
    return report


def _time_class(grade_class: Any, folder: Path) -> tuple[float, dict[str, Any]]:
    """Grade a class once; the timing counts only if every learner was graded on every case."""
    start = time.perf_counter()
    book = grade_class(folder, workers=WORKERS)
    seconds = time.perf_counter() - start
    incomplete = [row.learner for row in book.rows if row.errors or not row.max_points]
    if incomplete or book.sandbox in ("", "none"):
        raise RuntimeError(
            f"every learner of {folder.name} must be graded in full in a sandbox, got sandbox "
            f"{book.sandbox!r} and incomplete reports for {incomplete}"
        )
    passed = sum(row.passed for row in book.rows)
    return seconds, {
        "learners": len(book.rows),
        "passed": passed,
        "hidden_seed": book.hidden_seed,
        "sandbox": book.sandbox,
    }


def run(quick: bool, smoke: bool = False) -> Benchmark:
    grade_class = _grade_class()
    size = 2 if smoke else 4 if quick else CLASS_SIZE
    repeat = 1 if smoke else 3 if quick else 5
    numpy_target = CORPUS / "numpy_vectorised.py"
    torch_target = CORPUS / "torch_autograd.py"
    sandbox = _check(numpy_target).sandbox
    timings = time_side_by_side(
        {
            "one NumPy submission": lambda: _check(numpy_target),
            "one torch submission": lambda: _check(torch_target),
            "one TensorFlow submission": lambda: _check(TF_TARGET),
        },
        repeat=repeat,
    )
    cases = [
        Case(name, t.median, t.rate(60.0), "submissions/min", t.as_dict())
        for name, t in timings.items()
    ]
    imported = {}
    for module in ("torch", "tensorflow"):
        samples = import_seconds(module, repeat)
        imported[module] = statistics.median(samples)
        cases.append(
            Case(
                f"import {module} (fresh interpreter)",
                imported[module],
                60.0 / imported[module],
                "imports/min",
                {"samples": samples, "median": imported[module]},
            )
        )
    import_torch, import_tf = imported["torch"], imported["tensorflow"]
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as scratch:
        for label, styles in (("NumPy", NUMPY_STYLES), ("torch", TORCH_STYLES)):
            folder = _class_folder(Path(scratch), styles, size)
            seconds, detail = _time_class(grade_class, folder)
            cases.append(
                Case(
                    f"class of {size} {label} submissions",
                    seconds,
                    60.0 * size / seconds,
                    "learners/min",
                    detail,
                )
            )
    seconds = {case.name: case.median_s for case in cases}
    torch_budget = ONE_SUBMISSION_S + import_torch
    ratios = [
        Ratio(
            "one NumPy submission / 1 s",
            seconds["one NumPy submission"] / ONE_SUBMISSION_S,
            1.0,
            False,
            "seconds to grade one NumPy submission, sandbox start included, over its 1 s budget",
        ),
        Ratio(
            "one torch submission / (1 s + import torch)",
            seconds["one torch submission"] / torch_budget,
            1.0,
            False,
            f"seconds to grade one torch submission over 1 s plus one import torch "
            f"({import_torch:.2f} s, measured in this run)",
        ),
        Ratio(
            "one TensorFlow submission / (1 s + import tensorflow)",
            seconds["one TensorFlow submission"] / (ONE_SUBMISSION_S + import_tf),
            1.0,
            False,
            f"seconds to grade one TensorFlow submission over 1 s plus one import tensorflow "
            f"({import_tf:.2f} s, measured in this run)",
        ),
    ]
    for label in ("NumPy", "torch"):
        budget = CLASS_BUDGET_S[label] * size / CLASS_SIZE
        ratios.append(
            Ratio(
                f"class of {size} {label} / {budget:g} s",
                seconds[f"class of {size} {label} submissions"] / budget,
                1.0,
                False,
                f"seconds to grade {size} {label} submissions with grade_class on {WORKERS} "
                f"workers over {CLASS_BUDGET_S[label]:g} s per {CLASS_SIZE} learners",
            )
        )
    setting = (
        f"default cases and limits, sandbox {sandbox}, one learner {repeat} times in turn, a class "
        f"of {size} once per framework on {WORKERS} workers"
    )
    return Benchmark("grade", setting, cases, ratios)
