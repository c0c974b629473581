"""Diagnosis: which known mistake explains a wrong returned value.

A :class:`Mistake` recomputes what a function with that mistake would return, from the case inputs
and the reference math; a received value *matches* the mistake when it is ``numpy.allclose`` to that
prediction. Code text is never read: two programs with the same mistake get the same diagnosis
however they are written.

Per case, every mistake whose prediction matches is listed. For the whole submission a mistake is
reported when it matches every case in which the value it predicts was wrong; that resolves cases
where two mistakes happen to coincide (with ``lrate = 0.5`` the learning rate applied twice equals a
missing factor 2, with ``lrate = 1.5`` it does not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Mistake", "explained_by", "matching_mistakes"]


@dataclass(frozen=True)
class Mistake:
    """A known mistake: its ``name``, the ``output`` it gets wrong, a one-line ``message``, and
    ``predict(inputs)``, the value a function with this mistake returns for that output."""

    name: str
    output: str
    message: str
    predict: Callable[[Mapping[str, Any]], np.ndarray]


def _matches(mistake: Mistake, inputs: Mapping[str, Any], received: np.ndarray) -> bool:
    try:
        predicted = np.asarray(mistake.predict(inputs), dtype=np.float64)
    except (ArithmeticError, ValueError):
        return False
    return predicted.size == received.size and bool(
        np.allclose(received, predicted.reshape(received.shape))
    )


def matching_mistakes(
    mistakes: Sequence[Mistake], inputs: Mapping[str, Any], wrong: Mapping[str, np.ndarray]
) -> tuple[str, ...]:
    """Names of the mistakes that predict the wrong values in ``wrong`` (output name -> value)."""
    return tuple(
        m.name for m in mistakes if m.output in wrong and _matches(m, inputs, wrong[m.output])
    )


def explained_by(
    mistakes: Sequence[Mistake],
    per_case: Sequence[tuple[frozenset[str], tuple[str, ...]]],
) -> tuple[Mistake, ...]:
    """The mistakes that match every case in which their output was wrong.

    ``per_case`` holds, for each case, the names of the outputs that were wrong (with a value that
    could be compared) and the names of the mistakes that matched.
    """
    found = []
    for mistake in mistakes:
        relevant = [matched for wrong, matched in per_case if mistake.output in wrong]
        if relevant and all(mistake.name in matched for matched in relevant):
            found.append(mistake)
    return tuple(found)
