"""The gradable functions: name -> reference, arguments, outputs, case recipe and known mistakes.

Adding a function to the grader is one :func:`register` call (e.g. ``sgd_momentum``, ``rmsprop``
and ``adam`` once their reference update functions exist): the cases, sandbox, comparison,
diagnosis and reports are generic over this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from descentlab.grade import linear_steps
from descentlab.grade.diagnose import Mistake
from descentlab.grade.tolerance import linear_step_tolerance
from descentlab.linear import numpy_backend
from descentlab.validation import InputValueError

__all__ = ["REGISTRY", "Gradable", "get_gradable", "infer_name", "register"]


@dataclass(frozen=True)
class Gradable:
    """A function the grader knows how to check.

    ``reference(*args)`` computes the expected outputs from the positional ``arguments``;
    ``make_inputs(rng, i)`` draws the inputs of case ``i`` (1-based, growing with ``i``) and
    ``describe(inputs)`` says in a few words what they are; ``tolerance(inputs, u)`` is the
    absolute tolerance per output of a correct value computed at unit roundoff ``u`` (a forward
    error bound that includes the reference's own error, see :mod:`descentlab.grade.tolerance`);
    ``public_cases``/``hidden_cases`` are the case indices shipped in each file; ``shape_rules``
    describe, per output, the shape a correct value has (used in feedback).
    """

    name: str
    reference: Callable[..., tuple[Any, ...]]
    arguments: tuple[str, ...]
    outputs: tuple[str, ...]
    make_inputs: Callable[[np.random.Generator, int], dict[str, Any]]
    reference_name: str
    describe: Callable[[dict[str, Any]], str]
    tolerance: Callable[[Mapping[str, Any], float], dict[str, np.ndarray]]
    mistakes: tuple[Mistake, ...] = ()
    public_cases: range = range(1, 13)
    hidden_cases: range = range(13, 25)
    points_per_case: float = 2
    shape_rules: dict[str, str] = field(default_factory=dict)


REGISTRY: dict[str, Gradable] = {}


def register(gradable: Gradable) -> Gradable:
    """Add ``gradable`` to the registry (a name may be registered once)."""
    if gradable.name in REGISTRY:
        raise InputValueError(f"name must not be registered yet, got {gradable.name!r}")
    REGISTRY[gradable.name] = gradable
    return gradable


def get_gradable(name: str, argument: str = "name") -> Gradable:
    """The registered function ``name``; ``argument`` names it in the error message."""
    if not isinstance(name, str) or name not in REGISTRY:
        options = ", ".join(repr(n) for n in REGISTRY)
        raise InputValueError(f"{argument} must be one of {options}, got {name!r}")
    return REGISTRY[name]


def infer_name(function_name: str, parameters: Sequence[str] | None) -> str | None:
    """Which registered function ``function_name`` implements: its own name when registered, else
    the one whose argument names equal ``parameters`` exactly; None when that is not one."""
    if function_name in REGISTRY:
        return function_name
    if parameters is None:
        return None
    found = [g.name for g in REGISTRY.values() if tuple(parameters) == g.arguments]
    return found[0] if len(found) == 1 else None


register(
    Gradable(
        name="gradient_step_onefeature",
        reference=numpy_backend.gradient_step_onefeature,
        reference_name="descentlab.linear.numpy_backend.gradient_step_onefeature",
        describe=linear_steps.describe,
        tolerance=linear_step_tolerance,
        arguments=("x", "y", "weight", "lrate"),
        outputs=("new_weight", "mse"),
        make_inputs=linear_steps.make_inputs_onefeature,
        mistakes=linear_steps.MISTAKES_ONEFEATURE,
        shape_rules={"new_weight": "a scalar, like the incoming weight", "mse": "a scalar"},
    )
)
register(
    Gradable(
        name="gradient_step",
        reference=numpy_backend.gradient_step,
        reference_name="descentlab.linear.numpy_backend.gradient_step",
        describe=linear_steps.describe,
        tolerance=linear_step_tolerance,
        arguments=("X", "y", "weight", "lrate"),
        outputs=("new_weight", "mse"),
        make_inputs=linear_steps.make_inputs,
        mistakes=linear_steps.MISTAKES,
        shape_rules={"new_weight": "the shape of the incoming weight, (n, 1)", "mse": "a scalar"},
    )
)
