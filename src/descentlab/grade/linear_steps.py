"""The two §1 gradient steps as gradable functions: how their cases are drawn, what can go wrong.

Case ``i`` (``i = 1, 2, ...``) has ``m = 5 i`` samples, learning rate ``LRATES[i % 3]`` and incoming
weight ``WEIGHTS[i % 4]`` (``"random"``: standard normal); ``gradient_step`` cases have
``FEATURES[i % 5]`` features, so twelve consecutive cases cover every (lrate, weight) pair and every
feature count. ``X`` is standard normal, ``y = X w* + noise``; inputs are rounded to 4 decimals so
the case files stay readable, and the expected values are computed from the rounded inputs.

The mistakes are the usual ones in a hand-written step, alone and in compatible pairs (see NOTE
[mistake model] in :mod:`.diagnose`): each is an edit of :class:`Step`, the recipe of the reference
math (``r = y - X w``, ``grad = -(2/m) Xᵀ r``, ``new_weight = w - lrate·grad``, ``mse = mean(r²)``
at the incoming weight), and :func:`evaluate` computes what the edited recipe returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from descentlab.grade.diagnose import Change, Mistake, build_mistakes
from descentlab.validation import InputValueError

__all__ = [
    "CHANGES",
    "FEATURES",
    "LRATES",
    "MISTAKES",
    "MISTAKES_ONEFEATURE",
    "REFERENCE",
    "WEIGHTS",
    "Step",
    "changed_outputs",
    "describe",
    "evaluate",
    "make_inputs",
    "make_inputs_onefeature",
]

LRATES = (0.5, 1.0, 1.5)
WEIGHTS: tuple[float | str, ...] = (0.01, 0.1, 1.0, "random")
FEATURES = (1, 2, 3, 4, 5)
_DECIMALS = 4


def _draw(rng: np.random.Generator, i: int, n: int, *, scalar_weight: bool) -> dict[str, Any]:
    m = 5 * i
    X = np.round(rng.standard_normal((m, n)), _DECIMALS)
    w_true = rng.standard_normal((n, 1)) * 2.0
    y = np.round(X @ w_true + 0.5 * rng.standard_normal((m, 1)), _DECIMALS)
    kind = WEIGHTS[i % len(WEIGHTS)]
    shape: tuple[int, ...] = () if scalar_weight else (n, 1)
    if kind == "random":
        weight = np.round(rng.standard_normal(shape), _DECIMALS)
    else:
        weight = np.full(shape, kind, dtype=np.float64)
    return {"X": X, "y": y, "weight": np.asarray(weight), "lrate": LRATES[i % len(LRATES)]}


def make_inputs_onefeature(rng: np.random.Generator, i: int) -> dict[str, Any]:
    """Inputs ``x`` (m, 1), ``y`` (m, 1), a 0-d ``weight`` and ``lrate`` for case ``i``."""
    drawn = _draw(rng, i, 1, scalar_weight=True)
    return {"x": drawn.pop("X"), **drawn}


def make_inputs(rng: np.random.Generator, i: int) -> dict[str, Any]:
    """Inputs ``X`` (m, n), ``y`` (m, 1), ``weight`` (n, 1) and ``lrate`` for case ``i``."""
    return _draw(rng, i, FEATURES[i % len(FEATURES)], scalar_weight=False)


def describe(inputs: Mapping[str, Any]) -> str:
    """``"m=10, n=2, lrate=0.5, weight=0.1"`` (``weight=random`` when the entries differ)."""
    X = inputs["X"] if "X" in inputs else inputs["x"]
    weight = np.asarray(inputs["weight"]).ravel()
    kind = f"{weight[0]:g}" if np.all(weight == weight[0]) and weight[0] in WEIGHTS else "random"
    m, n = X.shape
    return f"m={m}, n={n}, lrate={inputs['lrate']:g}, weight={kind}"


# The mistakes (see NOTE [mistake model] in .diagnose). A recipe says how a step is computed;
# the reference is Step(): r = y - X w, grad = -(2/m) Xᵀ r, new_weight = w - lrate·grad,
# mse = mean(r²) at the incoming weight.


@dataclass(frozen=True)
class Step:
    """How one gradient step is computed.

    The gradient is ``sign · 2^two · m^m`` times the reference gradient (batch), or the same
    factor on each single-sample gradient ``-2 xᵢᵀ rᵢ`` applied in turn (per_sample), or one number
    for every weight (collapsed_sum ``-(2/m) Σ X∘r``, collapsed_mean ``-2 mean(X∘r)``), or the
    weight itself; the learning rate is raised to ``lrate_power``; ``result`` is the stepped
    weight, the incoming one or the gradient. The loss is ``2^loss_two · m^loss_m · mean(r²)``
    (its root when ``loss_root``) with r at the incoming weight, the stepped one (updated) or,
    per sample, at the weight before that sample's update (running); ``swapped`` exchanges the
    two outputs.
    """

    sign: int = 1
    two: int = 0
    m: int = 0
    gradient: str = "batch"
    lrate_power: int = 1
    result: str = "step"
    loss_two: int = 0
    loss_m: int = 0
    loss_root: bool = False
    loss_at: str = "incoming"
    swapped: bool = False


REFERENCE = Step()
_GRADIENT_FIELDS = ("sign", "two", "m", "gradient", "lrate_power")
_LOSS_FIELDS = ("loss_two", "loss_m", "loss_root", "loss_at")


@dataclass(frozen=True)
class _Inputs:
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    lrate: float
    abs_x: np.ndarray
    abs_y: np.ndarray


@dataclass(frozen=True)
class _Path:
    stepped: np.ndarray
    stepped_scale: float
    gradient: np.ndarray | None
    gradient_scale: float
    running: tuple[np.ndarray, np.ndarray] | None


def _inputs(inputs: Mapping[str, Any], memo: dict) -> _Inputs:
    if "inputs" not in memo:
        X = np.asarray(inputs["X"] if "X" in inputs else inputs["x"], dtype=np.float64)
        y = np.asarray(inputs["y"], dtype=np.float64).reshape(-1, 1)
        w = np.asarray(inputs["weight"], dtype=np.float64).reshape(-1, 1)
        memo["inputs"] = _Inputs(X, y, w, float(inputs["lrate"]), np.abs(X), np.abs(y))
    return memo["inputs"]


def _largest(*arrays: Any) -> float:
    return max(float(np.max(np.abs(a), initial=0.0)) for a in arrays)


def _per_sample(b: _Inputs, factor: float, lrate: float) -> _Path:
    """A loop over the samples in order, each updating w with its own gradient (in Python
    floats: a few features, up to a few hundred samples)."""
    current = b.w[:, 0].tolist()
    path, residuals = [current], []
    coefficient = lrate * 2.0 * factor
    for row, target in zip(b.X.tolist(), b.y[:, 0].tolist(), strict=True):
        residual = target - sum([a * c for a, c in zip(row, current, strict=True)])
        residuals.append(residual)
        current = [c + coefficient * residual * a for a, c in zip(row, current, strict=True)]
        path.append(current)
    weights = np.abs(np.asarray(path))
    sizes = b.abs_y[:, 0] + np.sum(b.abs_x * weights[:-1], axis=1)
    steps = abs(coefficient) * sizes * np.max(b.abs_x, axis=1, initial=0.0)
    # the rounding errors of m updates in turn add up (γ_m ≈ m·u), and a diverging loop grows them
    scale = len(b.X) * max(float(np.max(weights)), float(np.max(steps, initial=0.0)))
    running = (np.asarray(residuals), sizes)
    return _Path(np.asarray(current).reshape(-1, 1), scale, None, scale, running)


def _path(step: Step, b: _Inputs, memo: dict) -> _Path:
    key = ("path", *(getattr(step, f) for f in _GRADIENT_FIELDS))
    if key in memo:
        return memo[key]
    m = len(b.X)
    factor = step.sign * 2.0**step.two * float(m) ** step.m
    lrate = b.lrate**step.lrate_power
    if step.gradient == "per_sample":
        memo[key] = _per_sample(b, factor, lrate)
        return memo[key]
    residual = b.y - b.X @ b.w
    size = b.abs_y + b.abs_x @ np.abs(b.w)
    n = b.X.shape[1]
    if step.gradient == "batch":
        grad = factor * (-2.0 / m) * (b.X.T @ residual)
        grad_size = abs(factor) * (2.0 / m) * (b.abs_x.T @ size)
    elif step.gradient == "collapsed_sum":
        grad = np.full((n, 1), factor * (-2.0 / m) * np.sum(b.X * residual))
        grad_size = abs(factor) * (2.0 / m) * np.sum(b.abs_x * size)
    elif step.gradient == "collapsed_mean":
        grad = np.full((n, 1), factor * -2.0 * np.mean(b.X * residual))
        grad_size = abs(factor) * 2.0 * np.mean(b.abs_x * size)
    elif step.gradient == "weight":
        grad, grad_size = b.w, np.abs(b.w)
    else:
        raise InputValueError(f"gradient must be a known kind, got {step.gradient!r}")
    stepped = b.w - lrate * grad
    scale = _largest(grad_size)
    memo[key] = _Path(stepped, max(_largest(b.w, stepped), lrate * scale), grad, scale, None)
    return memo[key]


def _loss(step: Step, b: _Inputs, path: _Path, memo: dict) -> tuple[np.ndarray, float]:
    key = ("loss", step.loss_at, id(path))
    if key not in memo:
        if step.loss_at == "running" and path.running is not None:
            residual, size = path.running
            known = path.stepped_scale
        else:
            at = path.stepped if step.loss_at == "updated" else b.w
            known = path.stepped_scale if step.loss_at == "updated" else 0.0
            residual = (b.y - b.X @ at).ravel()
            size = (b.abs_y + b.abs_x @ np.abs(at)).ravel()
        # the size of the terms, plus what the weight's own error (up to its scale) moves r² by
        moved = 2.0 * float(np.mean(np.abs(residual) * np.sum(b.abs_x, axis=1))) * known
        memo[key] = (np.mean(residual**2), float(np.mean(size**2)) + moved)
    mean, mean_size = memo[key]
    factor = 2.0**step.loss_two * float(len(b.X)) ** step.loss_m
    value, scale = factor * mean, factor * mean_size
    if step.loss_root:
        value, scale = np.sqrt(value), float(np.sqrt(scale))
    return np.asarray(value), scale


def evaluate(step: Step, inputs: Mapping[str, Any], memo: dict) -> dict[str, Any]:
    """What a step computed by ``step`` returns for ``inputs``: ``{output: (value, scale)}``."""
    key = ("step", step)
    if key in memo:
        return memo[key]
    b = _inputs(inputs, memo)
    path = _path(step, b, memo)
    if step.result == "unchanged":
        new_weight = (b.w, _largest(b.w))
    elif step.result == "gradient":
        if path.gradient is None:
            raise InputValueError("a per-sample loop has no gradient to return")
        new_weight = (path.gradient, path.gradient_scale)
    else:
        new_weight = (path.stepped, path.stepped_scale)
    loss = _loss(step, b, path, memo)
    memo[key] = (
        {"new_weight": loss, "mse": new_weight}
        if step.swapped
        else {"new_weight": new_weight, "mse": loss}
    )
    return memo[key]


def changed_outputs(step: Step) -> frozenset[str]:
    """The outputs a recipe computes differently from the reference."""
    if step.swapped:
        return frozenset({"new_weight", "mse"})
    changed = set()
    if step.result != "step" or any(
        getattr(step, f) != getattr(REFERENCE, f) for f in _GRADIENT_FIELDS
    ):
        changed.add("new_weight")
    if any(getattr(step, f) != getattr(REFERENCE, f) for f in _LOSS_FIELDS):
        changed.add("mse")
    return frozenset(changed)


def _edit(**changes: Callable[[Step], Any]) -> Callable[[Step], tuple[Step, ...]]:
    return lambda step: (replace(step, **{k: f(step) for k, f in changes.items()}),)


def _per_sample_variants(step: Step) -> tuple[Step, ...]:
    # -2 xᵢ rᵢ per sample, or with the batch's 1/m kept: -(2/m) xᵢ rᵢ
    return tuple(replace(step, gradient="per_sample", m=step.m + k) for k in (0, -1))


def _collapsed_variants(step: Step) -> tuple[Step, ...]:
    return tuple(replace(step, gradient=kind) for kind in ("collapsed_sum", "collapsed_mean"))


def _change(name: str, message: str, apply: Any, fields: str, **sets: str) -> Change[Step]:
    return Change(
        name,
        message,
        apply,
        frozenset(fields.split()),
        **{key: frozenset(value.split()) for key, value in sets.items()},
    )


CHANGES: tuple[Change[Step], ...] = (
    _change(
        "sign_flipped",
        "the gradient's sign is flipped: the step goes uphill (w + lrate·grad)",
        _edit(sign=lambda s: -s.sign),
        "sign",
    ),
    _change(
        "missing_factor_2",
        "the gradient is missing its factor 2: grad = -(2/m)·Xᵀ(y - Xw)",
        _edit(two=lambda s: s.two - 1),
        "two",
    ),
    _change(
        "missing_1_over_m",
        "the gradient is a sum over the samples, not a mean (missing 1/m)",
        _edit(m=lambda s: s.m + 1),
        "m",
    ),
    _change(
        "missing_2_over_m",
        "the gradient is missing its factor 2/m: grad = -(2/m)·Xᵀ(y - Xw)",
        _edit(two=lambda s: s.two - 1, m=lambda s: s.m + 1),
        "two m",
    ),
    _change(
        "half_mse_convention",
        "the 1/(2m) convention: the loss is halved (mean/2) and the step uses its gradient "
        "-(1/m)·Xᵀ(y - Xw); this function returns the plain MSE and steps with its gradient "
        "-(2/m)·Xᵀ(y - Xw)",
        _edit(two=lambda s: s.two - 1, loss_two=lambda s: s.loss_two - 1),
        "two loss_two",
    ),
    _change(
        "lrate_twice",
        "the learning rate is applied twice (w - lrate²·grad)",
        _edit(lrate_power=lambda s: 2 * s.lrate_power),
        "lrate_power",
    ),
    _change(
        "per_sample_updates",
        "one update per sample (a loop that updates w after each sample) instead of one step "
        "with the batch gradient -(2/m)·Xᵀ(y - Xw) at the incoming weight",
        _per_sample_variants,
        "gradient m",
    ),
    _change(
        "gradient_collapsed",
        "the gradient is collapsed to one number shared by every weight (a mean or sum over all "
        "entries of X·r); weight j has its own gradient -(2/m)·Σᵢ xᵢⱼ·rᵢ, i.e. -(2/m)·Xᵀr",
        _collapsed_variants,
        "gradient",
    ),
    _change(
        "weight_as_gradient",
        "the weight is used in place of the gradient (w - lrate·w)",
        _edit(gradient=lambda s: "weight"),
        "gradient",
        ignores="sign two m",
    ),
    _change(
        "weight_unchanged",
        "the weight is returned unchanged: the update is computed but not applied",
        _edit(result=lambda s: "unchanged"),
        "result",
        ignores=" ".join(_GRADIENT_FIELDS),
    ),
    _change(
        "returns_gradient",
        "the gradient is returned instead of the new weight",
        _edit(result=lambda s: "gradient"),
        "result",
        ignores="lrate_power",
        excludes="per_sample_updates weight_as_gradient",
    ),
    _change(
        "loss_after_update",
        "the loss is computed after the update; return the loss at the incoming weight",
        _edit(loss_at=lambda s: "updated"),
        "loss_at",
    ),
    _change(
        "loss_during_updates",
        "the loss is summed up inside the per-sample loop, at a weight that keeps changing; "
        "return the loss at the incoming weight",
        _edit(loss_at=lambda s: "running"),
        "loss_at",
        needs="per_sample_updates",
    ),
    _change(
        "sum_instead_of_mean",
        "the loss is a sum of squared errors, not their mean",
        _edit(loss_m=lambda s: s.loss_m + 1),
        "loss_m",
    ),
    _change(
        "half_mse",
        "the loss is halved (mean/2); this function returns the plain mean of squared errors",
        _edit(loss_two=lambda s: s.loss_two - 1),
        "loss_two",
    ),
    _change(
        "half_sum_of_squares",
        "the loss is half the sum of squared errors (0.5·Σr²), not their mean",
        _edit(loss_two=lambda s: s.loss_two - 1, loss_m=lambda s: s.loss_m + 1),
        "loss_two loss_m",
    ),
    _change(
        "rmse",
        "the loss is the root of the mean squared error (RMSE), not the MSE",
        _edit(loss_root=lambda s: True),
        "loss_root",
    ),
    _change(
        "swapped_outputs",
        "the two return values are swapped: return (new_weight, mse) in that order",
        _edit(swapped=lambda s: True),
        "swapped",
    ),
)

# the mistakes of gradient_step; with one feature a collapsed gradient is the gradient
MISTAKES: tuple[Mistake, ...] = build_mistakes(CHANGES, REFERENCE, evaluate, changed_outputs)
MISTAKES_ONEFEATURE: tuple[Mistake, ...] = build_mistakes(
    tuple(c for c in CHANGES if c.name != "gradient_collapsed"),
    REFERENCE,
    evaluate,
    changed_outputs,
)
