"""Optimizer state as a flat dict of arrays, and as a ``.npz`` file — both bit-exact.

Keys are paths through the state: ``"<transform index>/<buffer>[/<parameter key>]"``, e.g.
``"1/exp_avg/w"`` for Adam's first moment of parameter ``w``, or ``"2/count"`` for the number
of updates made (the step a learning-rate schedule is evaluated at). Every per-parameter step
counter (torch's ``state['step']``) is in there too, so save → load → continue equals an
uninterrupted run bit for bit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import IO, Any

import numpy as np

from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = ["load_state", "save_state", "state_from_dict", "state_to_dict"]


def _walk(node: Any, path: str) -> Iterator[tuple[str, np.ndarray]]:
    if node is None:
        return
    if isinstance(node, np.ndarray):
        yield path, node
    elif isinstance(node, tuple) and hasattr(node, "_fields"):
        for field in node._fields:
            yield from _walk(getattr(node, field), f"{path}/{field}" if path else field)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}" if path else str(key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}" if path else str(i))
    else:
        raise InputTypeError(
            f"state must hold only NumPy arrays, records, dicts, lists and tuples, "
            f"got {describe(node)} at {path or 'the top'!r}"
        )


def state_to_dict(state: Any) -> dict[str, np.ndarray]:
    """A flat ``{path: array}`` copy of an optimizer state (``None`` buffers are left out)."""
    flat: dict[str, np.ndarray] = {}
    for path, leaf in _walk(state, ""):
        if path in flat:
            raise InputValueError(
                f"state must give every buffer a distinct path, got {path!r} twice"
            )
        flat[path] = leaf.copy()
    return flat


def _rebuild(node: Any, path: str, data: Mapping[str, Any], used: set[str]) -> Any:
    if node is None:
        return None
    if isinstance(node, np.ndarray):
        if path not in data:
            raise InputValueError(f"state dict must have the key {path!r}, got keys {sorted(data)}")
        value = data[path]
        if (
            not isinstance(value, np.ndarray)
            or value.shape != node.shape
            or (value.dtype != node.dtype)
        ):
            raise InputValueError(
                f"state dict entry {path!r} must be an array of shape {node.shape} and dtype "
                f"{node.dtype}, got {describe(value)}"
            )
        used.add(path)
        return value.copy()
    if isinstance(node, tuple) and hasattr(node, "_fields"):
        return type(node)(
            *(
                _rebuild(getattr(node, f), f"{path}/{f}" if path else f, data, used)
                for f in node._fields
            )
        )
    if isinstance(node, Mapping):
        return {
            k: _rebuild(v, f"{path}/{k}" if path else str(k), data, used) for k, v in node.items()
        }
    items = [_rebuild(v, f"{path}/{i}" if path else str(i), data, used) for i, v in enumerate(node)]
    return items if isinstance(node, list) else tuple(items)


def state_from_dict(data: Mapping[str, np.ndarray], like: Any) -> Any:
    """The state with the structure of ``like`` (e.g. ``optimizer.init(params)``) and the values
    of ``data`` (from :func:`state_to_dict`). Keys, shapes and dtypes must match exactly."""
    if not isinstance(data, Mapping):
        raise InputTypeError(
            f"data must be a dict of arrays from state_to_dict, got {describe(data)}"
        )
    used: set[str] = set()
    state = _rebuild(like, "", data, used)
    extra = sorted(set(data) - used)
    if extra:
        raise InputValueError(
            f"state dict must only have keys of this optimizer, got extra keys {extra}"
        )
    return state


def save_state(file: str | os.PathLike[str] | IO[bytes], state: Any) -> None:
    """Write ``state`` to an uncompressed ``.npz`` file (bit-exact, no pickling)."""
    np.savez(file, **state_to_dict(state))


def load_state(file: str | os.PathLike[str] | IO[bytes], like: Any) -> Any:
    """Read a state written by :func:`save_state`; ``like`` gives its structure."""
    with np.load(file, allow_pickle=False) as archive:
        data = {key: archive[key] for key in archive.files}
    return state_from_dict(data, like)
