"""From what one call did to a case verdict: issues, points, notes and the per-case diagnosis.

Points (NOTE [partial credit]): a case's points are split equally between its outputs, and each
correct output earns its share. A call that raised, timed out, crashed, returned the wrong number
of values, or modified one of its inputs in place earns nothing for that case.
"""

from __future__ import annotations

import functools
import signal
from typing import Any

from descentlab.grade.cases import Case
from descentlab.grade.compare import Issue, check_return, received_array
from descentlab.grade.diagnose import diagnose_case, wrong_outputs
from descentlab.grade.grade_report import CaseResult, Verdict
from descentlab.grade.inside.capture import OUTPUT_LIMIT
from descentlab.grade.registry import Gradable
from descentlab.grade.worker import CallOutcome

__all__ = ["describe_raised", "judge", "skipped"]

_VALUE_CODES = ("wrong_value", "wrong_shape", "wrong_dtype")


def describe_raised(error: dict | None, prefix: str = "raised") -> str:
    """``raised ValueError: ...`` and the learner's traceback frames, one per line."""
    if not error:
        return f"{prefix} an exception"
    lines = [f"{prefix} {error.get('type')}: {error.get('message')}"]
    if error.get("lineno") is not None:
        lines[0] += f" ({error.get('filename')}, line {error['lineno']})"
        if error.get("text"):
            lines.append(f"    {error['text'].strip()}")
    for filename, lineno, function, text in error.get("frames", []):
        lines.append(f"  at {filename}, line {lineno}, in {function}: {text}")
    return "\n".join(lines)


def _crash_message(outcome: CallOutcome) -> str:
    code = outcome.exit_code
    if code is not None and code < 0:
        try:
            how = f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    elif code is not None:
        how = f"exited with code {code} (os._exit?)"
    else:
        how = "stopped or could not be restarted"
    message = f"the worker process running the function {how}"
    if outcome.reason:
        message += f": {outcome.reason}"
    if outcome.error:
        message += "\n" + describe_raised(outcome.error, "loading it again raised")
    return message


def _modified_issue(modified: tuple[str, ...]) -> Issue:
    return Issue(
        "modified_input",
        f"modified its input {', '.join(modified)} in place, so the caller's array changed; "
        "compute new arrays (w = w - step) instead of updating in place (w -= step, w[...] = ..., "
        "tensor.sub_)",
    )


def _case_result(
    case: Case,
    verdict: Verdict,
    points: float,
    issues: list[Issue],
    outcome: CallOutcome | None = None,
    received: dict[str, Any] | None = None,
    diagnosis: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
) -> CaseResult:
    """The case result; inputs, values and printed output are kept for public cases only."""
    public = case.visibility == "public"
    if outcome is not None and outcome.output_chars > OUTPUT_LIMIT:
        notes += (
            f"printed {outcome.output_chars:,} characters; only the first {OUTPUT_LIMIT:,} "
            "are kept",
        )
    return CaseResult(
        id=case.id,
        visibility=case.visibility,
        description=case.description,
        verdict=verdict,
        points=points,
        max_points=case.points,
        issues=tuple(issues),
        notes=notes,
        diagnosis=diagnosis,
        seconds=0.0 if outcome is None else outcome.seconds,
        inputs=case.records["inputs"] if public else None,
        expected=case.records["expected"] if public else None,
        received=received if public else None,
        output=(outcome.output or None) if public and outcome is not None else None,
    )


def skipped(case: Case, reason: str) -> CaseResult:
    """A case that was not run."""
    return _case_result(case, "skipped", 0.0, [Issue("skipped", reason)])


def judge(
    case: Case, outcome: CallOutcome, gradable: Gradable, timeout: float
) -> tuple[CaseResult, frozenset[str]]:
    """The case result, and the names of the outputs that came back wrong but comparable."""
    if outcome.status == "timeout":
        issue = Issue("timeout", f"ran past the time limit of {timeout:g} s (an endless loop?)")
        return _case_result(case, "timeout", 0.0, [issue], outcome), frozenset()
    if outcome.status == "crashed":
        issue = Issue("crashed", _crash_message(outcome))
        return _case_result(case, "crashed", 0.0, [issue], outcome), frozenset()
    if outcome.status == "raised":
        error = outcome.error or {}
        code = "memory_limit" if error.get("type") == "MemoryError" else "raised"
        message = describe_raised(error)
        if code == "memory_limit":
            message += "\n  (the grader limits the memory a submission may use)"
        issues = [Issue(code, message)]
        if outcome.modified:
            issues.append(_modified_issue(outcome.modified))
        return _case_result(case, "error", 0.0, issues, outcome), frozenset()

    result = outcome.result or {}
    checks, count_issue = check_return(
        result,
        gradable.outputs,
        case.expected,
        gradable.shape_rules,
        tolerance=functools.partial(gradable.tolerance, case.inputs),
    )
    if count_issue is not None:
        received = {"returned": {k: result[k] for k in ("type", "length") if k in result}}
        return _case_result(case, "fail", 0.0, [count_issue], outcome, received), frozenset()
    issues = [issue for check in checks for issue in check.issues]
    share = case.points / len(gradable.outputs)
    points = share * sum(check.ok for check in checks)
    if outcome.modified:
        issues.append(_modified_issue(outcome.modified))
        points = 0.0
    # the numbers each output returned, whatever their shape (a swapped pair, (n,) for (n, 1))
    values = dict(zip(gradable.outputs, map(received_array, result["items"]), strict=True))
    failed = [c.name for c in checks if c.issue is not None and c.issue.code in _VALUE_CODES]
    wrong = wrong_outputs(values, case.expected, failed)
    diagnosis = diagnose_case(gradable.mistakes, case.inputs, values, case.expected, wrong)
    verdict: Verdict = "fail" if issues else "pass"
    received = {check.name: check.received for check in checks}
    notes = tuple(check.note for check in checks if check.note)
    result_case = _case_result(case, verdict, points, issues, outcome, received, diagnosis, notes)
    return result_case, wrong
