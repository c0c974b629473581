"""The grade report as a terminal table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from descentlab.grade.grade_report import CaseResult, FunctionReport, GradeReport

__all__ = ["fmt_points", "render_table"]

_FEEDBACK_COLUMN = 32


def fmt_points(value: float) -> str:
    """``2`` for 2.0, ``1.5`` for 1.5."""
    return f"{value:g}"


def _indent(text: str, width: int) -> list[str]:
    lines = text.splitlines() or [""]
    return [lines[0]] + [" " * width + line for line in lines[1:]]


def _case_lines(case: CaseResult) -> list[str]:
    head = (
        f"  {case.id:<12}{case.verdict:<9}"
        f"{fmt_points(case.points) + '/' + fmt_points(case.max_points):<9}"
    )
    feedback = [issue.message for issue in case.issues] + list(case.notes)
    if case.diagnosis:
        feedback.append("diagnosis: " + ", ".join(case.diagnosis))
    if not feedback:
        return [head.rstrip()]
    lines = []
    for number, message in enumerate(feedback):
        prefix = head if number == 0 else " " * _FEEDBACK_COLUMN
        lines.extend(_indent(prefix + message, _FEEDBACK_COLUMN))
    return lines


def _function_lines(function: FunctionReport) -> list[str]:
    title = function.name
    if function.implementation != function.name:
        title += f" (graded: {function.implementation})"
    lines = [
        f"{title}: {function.n_passed}/{len(function.cases)} cases passed, "
        f"{fmt_points(function.points)}/{fmt_points(function.max_points)} points"
    ]
    if function.error is not None:
        lines.extend(_indent(f"  error: {function.error.message}", 9))
    public = function.visible("public")
    if public:
        lines.append(f"  {'case':<12}{'verdict':<9}{'points':<9}feedback")
        for case in public:
            lines.extend(_case_lines(case))
    hidden = function.hidden_summary()
    if hidden["cases"]:
        issues = ", ".join(f"{code} x{count}" for code, count in hidden["issues"].items())
        lines.append(
            f"  hidden: {hidden['passed']}/{hidden['cases']} cases passed, "
            f"{fmt_points(hidden['points'])}/{fmt_points(hidden['max_points'])} points"
            + (f" ({issues})" if issues else "")
        )
    for name, message in function.diagnosis:
        lines.append(f"  diagnosis [{name}]: {message}")
    return lines


def render_table(report: GradeReport) -> str:
    """Plain text: one block per function, public cases one row each, hidden cases counted."""
    lines = [f"descentlab check: {report.submission}"]
    if report.sandbox == "none":
        lines.append("warning: the submission's code ran unsandboxed (--no-sandbox)")
    if report.hidden_seed is not None:
        lines.append(f"hidden cases drawn from seed {report.hidden_seed}")
    for issue in report.errors:
        lines.extend(_indent(f"error [{issue.code}]: {issue.message}", 2))
    lines.extend(report.notes)
    for function in report.functions:
        lines.append("")
        lines.extend(_function_lines(function))
    lines.append("")
    if report.n_cases == 0:
        lines.append("FAIL: no case was run")
    else:
        lines.append(
            f"{'PASS' if report.passed else 'FAIL'}: {report.n_passed}/{report.n_cases} cases "
            f"passed, {fmt_points(report.points)}/{fmt_points(report.max_points)} points"
        )
    return "\n".join(lines) + "\n"
