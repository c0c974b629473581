"""``check``: grade a learner's function, file or notebook against the case sets.

The learner's code never runs in the caller's process (see :mod:`.sandbox`); the case inputs it
receives are fresh copies (see :mod:`.worker`). Input rule (NOTE [inputs]): every function receives
NumPy arrays — ``x``/``X`` (m, n) float64, ``y`` (m, 1), the weight as a 0-d array (one feature)
or (n, 1) — and ``lrate`` as a Python float, whatever framework it uses. A PyTorch submission
converts them itself (``torch.from_numpy``, ``torch.as_tensor``) and may return tensors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from descentlab.grade.capture import OUTPUT_LIMIT
from descentlab.grade.cases import CaseSet, load_case_set
from descentlab.grade.compare import Issue
from descentlab.grade.diagnose import explained_by
from descentlab.grade.loader import LoadError, parse_target, spec_for_callable, spec_for_path
from descentlab.grade.registry import REGISTRY, Gradable, get_gradable, infer_name
from descentlab.grade.report import FunctionReport, GradeReport
from descentlab.grade.sandbox import LoadOutcome, Session
from descentlab.grade.verdict import describe_raised, judge, skipped
from descentlab.validation import check_positive_float, check_positive_int

__all__ = ["DEFAULT_MEMORY_MB", "MAX_CONSECUTIVE_STOPS", "check", "load_timeout_for"]

DEFAULT_MEMORY_MB = 2048
# NOTE [runaway submissions]: after this many cases in a row that time out or crash, the rest of
# that function's cases are reported as skipped, so an endless loop costs a few time limits, not
# one per case.
MAX_CONSECUTIVE_STOPS = 2


def load_timeout_for(timeout: float) -> float:
    """The limit on starting the worker and loading the submission: importing PyTorch alone can
    take seconds, so it is ``max(20 s, 4 × timeout)``."""
    return max(20.0, 4.0 * timeout)


def _requested(names: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if names is None:
        return None
    listed = (names,) if isinstance(names, str) else tuple(dict.fromkeys(names))
    if not listed:
        raise ValueError("names must name at least one function, got an empty list")
    for name in listed:
        get_gradable(name, "names")
    return listed


def _load_issue(loaded: LoadOutcome, label: str, timeout: float) -> Issue:
    if loaded.status == "timeout":
        return Issue(
            "load_timeout",
            f"loading {label} took longer than {timeout:g} s (an endless loop at top level?)",
        )
    if loaded.status == "crashed":
        return Issue(
            "load_crashed", f"the worker process exited (code {loaded.exit_code}) loading {label}"
        )
    error = loaded.error or {}
    kind = error.get("type")
    if kind in ("SyntaxError", "IndentationError", "TabError"):
        return Issue("syntax_error", describe_raised(error, "cannot be compiled:"))
    if kind in ("ModuleNotFoundError", "ImportError"):
        return Issue("import_error", describe_raised(error, "an import failed:"))
    return Issue("load_raised", describe_raised(error, f"loading {label} raised"))


class _Grading:
    """One run of :func:`check`: the session, the case sets and the per-function loop."""

    def __init__(self, session: Session, cases: Any, timeout: float) -> None:
        self.session = session
        self.cases = cases
        self.timeout = timeout
        self._sets: dict[str, CaseSet] = {}

    def case_set(self, name: str) -> CaseSet:
        if name not in self._sets:
            self._sets[name] = load_case_set(name, self.cases)
        return self._sets[name]

    def not_graded(self, gradable: Gradable, implementation: str, issue: Issue) -> FunctionReport:
        case_set = self.case_set(gradable.name)
        results = tuple(skipped(case, issue.message) for case in case_set.cases)
        return FunctionReport(
            gradable.name, implementation, results, error=issue, case_source=case_set.source
        )

    def grade(self, gradable: Gradable, implementation: str) -> FunctionReport:
        case_set = self.case_set(gradable.name)
        results, per_case = [], []
        stops = 0
        for case in case_set.cases:
            if stops >= MAX_CONSECUTIVE_STOPS:
                reason = f"not run: the {stops} cases before it timed out or crashed"
                results.append(skipped(case, reason))
                continue
            arguments = {name: case.inputs[name] for name in gradable.arguments}
            outcome = self.session.call(implementation, arguments, self.timeout)
            stops = stops + 1 if outcome.status in ("timeout", "crashed") else 0
            result, wrong = judge(case, outcome, gradable, self.timeout)
            results.append(result)
            per_case.append((wrong, result.diagnosis))
        mistakes = explained_by(gradable.mistakes, per_case)
        return FunctionReport(
            name=gradable.name,
            implementation=implementation,
            cases=tuple(results),
            diagnosis=tuple((m.name, m.message) for m in mistakes),
            case_source=case_set.source,
        )

    def one_function(
        self,
        label: str,
        function: str,
        requested: tuple[str, ...] | None,
        found: dict[str, list[str] | None],
        notes: tuple[str, ...],
    ) -> GradeReport:
        """Grade the single named ``function`` as ``requested[0]`` or as its name/arguments say."""
        missing = Issue("not_defined", f"{label} defines no function named {function}")
        if function not in found and requested is None:
            return GradeReport(label, (), (missing,), notes)
        graded = requested[0] if requested else infer_name(function, found[function])
        if graded is None:
            raise ValueError(
                f"names must say which function {function} implements "
                f"({' or '.join(REGISTRY)}; CLI: --as NAME), got none and its arguments do not tell"
            )
        gradable = get_gradable(graded)
        if function not in found:
            return GradeReport(label, (self.not_graded(gradable, function, missing),), notes=notes)
        return GradeReport(label, (self.grade(gradable, function),), notes=notes)

    def every_function(
        self,
        label: str,
        requested: tuple[str, ...] | None,
        found: dict[str, list[str] | None],
        notes: tuple[str, ...],
    ) -> GradeReport:
        """Grade every requested function (missing ones score zero), or every one defined."""
        reports = []
        for name in requested or tuple(REGISTRY):
            if name in found:
                reports.append(self.grade(get_gradable(name), name))
            elif requested is not None:
                missing = Issue("not_defined", f"{label} defines no function named {name}")
                reports.append(self.not_graded(get_gradable(name), name, missing))
        if not reports:
            issue = Issue(
                "no_function",
                f"{label} defines none of the gradable functions: {', '.join(REGISTRY)}",
            )
            return GradeReport(label, (), (issue,), notes)
        return GradeReport(label, tuple(reports), notes=notes)


def _spec(func_or_path: Any) -> tuple[dict[str, Any] | None, str, str | None, Issue | None]:
    """``(spec, label, explicit function name, load issue)`` for what the caller passed."""
    if isinstance(func_or_path, str | os.PathLike):
        path, function = parse_target(func_or_path)
        label = path.name + (f":{function}" if function else "")
        try:
            return spec_for_path(path, function), label, function, None
        except LoadError as failure:
            return None, label, function, Issue(failure.kind, failure.message)
    if callable(func_or_path):
        spec = spec_for_callable(func_or_path)
        return spec, spec["label"], spec["function"], None
    raise TypeError(
        f"func_or_path must be a function or a path to a .py or .ipynb file, "
        f"got {type(func_or_path).__name__}"
    )


def check(
    func_or_path: Callable[..., Any] | str | os.PathLike[str],
    *,
    cases: str | os.PathLike[str] | None = None,
    names: str | Sequence[str] | None = None,
    timeout: float = 5.0,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    load_timeout: float | None = None,
) -> GradeReport:
    """Grade a learner's implementation of the registered functions.

    ``func_or_path`` is a function, a ``.py`` file, a notebook, or ``"file.py:my_step"`` for one
    named function. Without ``names`` a file is graded for every registered function it defines
    and a function by its name (or, when that is not registered, by its argument names, e.g.
    ``(X, y, weight, lrate)``); ``names`` says which functions to grade, or which one a single
    function implements. ``cases`` is a case directory (default: the shipped cases), ``timeout``
    the limit per case in seconds, ``memory_mb`` the address space a call may add to the loaded
    submission's (``RLIMIT_AS``; loading may add four times as much; None: no limit),
    ``load_timeout`` the limit on loading the submission (default :func:`load_timeout_for`).

    Raises ValueError, TypeError or FileNotFoundError for bad arguments (missing file, unknown
    name, missing or empty case set); everything the submission does wrong is in the report.

    >>> report = check("solution.py")  # doctest: +SKIP
    >>> print(report.to_table())  # doctest: +SKIP
    """
    timeout = check_positive_float("timeout", timeout)
    if memory_mb is not None:
        memory_mb = check_positive_int("memory_mb", memory_mb)
    load_timeout = (
        load_timeout_for(timeout)
        if load_timeout is None
        else check_positive_float("load_timeout", load_timeout)
    )
    requested = _requested(names)
    if cases is not None and not Path(cases).is_dir():
        raise FileNotFoundError(f"cases must be an existing directory, got {str(cases)!r}")
    spec, label, explicit, issue = _spec(func_or_path)
    if explicit is not None and requested is not None and len(requested) != 1:
        raise ValueError(
            f"names must name one function when grading the single function {explicit}, "
            f"got {list(requested)}"
        )
    for name in requested or ():
        load_case_set(name, cases)
    if spec is None:
        return GradeReport(label, (), errors=(issue,) if issue else ())

    lookup = [explicit] if explicit is not None else list(requested or REGISTRY)
    with Session(spec, lookup, memory_mb=memory_mb, load_timeout=load_timeout) as session:
        loaded = session.load()
        notes: tuple[str, ...] = ()
        if loaded.output_chars > OUTPUT_LIMIT:
            notes = (f"loading printed {loaded.output_chars:,} characters",)
        if loaded.status != "loaded":
            return GradeReport(label, (), (_load_issue(loaded, label, load_timeout),), notes)
        grading = _Grading(session, cases, timeout)
        if explicit is not None:
            return grading.one_function(label, explicit, requested, loaded.found, notes)
        return grading.every_function(label, requested, loaded.found, notes)
