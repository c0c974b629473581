"""Parameter trees of one level: a single array, a dict of arrays, or a list/tuple of arrays.

Gradients and updates have the same shape of tree; a leaf of ``None`` there means "no gradient
for this parameter" (a frozen parameter): its update is ``None`` and its state is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = [
    "Structure",
    "check_params",
    "flatten",
    "same_structure",
    "tree_map",
    "unflatten",
    "update_leaves",
]


class Structure(NamedTuple):
    kind: str  # "array", "dict", "list" or "tuple"
    keys: tuple[Any, ...]


def flatten(tree: Any, name: str = "params") -> tuple[list[Any], Structure]:
    """The leaves of ``tree`` in a fixed order, and what is needed to rebuild it."""
    if tree is None or isinstance(tree, np.ndarray | np.generic):
        return [tree], Structure("array", ())
    if isinstance(tree, Mapping):
        return list(tree.values()), Structure("dict", tuple(tree.keys()))
    if isinstance(tree, list | tuple):
        kind = "list" if isinstance(tree, list) else "tuple"
        return list(tree), Structure(kind, tuple(range(len(tree))))
    raise InputTypeError(
        f"{name} must be a NumPy array or a dict/list/tuple of NumPy arrays, got {describe(tree)}"
    )


def unflatten(structure: Structure, leaves: Sequence[Any]) -> Any:
    """The inverse of :func:`flatten`."""
    if structure.kind == "array":
        return leaves[0]
    if structure.kind == "dict":
        return dict(zip(structure.keys, leaves, strict=True))
    if structure.kind == "list":
        return list(leaves)
    return tuple(leaves)


def same_structure(name: str, tree: Any, reference: Structure) -> list[Any]:
    """The leaves of ``tree`` in the order of ``reference`` (dict keys may come in any order)."""
    if (
        reference.kind == "dict"
        and isinstance(tree, Mapping)
        and tree.keys() == set(reference.keys)
    ):
        return [tree[key] for key in reference.keys]
    leaves, structure = flatten(tree, name)
    if structure != reference:
        raise InputValueError(
            f"{name} must have the same structure as params "
            f"({reference.kind} with keys {list(reference.keys)}), "
            f"got {structure.kind} with keys {list(structure.keys)}"
        )
    return leaves


def tree_map(fn: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """``fn`` applied leaf by leaf to ``tree`` and trees of the same structure."""
    leaves, structure = flatten(tree)
    others = [same_structure("tree", other, structure) for other in rest]
    return unflatten(structure, [fn(*args) for args in zip(leaves, *others, strict=True)])


def check_params(params: Any) -> None:
    """Every leaf a floating-point NumPy array (0-d allowed)."""
    leaves, _ = flatten(params)
    for leaf in leaves:
        if not isinstance(leaf, np.ndarray | np.floating) or leaf.dtype.kind != "f":
            raise InputTypeError(
                "params must be floating-point NumPy arrays (or a dict/list of them), "
                f"got {describe(leaf)}"
            )


def update_leaves(
    fn: Callable[..., tuple[Any, tuple[Any, ...]]],
    updates: Any,
    fields: tuple[Any, ...],
    params: Any = None,
) -> tuple[Any, tuple[Any, ...]]:
    """Run a per-parameter kernel over a tree.

    ``fn(g, p, *state_leaves) -> (new_update, new_state_leaves)`` is called for every leaf whose
    update is not ``None``; ``p`` is the parameter leaf (``None`` when no params were passed) and
    ``state_leaves`` hold, for each state field, that field's leaf (``None`` for a field that is
    ``None`` as a whole, e.g. an unused AMSGrad buffer). Leaves without an update keep their state.
    """
    g_leaves, structure = flatten(updates, "grads")
    p_leaves = (
        [None] * len(g_leaves) if params is None else same_structure("params", params, structure)
    )
    field_leaves = [
        None if field is None else same_structure("state", field, structure) for field in fields
    ]
    new_updates: list[Any] = []
    new_fields: list[list[Any]] = [[] for _ in fields]
    for i, (g, p) in enumerate(zip(g_leaves, p_leaves, strict=True)):
        old = tuple(None if leaves is None else leaves[i] for leaves in field_leaves)
        if g is None:
            new_u, new = None, old
        else:
            # NOTE [0-d leaves]: ``2 * np.array(3.0)`` is a NumPy scalar, not a 0-d array;
            # accept it and hand the kernels a 0-d array so every state leaf stays an array.
            if isinstance(g, np.generic) and g.dtype.kind in "iuf":
                g = np.asarray(g)
            if not isinstance(g, np.ndarray):
                raise InputTypeError(f"grads must hold NumPy arrays or None, got {describe(g)}")
            new_u, new = fn(g, p, *old)
            new_u = np.asarray(new_u)
            new = tuple(None if leaf is None else np.asarray(leaf) for leaf in new)
        new_updates.append(new_u)
        for j, leaf in enumerate(new):
            new_fields[j].append(leaf)
    rebuilt = tuple(
        None if fields[j] is None else unflatten(structure, new_fields[j])
        for j in range(len(fields))
    )
    return unflatten(structure, new_updates), rebuilt
