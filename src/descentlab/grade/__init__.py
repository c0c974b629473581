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

from descentlab.lazy import lazy_names

# NOTE [lazy package] (as in ``descentlab``): every ``descentlab`` command registers the grader's
# subcommands, so this package imports nothing itself; a name loads its module on first use.
_HOMES = {
    "Case": "cases",
    "CaseSet": "cases",
    "default_cases_dir": "cases",
    "load_case_set": "cases",
    "Issue": "compare",
    "Mistake": "diagnose",
    "SHIPPED_SEED": "generate",
    "generate_cases": "generate",
    "Gradebook": "gradebook",
    "LearnerRow": "gradebook",
    "grade_class": "gradebook",
    "check": "grader",
    "test_gradient_step": "harness",
    "test_gradient_step_one_feature": "harness",
    "REGISTRY": "registry",
    "Gradable": "registry",
    "get_gradable": "registry",
    "register": "registry",
    "CaseResult": "grade_report",
    "FunctionReport": "grade_report",
    "GradeReport": "grade_report",
    "SandboxUnavailableError": "sandbox",
}

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


__getattr__, __dir__ = lazy_names(
    __name__, {name: f"{__name__}.{module}" for name, module in _HOMES.items()}, globals()
)
