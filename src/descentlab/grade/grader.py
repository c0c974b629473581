"""``check``: grade a learner's function, file or notebook against the case sets.

The learner's code never runs in the caller's process: it runs in a sandboxed worker (NOTE
[sandbox]) that receives the inputs of each case and returns outputs, nothing else; expected values,
tolerances and every comparison stay here (see :mod:`.worker`).

NOTE [hidden cases]: hidden cases are not shipped. Unless an instructor's case folder has a
``hidden.json``, they are generated at grading time by the reference from ``hidden_seed``, which
the grader draws from the operating system's random source when none is given and reports, so an
instructor can grade again with the same cases (``--hidden-seed``).

Input rule (NOTE [inputs]): every function receives NumPy arrays — ``x``/``X`` (m, n) float64,
``y`` (m, 1), the weight as a 0-d array (one feature) or (n, 1) — and ``lrate`` as a Python float,
whatever framework it uses, so every submission is graded on the same inputs. A PyTorch
submission converts them itself (``torch.from_numpy``, ``torch.as_tensor``) and may return
tensors; a TensorFlow one likewise (``tf.constant``, ``tf.Variable``, or TensorFlow ops on the
arrays) and may return eager tensors or variables, which the worker turns into plain arrays
inside the sandbox (NOTE [tensorflow values]); every comparison happens here.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from descentlab.grade.cases import CaseSet, cases_from_document, load_case_set
from descentlab.grade.compare import Issue
from descentlab.grade.diagnose import explained_by
from descentlab.grade.generate import build_case_document
from descentlab.grade.grade_report import FunctionReport, GradeReport
from descentlab.grade.inside.capture import OUTPUT_LIMIT
from descentlab.grade.registry import REGISTRY, Gradable, get_gradable, infer_name
from descentlab.grade.sandbox import SANDBOXES, Limits, resolve_sandbox
from descentlab.grade.submission_spec import (
    LoadError,
    parse_target,
    spec_for_callable,
    spec_for_path,
)
from descentlab.grade.verdict import describe_raised, judge, skipped
from descentlab.grade.worker import LoadOutcome, Session
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_seed,
)

__all__ = [
    "DEFAULT_MEMORY_MB",
    "MAX_CONSECUTIVE_STOPS",
    "CaseSets",
    "GradingOptions",
    "check",
    "cpu_seconds_for",
    "draw_hidden_seed",
    "grade_session",
    "hidden_cases",
    "load_timeout_for",
    "lookup_names",
    "submission_spec",
]

DEFAULT_MEMORY_MB = 2048
# NOTE [runaway submissions]: after this many cases in a row that time out or crash, the rest of
# that function's cases are reported as skipped, so an endless loop costs a few time limits, not
# one per case.
MAX_CONSECUTIVE_STOPS = 2


def load_timeout_for(timeout: float) -> float:
    """The limit on starting the worker, warming it up and loading the submission: importing
    PyTorch alone can take seconds, so it is ``max(30 s, 4 × timeout)``."""
    return max(30.0, 4.0 * timeout)


def draw_hidden_seed() -> int:
    """A hidden-case seed from the operating system's random source (NOTE [hidden cases])."""
    return secrets.randbelow(2**32)


def hidden_cases(name: str, seed: int) -> tuple:
    """The hidden cases of ``name`` drawn from ``seed`` by the reference."""
    document = build_case_document(get_gradable(name), seed, "hidden")
    return cases_from_document(document, name, f"hidden cases of seed {seed}")


