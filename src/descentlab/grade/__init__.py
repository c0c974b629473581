"""SPEC §3: the grader.

:func:`check` runs a learner's ``gradient_step_onefeature`` / ``gradient_step`` (a function, a
``.py`` file, a notebook or a folder) in a sandboxed, time- and memory-limited process against the
shipped public cases and hidden cases drawn at grading time, and returns a :class:`GradeReport`:
a verdict, points and feedback per case, a diagnosis of known mistakes, as a terminal table, JSON
or HTML. :func:`grade_class` grades a class into a :class:`Gradebook`;
:func:`test_gradient_step_one_feature` and :func:`test_gradient_step` are the seed material's
harness names.

:func:`generate_cases` writes case sets from the reference implementation; the gradable functions
live in :data:`REGISTRY` (one :func:`register` call adds one).
"""

from __future__ import annotations

from descentlab.grade.cases import Case, CaseSet, default_cases_dir, load_case_set
from descentlab.grade.compare import Issue
from descentlab.grade.diagnose import Mistake
from descentlab.grade.generate import SHIPPED_SEED, generate_cases
from descentlab.grade.gradebook import Gradebook, LearnerRow, grade_class
from descentlab.grade.grader import check
from descentlab.grade.harness import test_gradient_step, test_gradient_step_one_feature
from descentlab.grade.registry import REGISTRY, Gradable, get_gradable, register
from descentlab.grade.report import CaseResult, FunctionReport, GradeReport
from descentlab.grade.sandbox import SandboxUnavailableError

__all__ = [
    "REGISTRY",
    "SHIPPED_SEED",
    "Case",
    "CaseResult",
    "CaseSet",
    "FunctionReport",
    "Gradable",
    "GradeReport",
    "Gradebook",
    "Issue",
    "LearnerRow",
    "Mistake",
    "SandboxUnavailableError",
    "check",
    "default_cases_dir",
    "generate_cases",
    "get_gradable",
    "grade_class",
    "load_case_set",
    "register",
    "test_gradient_step",
    "test_gradient_step_one_feature",
]
