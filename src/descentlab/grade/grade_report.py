"""The structured result of grading: per-case verdicts, points, feedback and diagnosis.

Public cases keep their inputs, expected and received values; hidden cases keep only their
verdict, points and issue codes (SPEC §3: hidden cases are only counted). Renderings: a terminal
table (:meth:`GradeReport.to_table`), JSON (:meth:`GradeReport.to_json`) and HTML
(:meth:`GradeReport.to_html`, also shown by notebooks through ``_repr_html_``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from descentlab.grade.compare import Issue
from descentlab.grade.render_html import render_fragment, render_page
from descentlab.grade.render_text import render_table

__all__ = ["FAILING_VERDICTS", "CaseResult", "FunctionReport", "GradeReport", "Verdict"]

Verdict = Literal["pass", "fail", "error", "timeout", "crashed", "skipped"]
FAILING_VERDICTS = ("fail", "error", "timeout", "crashed", "skipped")


@dataclass(frozen=True)
class CaseResult:
    """One case. ``issues`` are the feedback lines (``code`` + ``message``); ``notes`` are
    feedback that does not fail the case (e.g. a lot of printed output); ``diagnosis`` names the
    known mistakes that match. ``inputs``/``expected``/``received``/``output`` are None for hidden
    cases."""

    id: str
    visibility: Literal["public", "hidden"]
    description: str
    verdict: Verdict
    points: float
    max_points: float
    issues: tuple[Issue, ...] = ()
    notes: tuple[str, ...] = ()
    diagnosis: tuple[str, ...] = ()
    seconds: float = 0.0
    inputs: dict[str, Any] | None = None
    expected: dict[str, Any] | None = None
    received: dict[str, Any] | None = None
    output: str | None = None

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "visibility": self.visibility,
            "verdict": self.verdict,
            "points": self.points,
            "max_points": self.max_points,
            "issues": [issue.code for issue in self.issues],
        }
        if self.visibility == "public":
            data.update(
                description=self.description,
                feedback=[issue.message for issue in self.issues] + list(self.notes),
                diagnosis=list(self.diagnosis),
                seconds=round(self.seconds, 6),
                inputs=self.inputs,
                expected=self.expected,
                received=self.received,
                output=self.output,
            )
        return data


@dataclass(frozen=True)
class FunctionReport:
    """All cases of one function. ``implementation`` is the learner's function name (it differs
    from ``name`` for ``solution.py:my_step``); ``error`` is set when no case could run;
    ``diagnosis`` holds ``(name, message)`` of the mistakes that explain every failure of the
    value they predict."""

    name: str
    implementation: str
    cases: tuple[CaseResult, ...]
    diagnosis: tuple[tuple[str, str], ...] = ()
    error: Issue | None = None
    case_source: str = ""

    @property
    def points(self) -> float:
        return sum(c.points for c in self.cases)

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.cases)

    @property
    def n_passed(self) -> int:
        return sum(c.passed for c in self.cases)

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.cases) and self.n_passed == len(self.cases)

    def visible(self, visibility: str) -> tuple[CaseResult, ...]:
        return tuple(c for c in self.cases if c.visibility == visibility)

    def hidden_summary(self) -> dict[str, Any]:
        hidden = self.visible("hidden")
        codes = Counter(issue.code for c in hidden for issue in c.issues)
        return {
            "cases": len(hidden),
            "passed": sum(c.passed for c in hidden),
            "points": sum(c.points for c in hidden),
            "max_points": sum(c.max_points for c in hidden),
            "issues": dict(sorted(codes.items())),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "implementation": self.implementation,
            "passed": self.passed,
            "points": self.points,
            "max_points": self.max_points,
            "cases_passed": self.n_passed,
            "cases": len(self.cases),
            "error": None if self.error is None else vars(self.error),
            "diagnosis": [{"mistake": n, "message": m} for n, m in self.diagnosis],
            "public": [c.to_dict() for c in self.visible("public")],
            "hidden": self.hidden_summary(),
            "case_source": self.case_source,
        }


@dataclass(frozen=True)
class GradeReport:
    """The result of :func:`descentlab.grade.check`.

    ``passed`` is True only when at least one function was graded, nothing failed to load, and
    every case of every function passed; a report with zero cases never passes.
    """

    submission: str
    functions: tuple[FunctionReport, ...]
    errors: tuple[Issue, ...] = ()
    notes: tuple[str, ...] = field(default=())
    hidden_seed: int | None = None
    sandbox: str = ""

    @property
    def points(self) -> float:
        return sum(f.points for f in self.functions)

    @property
    def max_points(self) -> float:
        return sum(f.max_points for f in self.functions)

    @property
    def n_cases(self) -> int:
        return sum(len(f.cases) for f in self.functions)

    @property
    def n_passed(self) -> int:
        return sum(f.n_passed for f in self.functions)

    @property
    def passed(self) -> bool:
        return (
            not self.errors
            and bool(self.functions)
            and self.n_cases > 0
            and all(f.passed for f in self.functions)
        )

    @property
    def issue_codes(self) -> frozenset[str]:
        """Every issue code in the report: submission, function and case level."""
        codes = {issue.code for issue in self.errors}
        for function in self.functions:
            if function.error is not None:
                codes.add(function.error.code)
            codes |= {issue.code for case in function.cases for issue in case.issues}
        return frozenset(codes)

    @property
    def diagnosis(self) -> frozenset[str]:
        """The names of the mistakes diagnosed in any function."""
        return frozenset(name for f in self.functions for name, _ in f.diagnosis)

    def to_dict(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "passed": self.passed,
            "points": self.points,
            "max_points": self.max_points,
            "cases_passed": self.n_passed,
            "cases": self.n_cases,
            "errors": [vars(issue) for issue in self.errors],
            "notes": list(self.notes),
            "hidden_seed": self.hidden_seed,
            "sandbox": self.sandbox,
            "functions": [f.to_dict() for f in self.functions],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (hidden cases summarised, never shown)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=True)

    def to_table(self) -> str:
        """The report as plain text for a terminal."""
        return render_table(self)

    def to_html(self) -> str:
        """A standalone HTML page: public cases in full, hidden cases counted."""
        return render_page(self)

    def _repr_html_(self) -> str:
        return render_fragment(self)