def _requested(names: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if names is None:
        return None
    listed = (names,) if isinstance(names, str) else tuple(dict.fromkeys(names))
    if not listed:
        raise InputValueError("names must name at least one function, got an empty list")
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
        how = f" ({loaded.reason})" if loaded.reason else ""
        return Issue(
            "load_crashed",
            f"the worker process exited (code {loaded.exit_code}) loading {label}{how}",
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

    def __init__(self, session: Session, sets: CaseSets, timeout: float) -> None:
        self.session = session
        self.sets = sets
        self.timeout = timeout

    def case_set(self, name: str) -> CaseSet:
        return self.sets.get(name)

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
            raise InputValueError(
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


def submission_spec(
    func_or_path: Any, exclude: frozenset = frozenset()
) -> tuple[dict[str, Any] | None, str, str | None, Issue | None]:
    """``(spec, label, explicit function name, load issue)`` for what the caller passed."""
    if isinstance(func_or_path, str | os.PathLike):
        path, function = parse_target(func_or_path)
        label = path.name + (f":{function}" if function else "")
        try:
            spec = spec_for_path(path, function, exclude=exclude, gradable=frozenset(REGISTRY))
            return spec, label, function, None
        except LoadError as failure:
            return None, label, function, Issue(failure.kind, failure.message)
    if callable(func_or_path):
        spec = spec_for_callable(func_or_path)
        return spec, spec["label"], spec["function"], None
    raise InputTypeError(
        f"func_or_path must be a function or a path to a .py or .ipynb file, "
        f"got {type(func_or_path).__name__}"
    )


class CaseSets:
    """The case sets of one grading, loaded when first needed: public cases from ``cases`` (default:
    shipped), hidden ones from its ``hidden.json`` or drawn from ``hidden_seed``."""

    def __init__(self, cases: str | os.PathLike[str] | None, hidden_seed: int) -> None:
        self.cases = cases
        self.hidden_seed = hidden_seed
        self._sets: dict[str, CaseSet] = {}

    def get(self, name: str) -> CaseSet:
        if name not in self._sets:
            hidden = hidden_cases(name, self.hidden_seed)
            self._sets[name] = load_case_set(name, self.cases, generated_hidden=hidden)
        return self._sets[name]


@dataclasses.dataclass(frozen=True)
class GradingOptions:
    """The checked options shared by :func:`check` and ``grade_class``."""

    timeout: float
    memory_mb: int | None
    load_timeout: float
    hidden_seed: int
    sandbox: str

    @classmethod
    def checked(
        cls,
        timeout: Any,
        memory_mb: Any,
        load_timeout: Any,
        hidden_seed: Any,
        sandbox: Any,
        cases: Any,
    ) -> GradingOptions:
        """Validate each option (the error names it, its rule and the value) and fill defaults:
        the load limit from the case limit, a drawn hidden seed."""
        timeout = check_positive_float("timeout", timeout)
        if memory_mb is not None:
            memory_mb = check_positive_int("memory_mb", memory_mb)
        load_timeout = (
            load_timeout_for(timeout)
            if load_timeout is None
            else check_positive_float("load_timeout", load_timeout)
        )
        seed = draw_hidden_seed() if hidden_seed is None else check_seed("hidden_seed", hidden_seed)
        sandbox = check_choice("sandbox", sandbox, SANDBOXES)
        if cases is not None and not Path(cases).is_dir():
            raise FileNotFoundError(f"cases must be an existing directory, got {str(cases)!r}")
        return cls(timeout, memory_mb, load_timeout, seed, sandbox)


def check(
    func_or_path: Callable[..., Any] | str | os.PathLike[str],
    *,
    cases: str | os.PathLike[str] | None = None,
    names: str | Sequence[str] | None = None,
    timeout: float = 5.0,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    load_timeout: float | None = None,
    hidden_seed: int | None = None,
    sandbox: str = "auto",
) -> GradeReport:
    """Grade a learner's implementation of the registered functions.

    ``func_or_path`` is a function, a ``.py`` file, a notebook, a learner's folder, or
    ``"file.py:my_step"`` for one named function. Without ``names`` a file is graded for every
    registered function it defines and a function by its name (or, when that is not registered,
    by its argument names, e.g. ``(X, y, weight, lrate)``); ``names`` says which functions to
    grade, or which one a single function implements. ``cases`` is a case directory (default:
    the shipped public cases), ``hidden_seed`` the seed of the hidden cases (default: drawn, and
    reported), ``timeout`` the limit per case in seconds, ``memory_mb`` the address space a call
    may add to the loaded submission's (``RLIMIT_AS``; loading may add four times as much; None:
    no limit), ``load_timeout`` the limit on starting, warming up and loading the submission
    (default :func:`load_timeout_for`). ``sandbox`` is ``"auto"`` (bubblewrap, else ``unshare``,
    else SandboxUnavailableError), one of those two by name, or ``"none"`` to run the learner's
    code unsandboxed (only for code you trust; the report says so).

    Raises ValueError, TypeError or FileNotFoundError for bad arguments (missing file, unknown
    name, missing or empty case set) and SandboxUnavailableError; everything the submission does
    wrong is in the report.

    >>> report = check("solution.py")  # doctest: +SKIP
    >>> print(report.to_table())  # doctest: +SKIP
    """
    options = GradingOptions.checked(timeout, memory_mb, load_timeout, hidden_seed, sandbox, cases)
    timeout, memory_mb, load_timeout = options.timeout, options.memory_mb, options.load_timeout
    hidden_seed, sandbox = options.hidden_seed, options.sandbox
    requested = _requested(names)
    spec, label, explicit, issue = submission_spec(func_or_path)
    if explicit is not None and requested is not None and len(requested) != 1:
        raise InputValueError(
            f"names must name one function when grading the single function {explicit}, "
            f"got {list(requested)}"
        )
    sets = CaseSets(cases, hidden_seed)
    for name in requested or ():
        sets.get(name)
    kind = resolve_sandbox(sandbox)
    context = {"hidden_seed": hidden_seed, "sandbox": kind}
    if spec is None:
        return GradeReport(label, (), errors=(issue,) if issue else (), **context)
    limits = Limits(cpu_seconds=cpu_seconds_for(timeout, load_timeout))
    with Session(
        spec,
        lookup_names(explicit, requested),
        sandbox=kind,
        memory_mb=memory_mb,
        load_timeout=load_timeout,
        limits=limits,
    ) as session:
        return grade_session(
            session, sets, label, explicit, requested, timeout, load_timeout, context
        )


def lookup_names(explicit: str | None, requested: tuple[str, ...] | None) -> list[str]:
    """The names the worker looks up in the submission."""
    return [explicit] if explicit is not None else list(requested or REGISTRY)


def cpu_seconds_for(timeout: float, load_timeout: float) -> int:
    """A worker's CPU-time cap (a backstop: each call has its wall-clock limit): enough to load
    and run every case of every function at the limit."""
    cases = sum(len(g.public_cases) + len(g.hidden_cases) for g in REGISTRY.values())
    return int(2 * (load_timeout + cases * timeout)) + 10


def grade_session(
    session: Session,
    sets: CaseSets,
    label: str,
    explicit: str | None,
    requested: tuple[str, ...] | None,
    timeout: float,
    load_timeout: float,
    context: dict[str, Any],
) -> GradeReport:
    """Load the submission in ``session`` and grade it on ``sets``."""
    loaded = session.load()
    if loaded.status == "timeout" and not session.spec.get("definitions_only"):
        # NOTE [notebook cells]: a script whose top level never ends is graded on its definitions
        session.spec = {**session.spec, "definitions_only": True}
        retried = session.load()
        if retried.status == "loaded":
            timed_out = (
                f"running {label} took longer than {load_timeout:g} s; only its definitions "
                "(functions, classes, imports, constants) were loaded and graded"
            )
            loaded = dataclasses.replace(retried, notes=(timed_out, *retried.notes))
    notes: tuple[str, ...] = tuple(
        f"not copied beside the submission: {name} (it defines a gradable function; to grade a "
        "solution made of several files, grade its folder)"
        for name in session.spec.get("skipped_neighbours", ())
    )
    notes += loaded.notes
    if loaded.output_chars > OUTPUT_LIMIT:
        notes += (f"loading printed {loaded.output_chars:,} characters",)
    if loaded.status != "loaded":
        issue = _load_issue(loaded, label, load_timeout)
        return GradeReport(label, (), (issue,), notes, **context)
    grading = _Grading(session, sets, timeout)
    if explicit is not None:
        report = grading.one_function(label, explicit, requested, loaded.found, notes)
    else:
        report = grading.every_function(label, requested, loaded.found, notes)
    return dataclasses.replace(report, **context)
