"""The seed course's test-harness names, on top of :func:`descentlab.grade.check`.

A learner's notebook from the original material does::

    from round02 import test_gradient_step_one_feature, test_gradient_step
    test_gradient_step_one_feature(gradient_step_onefeature)
    test_gradient_step(gradient_step)

With ``from descentlab.grade import test_gradient_step_one_feature, test_gradient_step`` the same
calls grade the function exactly as ``check(func, names=...)`` does (same cases, same verdicts),
print the report table and return the :class:`~descentlab.grade.GradeReport`, so a notebook cell
shows the table and the caller can still look at ``report.passed``.

Both functions carry ``__test__ = False``: their names start with ``test_``, and a test module
that imports them must not have pytest collect them as tests.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from descentlab.grade.grade_report import GradeReport
from descentlab.grade.grader import check
from descentlab.validation import InputTypeError, describe

__all__ = ["test_gradient_step", "test_gradient_step_one_feature"]


def _grade(func: Any, name: str, options: dict[str, Any]) -> GradeReport:
    if not callable(func):
        raise InputTypeError(
            f"func must be a callable (your {name} function, passed without calling it), "
            f"got {describe(func)}"
        )
    report = check(func, names=name, **options)
    sys.stdout.write(report.to_table())
    sys.stdout.flush()
    return report


def test_gradient_step_one_feature(func: Callable[..., Any], **options: Any) -> GradeReport:
    """Grade ``func`` as ``gradient_step_onefeature(x, y, weight, lrate) -> (new_weight, mse)``.

    The same as ``check(func, names="gradient_step_onefeature", **options)``, with the report
    table printed to stdout. ``options`` are :func:`check`'s keyword arguments (``timeout``, ...).

    >>> report = test_gradient_step_one_feature(gradient_step_onefeature)  # doctest: +SKIP
    """
    return _grade(func, "gradient_step_onefeature", options)


def test_gradient_step(func: Callable[..., Any], **options: Any) -> GradeReport:
    """Grade ``func`` as ``gradient_step(X, y, weight, lrate) -> (new_weight, mse)``.

    The same as ``check(func, names="gradient_step", **options)``, with the report table printed
    to stdout. ``options`` are :func:`check`'s keyword arguments (``timeout``, ...).

    >>> report = test_gradient_step(gradient_step)  # doctest: +SKIP
    """
    return _grade(func, "gradient_step", options)


test_gradient_step_one_feature.__test__ = False  # type: ignore[attr-defined]
test_gradient_step.__test__ = False  # type: ignore[attr-defined]
