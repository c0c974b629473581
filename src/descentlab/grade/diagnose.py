"""Diagnosis: which known mistake, or pair of mistakes, explains the values a function returned.

NOTE [mistake model]. A gradable function's computation is described by a *recipe*, a small frozen
record of choices (for the gradient steps: the gradient's sign and scale, the learning rate's
power, per-sample or batch updates, which loss, taken where, which value goes where; see
:mod:`.linear_steps`); the reference is the default recipe. A known mistake is a :class:`Change`:
a named edit of the recipe (``sign_flipped`` flips the gradient's sign), with several *variants*
when real code writes it in more than one way (one update per sample, with or without a 1/m).
:func:`build_mistakes` turns the changes into the :class:`Mistake` table: every change alone, then
every *compatible pair*, the two edits applied one after the other. Two changes are compatible
when they edit different recipe fields, neither edits a field the other makes irrelevant
(``ignores``: the gradient's sign does not matter once the weight is returned unchanged), neither
``excludes`` the other, and a change that only shows together with another (``needs``) is paired
only with that one. A pair with the recipe of an earlier entry is left out: missing 2 and
missing 1/m is ``missing_2_over_m``, half MSE and missing 2 is ``half_mse_convention``.

Naming. A pair is named by its mistakes' names, sorted and joined with ``+``
(``loss_after_update+sign_flipped``), and a case's diagnosis lists such names. The diagnosis of a
whole function names single mistakes, each with its own message: a pair is reported as its two
mistakes, so two mistakes read the same whether they interact (a loss taken after a sign-flipped
step) or sit in different outputs (a flipped sign and a summed loss).

NOTE [diagnosis tolerance]. A mistake predicts, per output it changes, a value and a *scale* (the
size of the terms the value was computed from); a received value matches when every number is
within ``RTOL × max(scale, max |predicted|) + ATOL`` of the prediction, so a float32 learner's
mistaken value still matches. Values are compared flat: a value returned with the wrong shape but
the right count of numbers ((n,) for (n, 1), (1, 1) for a scalar), or in the other output's place,
is still diagnosed. An output is *wrong* for the diagnosis when it is farther than that tolerance
(without the scale) from the expected value; NaN and infinity neither confirm nor refute a
mistake. A mistake is seen in a case only where its prediction differs from the expected value of
each wrong output it explains: a mistake that changes nothing in that case (the learning rate
applied twice with ``lrate = 1``) says nothing about it.

Per case (:func:`diagnose_case`) every matching mistake is listed, except a pair whose parts
already match on their own and explain the same wrong outputs (with ``lrate = 1``,
``lrate_twice+sign_flipped`` is just ``sign_flipped``). For the whole function
(:func:`explained_by`) a mistake *explains* the failures when it matches every case in which one
of its outputs was wrong (a pair also counts as matching where its parts were listed). Among the
explaining mistakes, those that together cover the explainable wrong outputs with the fewest
single mistakes are reported (one mistake before a pair), then with the fewest table entries
(``half_mse_convention+missing_1_over_m`` rather than ``half_mse`` and ``missing_2_over_m``, the
same arithmetic), and when covers still tie, all of them: that resolves coincidences (with
``lrate = 0.5`` the learning rate applied twice equals a missing factor 2, with ``lrate = 1.5`` it
does not). Code text is never read: two programs with the same mistake get the same diagnosis
however they are written.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

__all__ = [
    "ATOL",
    "RTOL",
    "Change",
    "Mistake",
    "Prediction",
    "build_mistakes",
    "diagnose_case",
    "explained_by",
    "values_close",
    "wrong_outputs",
]

RTOL = 1e-4
ATOL = 1e-7

# One predicted output: its value and the scale of the terms it was computed from.
Prediction = Mapping[str, tuple[np.ndarray, float]]
Recipe = TypeVar("Recipe", bound=Hashable)


@dataclass(frozen=True)
class Mistake:
    """A known mistake or a combination of them.

    ``name`` (``"sign_flipped"``, or ``"loss_after_update+sign_flipped"`` for a pair), the
    ``outputs`` it changes, a one-line ``message``, and ``predict(inputs, memo)``: one
    :data:`Prediction` per way of writing the mistake (``memo`` is a dict the caller keeps for
    one case's inputs, shared by all mistakes to reuse work). ``parts`` names the single mistakes
    of a combination (empty for a single mistake).
    """

    name: str
    outputs: tuple[str, ...]
    message: str
    predict: Callable[[Mapping[str, Any], dict], Sequence[Prediction]]
    parts: tuple[str, ...] = ()

    @property
    def components(self) -> tuple[str, ...]:
        """The names of the single mistakes it is made of (itself for a single one)."""
        return self.parts or (self.name,)


@dataclass(frozen=True)
class Change(Generic[Recipe]):
    """A single known mistake as an edit of the reference recipe (see NOTE [mistake model]).

    ``apply(recipe)`` returns the edited recipe(s), one per way of writing the mistake;
    ``fields`` are the recipe fields it edits, ``ignores`` those whose value no longer matters
    once it is made; ``excludes`` names changes it never combines with, and ``needs`` (when not
    empty) the only changes it combines with.
    """

    name: str
    message: str
    apply: Callable[[Recipe], tuple[Recipe, ...]]
    fields: frozenset[str]
    ignores: frozenset[str] = frozenset()
    excludes: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()


def _compatible(a: Change, b: Change) -> bool:
    return (
        not a.fields & b.fields
        and not a.fields & b.ignores
        and not b.fields & a.ignores
        and a.name not in b.excludes
        and b.name not in a.excludes
        and (not a.needs or b.name in a.needs)
        and (not b.needs or a.name in b.needs)
    )


def build_mistakes(
    changes: Sequence[Change[Recipe]],
    reference: Recipe,
    evaluate: Callable[[Recipe, Mapping[str, Any], dict], Prediction],
    outputs_of: Callable[[Recipe], frozenset[str]],
) -> tuple[Mistake, ...]:
    """The mistake table: each change alone, then each compatible pair (in table order).

    ``evaluate(recipe, inputs, memo)`` computes the outputs of a recipe and ``outputs_of(recipe)``
    says which outputs differ from the reference's. A pair whose variants equal those of an
    earlier entry is left out.
    """
    table: list[Mistake] = []
    seen: set[frozenset] = set()

    def add(name: str, message: str, variants: tuple, parts: tuple[str, ...]) -> None:
        key = frozenset(variants)
        if key in seen:
            return
        seen.add(key)
        outputs = frozenset().union(*(outputs_of(v) for v in variants))

        def predict(inputs: Mapping[str, Any], memo: dict) -> tuple[Prediction, ...]:
            return tuple(evaluate(v, inputs, memo) for v in variants)

        table.append(Mistake(name, tuple(sorted(outputs)), message, predict, parts))

    for change in changes:
        add(change.name, change.message, tuple(dict.fromkeys(change.apply(reference))), ())
    for a, b in itertools.combinations(changes, 2):
        if not _compatible(a, b):
            continue
        variants = tuple(dict.fromkeys(v for first in a.apply(reference) for v in b.apply(first)))
        names = tuple(sorted((a.name, b.name)))
        first, second = (a, b) if names[0] == a.name else (b, a)
        add("+".join(names), f"{first.message}; and {second.message}", variants, names)
    return tuple(table)


def _as_values(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        return None
    return array.astype(np.float64).ravel()


def _bound(want: np.ndarray, scale: float) -> float:
    largest = float(np.max(np.abs(want))) if want.size else 0.0
    return RTOL * max(float(scale), largest) + ATOL


def _within(got: np.ndarray, want: np.ndarray, bound: float) -> bool:
    if got.size != want.size:
        return False
    if got.size == 1:
        return abs(float(got[0]) - float(want[0])) <= bound
    return bool(np.max(np.abs(got - want), initial=0.0) <= bound)


def values_close(received: Any, predicted: Any, scale: float = 0.0) -> bool:
    """True when ``received`` has as many numbers as ``predicted`` and each is within
    ``RTOL × max(scale, max |predicted|) + ATOL`` of it (compared flat, whatever the shapes)."""
    got, want = _as_values(received), _as_values(predicted)
    if got is None or want is None:
        return False
    with np.errstate(all="ignore"):
        return _within(got, want, _bound(want, scale))


def wrong_outputs(
    received: Mapping[str, Any],
    expected: Mapping[str, Any],
    failed: Sequence[str] | frozenset[str] | None = None,
) -> frozenset[str]:
    """The outputs (of ``failed``, default all) whose received numbers are wrong for the diagnosis:
    a different count of numbers, or farther than ``RTOL × max |expected| + ATOL`` from the
    expected values. NaN and infinity are left out (no mistake is diagnosed from them), and so is
    a value closer than that (float32 rounding, or a mistake too small to tell)."""
    names = expected.keys() if failed is None else failed
    wrong = set()
    for name in names:
        got = _as_values(received.get(name))
        if got is None or not np.all(np.isfinite(got)):
            continue
        if not values_close(got, expected[name]):
            wrong.add(name)
    return frozenset(wrong)


@dataclass(frozen=True)
class _Block:
    """The predictions of one output with one count of numbers: which variants (rows of the
    table), their flat values, the bound for matching a received value and the bound for
    telling the prediction from the expected value."""

    rows: np.ndarray
    values: np.ndarray
    bounds: np.ndarray
    guards: np.ndarray


@dataclass(frozen=True)
class _Table:
    """Every variant of every mistake predicted for one case's inputs."""

    owner: np.ndarray  # the index of the mistake each variant belongs to
    predicts: dict[str, np.ndarray]  # output -> which variants predict it
    blocks: dict[str, list[_Block]]


def _table(mistakes: Sequence[Mistake], inputs: Mapping[str, Any], memo: dict) -> _Table:
    key = ("table", tuple(m.name for m in mistakes))
    if key in memo:
        return memo[key]
    owner: list[int] = []
    rows: dict[tuple[str, int], list[tuple[int, np.ndarray, float]]] = {}
    with np.errstate(all="ignore"):
        for index, mistake in enumerate(mistakes):
            try:
                variants = mistake.predict(inputs, memo)
            except (ArithmeticError, ValueError):
                continue
            for prediction in variants:
                for output in mistake.outputs:
                    value, scale = prediction[output]
                    want = np.asarray(value, dtype=np.float64).ravel()
                    rows.setdefault((output, want.size), []).append((len(owner), want, scale))
                owner.append(index)
    predicts: dict[str, np.ndarray] = {}
    blocks: dict[str, list[_Block]] = {}
    for (output, _), entries in rows.items():
        numbers = np.array([e[0] for e in entries], dtype=np.intp)
        values = np.stack([e[1] for e in entries])
        with np.errstate(all="ignore"):
            largest = np.max(np.abs(values), axis=1, initial=0.0)
            scales = np.maximum(np.array([e[2] for e in entries], dtype=np.float64), largest)
        block = _Block(numbers, values, RTOL * scales + ATOL, RTOL * largest + ATOL)
        blocks.setdefault(output, []).append(block)
        predicts.setdefault(output, np.zeros(len(owner), dtype=bool))[numbers] = True
    memo[key] = _Table(np.asarray(owner, dtype=np.intp), predicts, blocks)
    return memo[key]


def _near(block: _Block, values: np.ndarray | None, bounds: np.ndarray) -> np.ndarray:
    """Per row of ``block``: whether ``values`` has as many numbers and each is within bound."""
    if values is None or values.size != block.values.shape[1]:
        return np.zeros(len(block.rows), dtype=bool)
    return np.max(np.abs(block.values - values), axis=1, initial=0.0) <= bounds


def _implied(mistake: Mistake, simpler: Sequence[Mistake], wrong: frozenset[str]) -> bool:
    """Whether mistakes made of some of ``mistake``'s parts already explain every wrong output
    ``mistake`` changes: ``lrate_twice+sign_flipped`` where ``sign_flipped`` matched and
    ``lrate = 1``, ``sign_flipped+sum_instead_of_mean`` where both matched on their own."""
    parts = set(mistake.components)
    covered = set().union(*(s.outputs for s in simpler if set(s.components) < parts))
    return bool(parts) and set(mistake.outputs) & wrong <= covered and len(parts) > 1


def diagnose_case(
    mistakes: Sequence[Mistake],
    inputs: Mapping[str, Any],
    received: Mapping[str, Any],
    expected: Mapping[str, Any],
    wrong: frozenset[str] | None = None,
    memo: dict | None = None,
) -> tuple[str, ...]:
    """The names of the mistakes that predict what one case returned.

    ``received`` maps each output name to the numbers returned for it (any shape, None when no
    numbers came back), ``expected`` to the expected value; ``wrong`` names the outputs that were
    wrong (default :func:`wrong_outputs`). Only mistakes changing a wrong output are tried. A
    ``memo`` dict may be passed to reuse predictions across calls on the same inputs.
    """
    if wrong is None:
        wrong = wrong_outputs(received, expected)
    if not wrong:
        return ()
    values = {name: _as_values(value) for name, value in received.items()}
    wanted = {name: _as_values(value) for name, value in expected.items()}
    # an output that came back NaN or infinite neither confirms nor refutes a mistake
    unknown = frozenset(
        name for name, v in values.items() if v is not None and not np.all(np.isfinite(v))
    )
    table = _table(mistakes, inputs, {} if memo is None else memo)
    fits = np.ones(len(table.owner), dtype=bool)
    with np.errstate(all="ignore"):
        for output, predicts in table.predicts.items():
            if output in unknown:
                continue
            near = np.zeros(len(table.owner), dtype=bool)
            distinct = np.ones(len(table.owner), dtype=bool)
            for block in table.blocks[output]:
                near[block.rows] = _near(block, values.get(output), block.bounds)
                if output in wrong:
                    distinct[block.rows] = ~_near(block, wanted[output], block.guards)
            fits &= ~predicts | (near & distinct)
    found = set(table.owner[fits].tolist())
    matched = [m for i, m in enumerate(mistakes) if i in found and set(m.outputs) & wrong]
    kept = [m for m in matched if not _implied(m, matched, wrong)]
    return tuple(m.name for m in sorted(kept, key=lambda m: len(m.components)))


def explained_by(
    mistakes: Sequence[Mistake],
    per_case: Sequence[tuple[frozenset[str], tuple[str, ...]]],
) -> tuple[Mistake, ...]:
    """The single mistakes that explain the failures of a whole function.

    ``per_case`` holds, for each case, the names of the outputs that were wrong (with values that
    could be compared) and the names :func:`diagnose_case` gave. See NOTE [mistake model].
    """
    by_name = {m.name: m for m in mistakes}

    def seen(mistake: Mistake, wrong: frozenset[str], names: tuple[str, ...]) -> bool:
        listed = [by_name[n] for n in names if n in by_name]
        return mistake.name in names or _implied(mistake, listed, wrong)

    explaining = []
    for mistake in mistakes:
        relevant = [(w, names) for w, names in per_case if set(mistake.outputs) & w]
        if relevant and all(seen(mistake, w, names) for w, names in relevant):
            explaining.append(mistake)
    wrong_anywhere = frozenset().union(*(w for w, _ in per_case))
    coverable = wrong_anywhere & frozenset().union(*(m.outputs for m in explaining))
    if not coverable:
        return ()
    best: tuple[int, int] | None = None
    reported: set[str] = set()
    for size in range(1, len(coverable) + 1):
        for cover in itertools.combinations(explaining, size):
            if not coverable <= frozenset().union(*(m.outputs for m in cover)):
                continue
            parts = set().union(*(m.components for m in cover))
            cost = (len(parts), size)
            if best is None or cost < best:
                best, reported = cost, set(parts)
            elif cost == best:
                reported |= parts
    return tuple(m for m in mistakes if not m.parts and m.name in reported)
