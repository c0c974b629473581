"""Small gradient transformations and how to chain them (the optax design, in NumPy).

A transformation is a pair of pure functions::

    state = transformation.init(params)
    updates, state = transformation.update(grads, state, params)
    params = apply_updates(params, updates)          # params + updates

``params`` is a NumPy array (0-d allowed) or a dict/list/tuple of arrays; ``grads`` and
``updates`` have the same structure, and a ``None`` leaf in ``grads`` marks a parameter without a
gradient (frozen): its update is ``None``, ``apply_updates`` leaves it alone and its state does
not move, exactly as ``torch.optim`` skips a parameter whose ``.grad`` is ``None``.

States are small frozen records (``NamedTuple``) of NumPy arrays. Buffers carry the names that
``torch.optim`` gives them (``step``, ``momentum_buffer``, ``exp_avg``, …) so the two can be
compared buffer by buffer. Nothing here modifies its inputs in place.

Named optimizers (:func:`descentlab.optim.adam` and friends) are chains of these pieces, e.g.
``adamw = chain(scale_by_adam(...), add_decayed_weights(wd), scale_by_learning_rate(lr))``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeAlias

import numpy as np

from descentlab.optim._tree import (
    check_params,
    flatten,
    same_structure,
    tree_map,
    unflatten,
    update_leaves,
)
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_bool,
    check_finite_float,
    check_learning_rate,
    check_nonnegative_float,
    check_unit_interval,
    describe,
)

__all__ = [
    "EmptyState",
    "GradientTransformation",
    "LearningRate",
    "Params",
    "ScaleByLearningRateState",
    "Schedule",
    "TraceState",
    "adaptive_chain",
    "add_decayed_weights",
    "apply_updates",
    "chain",
    "learning_rate_at",
    "negate",
    "per_leaf",
    "scale",
    "scale_by_learning_rate",
    "step_counts",
    "trace",
    "zeros_like_tree",
]

Params: TypeAlias = Any  # np.ndarray | Mapping[str, np.ndarray] | Sequence[np.ndarray]
Schedule: TypeAlias = Callable[[int], float]
LearningRate: TypeAlias = float | Schedule


class GradientTransformation(NamedTuple):
    """``init(params) -> state`` and ``update(grads, state, params=None) -> (updates, state)``."""

    init: Callable[[Params], Any]
    update: Callable[..., tuple[Params, Any]]


class EmptyState(NamedTuple):
    """The state of a stateless transformation."""


def zeros_like_tree(params: Params) -> Params:
    """A tree of zero arrays with the shapes and dtypes of ``params``."""
    return tree_map(np.zeros_like, params)


def step_counts(params: Params) -> Params:
    """A tree of 0-d ``int64`` zeros: one step counter per parameter (torch's ``state['step']``)."""
    return tree_map(lambda _: np.zeros((), dtype=np.int64), params)


def chain(*transformations: GradientTransformation) -> GradientTransformation:
    """Apply transformations one after the other; the state is the tuple of their states.

    Example:
        >>> import numpy as np
        >>> sgd = chain(negate(), scale(0.1))
        >>> updates, _ = sgd.update(np.array([1.0, -2.0]), sgd.init(np.zeros(2)))
        >>> updates
        array([-0.1,  0.2])
    """
    for i, t in enumerate(transformations):
        if not isinstance(t, GradientTransformation):
            raise InputTypeError(
                f"transformations[{i}] must be a GradientTransformation, got {describe(t)}"
            )

    def init(params: Params) -> tuple[Any, ...]:
        check_params(params)
        return tuple(t.init(params) for t in transformations)

    def update(
        updates: Params, state: tuple[Any, ...], params: Params | None = None
    ) -> tuple[Params, tuple[Any, ...]]:
        if not isinstance(state, tuple) or len(state) != len(transformations):
            raise InputTypeError(
                f"state must be the tuple of {len(transformations)} states made by init, "
                f"got {describe(state)}"
            )
        new_states = []
        for t, s in zip(transformations, state, strict=True):
            updates, s = t.update(updates, s, params)
            new_states.append(s)
        return updates, tuple(new_states)

    return GradientTransformation(init, update)


def per_leaf(
    init: Callable[[Params], Any], kernel: Callable[..., tuple[Any, Any]], state_type: type
) -> GradientTransformation:
    """A transformation whose update runs ``kernel`` on every parameter leaf.

    ``kernel(g, p, *fields) -> (u, new_fields)`` sees one leaf of the update and of each field
    of the state (a ``NamedTuple`` of type ``state_type`` made by ``init``); leaves without a
    gradient keep their state (see :func:`~descentlab.optim._tree.update_leaves`).
    """

    def update(updates: Params, state: Any, params: Params | None = None) -> tuple[Params, Any]:
        new, fields = update_leaves(kernel, updates, tuple(state))
        return new, state_type(*fields)

    return GradientTransformation(init, update)


def apply_updates(params: Params, updates: Params) -> Params:
    """``params + updates`` leaf by leaf; a ``None`` update leaves its parameter unchanged.

    New arrays are returned (never modified in place) with the parameters' dtypes, 0-d included.
    """
    p_leaves, structure = flatten(params)
    u_leaves = same_structure("updates", updates, structure)
    new = [
        np.asarray(p) if u is None else np.asarray(p + u, dtype=p.dtype)
        for p, u in zip(p_leaves, u_leaves, strict=True)
    ]
    return unflatten(structure, new)


def _stateless(
    kernel: Callable[[np.ndarray, Any], np.ndarray], *, uses_params: bool = False
) -> GradientTransformation:
    def init(params: Params) -> EmptyState:
        return EmptyState()

    def update(
        updates: Params, state: EmptyState, params: Params | None = None
    ) -> tuple[Params, EmptyState]:
        if uses_params and params is None:
            raise InputValueError("params must be passed to update when weight_decay > 0, got None")
        new, _ = update_leaves(
            lambda g, p: (kernel(g, p), ()), updates, (), params if uses_params else None
        )
        return new, state

    return GradientTransformation(init, update)


def scale(factor: float) -> GradientTransformation:
    """``u ← factor · u``."""
    factor = check_finite_float("factor", factor)
    return _stateless(lambda g, p: factor * g)


def negate() -> GradientTransformation:
    """``u ← −u``: turns a minimiser into a maximiser (torch's ``maximize=True``)."""
    return _stateless(lambda g, p: -g)


def add_decayed_weights(weight_decay: float) -> GradientTransformation:
    """``u ← u + λ·θ`` (needs ``params``).

    Placed *before* an adaptive scaling this is L2 regularisation (torch's ``weight_decay`` in
    SGD/Adam); placed *after* it and before :func:`scale_by_learning_rate` it is decoupled weight
    decay ``θ ← θ − η·λ·θ − η·u`` (AdamW).

    Args:
        weight_decay: λ >= 0.
    """
    weight_decay = check_nonnegative_float("weight_decay", weight_decay)
    return _stateless(lambda g, p: g + weight_decay * p, uses_params=True)


class TraceState(NamedTuple):
    step: Params
    momentum_buffer: Params


def trace(
    momentum: float, dampening: float = 0.0, nesterov: bool = False
) -> GradientTransformation:
    """Heavy-ball momentum as ``torch.optim.SGD`` defines it.

    .. math::

        b_1 = g_1, \\qquad b_t = \\mu\\, b_{t-1} + (1 - \\tau)\\, g_t \\quad (t > 1)

        u_t = g_t + \\mu\\, b_t \\;\\text{(Nesterov)} \\qquad\\text{or}\\qquad u_t = b_t

    The first buffer is the gradient itself, not ``(1 − τ)·g`` (torch's convention).

    Args:
        momentum: μ >= 0.
        dampening: τ in [0, 1].
        nesterov: look-ahead form; requires μ > 0 and τ = 0.
    """
    momentum = check_nonnegative_float("momentum", momentum)
    dampening = check_unit_interval("dampening", dampening, open_left=False, open_right=False)
    nesterov = check_bool("nesterov", nesterov)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise InputValueError(
            "nesterov must be False unless momentum > 0 and dampening == 0, "
            f"got nesterov=True with momentum={momentum!r} and dampening={dampening!r}"
        )

    def init(params: Params) -> TraceState:
        return TraceState(step=step_counts(params), momentum_buffer=zeros_like_tree(params))

    def kernel(g: np.ndarray, p: Any, step: np.ndarray, buf: np.ndarray) -> tuple[Any, Any]:
        buf = g.copy() if step == 0 else momentum * buf + (1 - dampening) * g
        u = g + momentum * buf if nesterov else buf
        return u, (step + 1, buf)

    return per_leaf(init, kernel, TraceState)


class ScaleByLearningRateState(NamedTuple):
    count: np.ndarray  # 0-d int64: updates made so far, the step a schedule is evaluated at


def learning_rate_at(lr: LearningRate, count: int) -> float:
    """The learning rate for update number ``count`` (0 for the first update)."""
    return float(lr(count)) if callable(lr) else lr


def scale_by_learning_rate(lr: LearningRate) -> GradientTransformation:
    """``u ← −η_t · u`` with η a constant or a schedule evaluated at the update count t.

    The count starts at 0, so a schedule ``s`` gives ``s(0)`` to the first update, ``s(1)`` to the
    second, … — what ``torch.optim.lr_scheduler`` produces when ``scheduler.step()`` is called
    once after every ``optimizer.step()``.

    Args:
        lr: η >= 0, or a schedule (a callable of the step count).
    """
    lr = check_learning_rate("lr", lr)

    def init(params: Params) -> ScaleByLearningRateState:
        return ScaleByLearningRateState(count=np.zeros((), dtype=np.int64))

    def update(
        updates: Params, state: ScaleByLearningRateState, params: Params | None = None
    ) -> tuple[Params, ScaleByLearningRateState]:
        rate = learning_rate_at(lr, int(state.count))
        new, _ = update_leaves(lambda g, p: (-rate * g, ()), updates, ())
        return new, ScaleByLearningRateState(count=np.asarray(state.count + 1))

    return GradientTransformation(init, update)


def adaptive_chain(
    direction: GradientTransformation | tuple[GradientTransformation, ...],
    lr: LearningRate,
    weight_decay: float,
    *,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> GradientTransformation:
    r"""The shape shared by the named optimizers (SGD, Adagrad, RMSprop, Adadelta, the Adam family).

    ``direction`` is one transformation or a tuple of them applied in turn (e.g. RMSprop's
    ``(scale_by_rms, trace)``).
    ``chain([negate], [add_decayed_weights(λ)], direction, scale_by_learning_rate(η))`` for L2
    regularisation, or ``chain([negate], direction, [add_decayed_weights(λ)],
    scale_by_learning_rate(η))`` for decoupled decay — which is torch's
    ``θ ← θ·(1 − η·λ)`` followed by the step, written as one update
    :math:`u = -\eta\,(d + \lambda\theta)`.
    """
    parts = [negate()] if maximize else []
    if weight_decay != 0 and not decoupled_weight_decay:
        parts.append(add_decayed_weights(weight_decay))
    parts.extend(direction if isinstance(direction, tuple) else (direction,))
    if weight_decay != 0 and decoupled_weight_decay:
        parts.append(add_decayed_weights(weight_decay))
    parts.append(scale_by_learning_rate(lr))
    return chain(*parts)
