"""Known mistakes written as learner code, independently of the diagnosis's recipes.

``mistaken_step(X, y, weight, lrate, mistakes)`` is a gradient step (both §1 signatures: a 0-d
weight comes back 0-d) with any compatible set of the named mistakes of
``descentlab.grade.linear_steps.CHANGES``; ``variant`` picks the second way of writing a mistake
that has two (per-sample updates with the 1/m kept, a collapsed gradient as a mean over all
entries), ``dtype`` the precision it computes in. ``cases_of_seed`` and ``diagnosis_of`` run a
step over the cases of any seed the way the grader diagnoses it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np

from descentlab.grade.arrays import decode_readable, is_array_record
from descentlab.grade.cases import VISIBILITIES
from descentlab.grade.diagnose import diagnose_case, explained_by, wrong_outputs
from descentlab.grade.generate import build_case_document
from descentlab.grade.registry import Gradable

WEIGHT_TWO = ("missing_factor_2", "missing_2_over_m", "half_mse_convention")
SUM_NOT_MEAN = ("missing_1_over_m", "missing_2_over_m")
HALF_LOSS = ("half_mse", "half_sum_of_squares", "half_mse_convention")
SUMMED_LOSS = ("sum_instead_of_mean", "half_sum_of_squares")


def mistaken_step(
    X: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    lrate: float,
    mistakes: Collection[str] = (),
    *,
    variant: int = 0,
    dtype: type = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    def has(*names: str) -> bool:
        return any(name in mistakes for name in names)

    X = np.asarray(X, dtype=dtype)
    y = np.asarray(y, dtype=dtype).reshape(-1, 1)
    w = np.asarray(weight, dtype=dtype).reshape(-1, 1)
    lr = dtype(lrate) * dtype(lrate) if has("lrate_twice") else dtype(lrate)
    m, n = X.shape
    two = 1.0 if has(*WEIGHT_TWO) else 2.0
    sign = -1.0 if has("sign_flipped") else 1.0
    gradient = None
    running = []
    if has("per_sample_updates"):
        new = w.copy()
        for i in range(m):
            xi, yi = X[i : i + 1], y[i : i + 1]
            error = yi - xi @ new
            running.append(error[0, 0] ** 2)
            g = -two * xi.T @ error
            if variant == 1:
                g = g / m
            new = new - lr * sign * g
    else:
        r = y - X @ w
        if has("gradient_collapsed"):
            # np.sum over every entry with the 1/m kept, or np.mean over every entry
            g = -two * np.sum(X * r) / m if variant == 0 else -two * np.mean(X * r)
            if has(*SUM_NOT_MEAN):
                g = g * m
            gradient = sign * np.full((n, 1), g, dtype=dtype)
        elif has("weight_as_gradient"):
            gradient = w
        else:
            gradient = -two * (X.T @ r)
            if not has(*SUM_NOT_MEAN):
                gradient = gradient / m
            gradient = sign * gradient
        new = w - lr * gradient
    if has("weight_unchanged"):
        out = w
    elif has("returns_gradient"):
        out = gradient
    else:
        out = new
    if running and has("loss_during_updates"):
        squares = np.asarray(running, dtype=dtype)
    elif has("loss_after_update"):
        squares = (y - X @ new) ** 2
    else:
        squares = (y - X @ w) ** 2
    loss = np.sum(squares) if has(*SUMMED_LOSS) else np.mean(squares)
    if has(*HALF_LOSS):
        loss = loss / 2
    if has("rmse"):
        loss = np.sqrt(loss)
    out = np.asarray(out, dtype=dtype)
    if np.ndim(weight) == 0:
        out = out.reshape(())
    if has("swapped_outputs"):
        return np.asarray(loss), out
    return out, np.asarray(loss)


def cases_of_seed(gradable: Gradable, seed: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (inputs, expected) of the 12 public and 12 hidden cases ``seed`` gives, decoded from
    the case documents the grader writes."""
    cases = []
    for visibility in VISIBILITIES:
        for raw in build_case_document(gradable, seed, visibility)["cases"]:
            inputs = {
                name: decode_readable(value) if is_array_record(value) else value
                for name, value in raw["inputs"].items()
            }
            expected = {name: decode_readable(value) for name, value in raw["expected"].items()}
            cases.append((inputs, expected))
    return cases


def diagnosis_of(
    gradable: Gradable,
    cases: Sequence[tuple[dict[str, Any], dict[str, Any]]],
    step: Callable[..., tuple[Any, ...]],
    memos: Sequence[dict] | None = None,
) -> tuple[str, ...]:
    """The sorted names the whole-function diagnosis gives ``step`` on ``cases`` (``memos``, one
    dict per case, lets several steps share the predictions)."""
    per_case = []
    for number, (inputs, expected) in enumerate(cases):
        with np.errstate(all="ignore"):
            returned = step(*(inputs[name] for name in gradable.arguments))
        received = dict(zip(gradable.outputs, returned, strict=True))
        wrong = wrong_outputs(received, expected)
        memo = None if memos is None else memos[number]
        names = diagnose_case(gradable.mistakes, inputs, received, expected, wrong, memo)
        per_case.append((wrong, names))
    return tuple(sorted(m.name for m in explained_by(gradable.mistakes, per_case)))
