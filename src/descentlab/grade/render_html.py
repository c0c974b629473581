"""The grade report as HTML: a standalone page and a notebook fragment.

Everything from a submission (messages, printed output, values) is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from descentlab.grade.render_text import fmt_points

if TYPE_CHECKING:
    from descentlab.grade.grade_report import CaseResult, FunctionReport, GradeReport

__all__ = ["render_fragment", "render_page"]

_STYLE = """
.dl-grade { font-family: system-ui, sans-serif; font-size: 14px; color: #222; }
.dl-grade table { border-collapse: collapse; margin: 0.5em 0; }
.dl-grade th, .dl-grade td { border: 1px solid #ccc; padding: 3px 8px; text-align: left;
  vertical-align: top; }
.dl-grade pre { margin: 0; font-size: 12px; white-space: pre-wrap; }
.dl-grade .pass { color: #176d2d; font-weight: bold; }
.dl-grade .fail, .dl-grade .error, .dl-grade .timeout, .dl-grade .crashed, .dl-grade .skipped
  { color: #a61b1b; font-weight: bold; }
.dl-grade details { margin: 2px 0; }
"""


def _value_text(record: Any) -> str:
    if record is None:
        return ""
    if not isinstance(record, dict):
        return repr(record)
    head = ", ".join(f"{key} {record[key]}" for key in ("type", "dtype", "shape") if key in record)
    data = record.get("data", record.get("repr"))
    if isinstance(data, list) and data and isinstance(data[0], list):
        body = "\n".join(repr(row) for row in data)
    else:
        body = repr(data) if data is not None else "(values not shown)"
    return f"{head}\n{body}" if head else body


def _values_table(title: str, values: dict[str, Any] | None) -> str:
    if not values:
        return ""
    rows = "".join(
        f"<tr><th>{escape(name)}</th><td><pre>{escape(_value_text(value))}</pre></td></tr>"
        for name, value in values.items()
    )
    return f"<p><b>{escape(title)}</b></p><table>{rows}</table>"


def _case_row(case: CaseResult) -> str:
    feedback = [issue.message for issue in case.issues] + list(case.notes)
    if case.diagnosis:
        feedback.append("diagnosis: " + ", ".join(case.diagnosis))
    details = (
        _values_table("inputs", case.inputs)
        + _values_table("expected", case.expected)
        + _values_table("received", case.received)
    )
    if case.output:
        details += f"<p><b>printed output</b></p><pre>{escape(case.output)}</pre>"
    return (
        f"<tr><td>{escape(case.id)}</td><td>{escape(case.description)}</td>"
        f"<td class='{escape(case.verdict)}'>{escape(case.verdict)}</td>"
        f"<td>{fmt_points(case.points)}/{fmt_points(case.max_points)}</td>"
        f"<td><pre>{escape(chr(10).join(feedback))}</pre>"
        f"<details><summary>values</summary>{details}</details></td></tr>"
    )


def _function_section(function: FunctionReport) -> str:
    title = escape(function.name)
    if function.implementation != function.name:
        title += f" (graded: {escape(function.implementation)})"
    parts = [
        f"<h3>{title}</h3>",
        f"<p>{function.n_passed}/{len(function.cases)} cases passed, "
        f"{fmt_points(function.points)}/{fmt_points(function.max_points)} points</p>",
    ]
    if function.error is not None:
        parts.append(f"<p class='error'>{escape(function.error.message)}</p>")
    if function.diagnosis:
        items = "".join(
            f"<li><b>{escape(name)}</b>: {escape(message)}</li>"
            for name, message in function.diagnosis
        )
        parts.append(f"<p>Diagnosis:</p><ul>{items}</ul>")
    public = function.visible("public")
    if public:
        rows = "".join(_case_row(case) for case in public)
        parts.append(
            "<table><tr><th>case</th><th>what</th><th>verdict</th><th>points</th>"
            f"<th>feedback</th></tr>{rows}</table>"
        )
    hidden = function.hidden_summary()
    if hidden["cases"]:
        issues = ", ".join(f"{code} ×{count}" for code, count in hidden["issues"].items())
        parts.append(
            f"<p>Hidden cases: {hidden['passed']}/{hidden['cases']} passed, "
            f"{fmt_points(hidden['points'])}/{fmt_points(hidden['max_points'])} points"
            + (f" ({escape(issues)})" if issues else "")
            + "</p>"
        )
    return "".join(parts)


def render_fragment(report: GradeReport) -> str:
    """A ``<div>`` with its own style, for notebooks."""
    verdict = "pass" if report.passed else "fail"
    parts = [
        f"<div class='dl-grade'><style>{_STYLE}</style>",
        f"<h2>descentlab check: {escape(report.submission)}</h2>",
        f"<p class='{verdict}'>{verdict.upper()}: {report.n_passed}/{report.n_cases} cases "
        f"passed, {fmt_points(report.points)}/{fmt_points(report.max_points)} points</p>",
    ]
    parts.extend(
        f"<p class='error'>{escape(issue.code)}: <pre>{escape(issue.message)}</pre></p>"
        for issue in report.errors
    )
    parts.extend(f"<p>{escape(note)}</p>" for note in report.notes)
    parts.extend(_function_section(f) for f in report.functions)
    parts.append("</div>")
    return "".join(parts)


def render_page(report: GradeReport) -> str:
    """A standalone HTML document."""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>descentlab check: {escape(report.submission)}</title></head>"
        f"<body>{render_fragment(report)}</body></html>\n"
    )
