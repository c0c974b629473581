"""The linear-model API, written once over a backend's kernels.

:class:`LinearBackend` holds the public functions of SPEC §1 (``gradient_step_onefeature``,
``gradient_step``, ``GD_onefeature``, ``GD``, ``minibatchSGD``, ``GD_early_stopping``,
``least_squares``, ``mse_loss``). A backend subclass supplies only how arrays enter and leave its
framework and the three kernels of :mod:`descentlab.linear.loops`; checking, shaping, seeding and
the loops are shared, so every backend has the same signatures, rules and error messages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.linear import inputs
from descentlab.linear.history import GDHistory, SGDHistory
from descentlab.linear.initial import batch_rng, initial_weight
from descentlab.linear.loops import BatchTrajectory, run_gd, run_minibatch
from descentlab.validation import (
    InputTypeError,
    check_bool,
    check_positive_float,
    check_positive_int,
    check_seed,
    is_tensor,
)

Restore = Callable[[Any], Any]


@dataclass(frozen=True)
class MinibatchRun:
    """Checked, converted arguments of one ``minibatchSGD`` call."""

    X: Any
    y: Any
    w0: Any
    restore: Restore
    shape: tuple[int, ...] | None
    batch_size: int
    epochs: int
    lrate: float
    rng: np.random.Generator | None
    drop_last: bool


def refuse_tensors(backend: str, X: Any, y: Any, weight: Any) -> None:
    """A backend that takes NumPy arrays only refuses a torch tensor, pointing to ``torch``."""
    for label, value in (("X", X), ("y", y), ("weight", weight)):
        if is_tensor(value):
            raise InputTypeError(
                f"{label} must be a NumPy array for backend {backend!r}, got a torch tensor; "
                "use backend='torch' for tensors"
            )


def float_dtype(*arrays: Any) -> np.dtype:
    """The NumPy dtype the arrays compute in: their common float type, float64 for integers."""
    dtype = np.result_type(*arrays)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def _one_feature(X: Any, initial: Any) -> bool:
    """Whether ``minibatchSGD`` is called as the seed's one-feature function.

    NOTE [one-feature shapes]: with ``x`` of shape (m, 1) and no initial weight (or a scalar one)
    the seed's one-feature functions hand back scalar weights, so ``minibatchSGD`` does as
    ``GD_onefeature`` does: ``weights`` of shape (steps + 1,). An initial weight of shape (1, 1)
    or (1,) asks for the matrix form, and its shape is kept, as in ``GD``. Bad shapes fall
    through to the checks of :meth:`LinearBackend._start`.
    """
    columns = getattr(X, "shape", ())[1:2]
    return (
        tuple(columns) == (1,) and getattr(X, "ndim", 0) == 2 and getattr(initial, "ndim", 0) == 0
    )


class LinearBackend(ABC):
    """Shared front end; subclasses implement the abstract kernels below."""

    name: str

    # -- what a backend provides -------------------------------------------------------------
    @abstractmethod
    def native(self, X: Any, y: Any, weight: Any) -> tuple[Any, Any, Any, Restore]:
        """Convert to native arrays of one float dtype (y as a column, a scalar weight as (1, 1)).

        Returns the converted ``X, y, weight`` and a function mapping a native array back to the
        caller's type (NumPy in, NumPy out; tensors in, tensors out).
        """

    @abstractmethod
    def step(self, X: Any, y: Any, w: Any, lrate: float) -> tuple[Any, Any]:
        """One gradient step: ``(w - lrate * grad, mse at w)``, the loss as a native 0-d value."""

    @abstractmethod
    def loss(self, X: Any, y: Any, w: Any) -> Any:
        """MSE at ``w`` as a native 0-d value."""

    @abstractmethod
    def take(self, A: Any, idx: np.ndarray) -> Any:
        """Rows ``idx`` of ``A``."""

    @abstractmethod
    def stack(self, arrays: list[Any]) -> Any:
        """Stack same-shaped native arrays along a new first axis."""

    @abstractmethod
    def vector(self, values: list[float], like: Any) -> Any:
        """A 1-D native array of ``values`` with the dtype and device of ``like``."""

    @abstractmethod
    def solve_least_squares(self, X: Any, y: Any) -> Any:
        """The minimum-norm least-squares solution of ``X w = y``, shape (n, 1)."""

    @abstractmethod
    def from_numpy(self, array: np.ndarray, like: Any) -> Any:
        """``array`` converted to the dtype and device of ``like``."""

    def reshape(self, array: Any, shape: tuple[int, ...]) -> Any:
        """``array`` with ``shape``; a backend whose arrays lack ``.reshape`` overrides this."""
        return array.reshape(shape)

    # -- shared helpers ----------------------------------------------------------------------
    def _loss_float(self, X: Any, y: Any, w: Any) -> float:
        return float(self.loss(X, y, w))

    def _step_float(self, X: Any, y: Any, w: Any, lrate: float) -> tuple[Any, float]:
        new_w, value = self.step(X, y, w, lrate)
        return new_w, float(value)

    def _start(
        self, X: Any, y: Any, initial: Any, seed: int, *, one_feature: bool, name: str
    ) -> tuple[Any, Any, Any, Restore, tuple[int, ...] | None]:
        """Check and convert inputs; draw the initial weight from ``seed`` unless one is given."""
        inputs.check_x(name, X, one_feature=one_feature)
        inputs.check_target(y, X.shape[0], name)
        seed = check_seed("seed", seed)
        n = X.shape[1]
        if initial is None:
            drawn = initial_weight(n, seed)
            given_shape: tuple[int, ...] | None = () if one_feature else (n, 1)
            Xn, yn, _, restore = self.native(X, y, None)
            w0 = self.from_numpy(drawn, Xn)
        else:
            if one_feature:
                inputs.check_one_feature_weight(initial)
                given_shape = ()
            else:
                inputs.check_weight(initial, n)
                given_shape = tuple(initial.shape)
            Xn, yn, w0, restore = self.native(X, y, initial)
        return Xn, yn, w0, restore, given_shape

    def _reshape_history(self, stacked: Any, shape: tuple[int, ...]) -> Any:
        return self.reshape(stacked, (stacked.shape[0], *shape))

    # -- the public API ----------------------------------------------------------------------
    def mse_loss(self, X: Any, y: Any, weight: Any) -> Any:
        """Mean squared error ``mean((y - X w)^2)`` of the linear predictor at ``weight``."""
        inputs.check_x("X", X, one_feature=False)
        inputs.check_target(y, X.shape[0], "X")
        inputs.check_weight(weight, X.shape[1])
        Xn, yn, wn, restore = self.native(X, y, weight)
        return restore(self.loss(Xn, yn, wn))

    def gradient_step_onefeature(
        self, x: Any, y: Any, weight: Any, lrate: float
    ) -> tuple[Any, Any]:
        """One GD step for ``ŷ = x·w`` with ``x`` of shape (m, 1) and a scalar ``weight``.

        Returns ``(new_weight, mse)`` where ``mse`` is the loss at the incoming ``weight`` and
        ``new_weight = weight - lrate * grad`` with ``grad = -(2/m) * sum(x * (y - x·w))``. The
        inputs are never modified.
        """
        inputs.check_x("x", x, one_feature=True)
        inputs.check_target(y, x.shape[0], "x")
        inputs.check_one_feature_weight(weight)
        lrate = inputs.check_lrate(lrate)
        Xn, yn, wn, restore = self.native(x, y, weight)
        new_w, value = self.step(Xn, yn, wn, lrate)
        return restore(self.reshape(new_w, ())), restore(value)

    def gradient_step(self, X: Any, y: Any, weight: Any, lrate: float) -> tuple[Any, Any]:
        """One GD step for ``ŷ = X·w`` with ``X`` (m, n) and ``weight`` (n, 1).

        ``mse = mean((y - X w)^2)`` at the incoming weight; ``grad = -(2/m) Xᵀ (y - X w)``;
        returns ``(weight - lrate * grad, mse)``. The new weight has the shape ``weight`` had.
        The inputs are never modified.
        """
        inputs.check_x("X", X, one_feature=False)
        inputs.check_target(y, X.shape[0], "X")
        inputs.check_weight(weight, X.shape[1])
        lrate = inputs.check_lrate(lrate)
        Xn, yn, wn, restore = self.native(X, y, weight)
        new_w, value = self.step(Xn, yn, wn, lrate)
        return restore(self.reshape(new_w, tuple(weight.shape))), restore(value)

    def _gd(
        self,
        X: Any,
        y: Any,
        epochs: int,
        lrate: float,
        seed: int,
        initial: Any,
        *,
        one_feature: bool,
        rtol: float | None = None,
    ) -> GDHistory:
        name = "x" if one_feature else "X"
        Xn, yn, w0, restore, shape = self._start(
            X, y, initial, seed, one_feature=one_feature, name=name
        )
        lrate = inputs.check_lrate(lrate)
        traj = run_gd(self._step_float, self._loss_float, Xn, yn, w0, epochs, lrate, rtol=rtol)
        weights = self._reshape_history(self.stack(traj.weights), shape)
        return GDHistory(
            weights=restore(weights),
            losses=restore(self.vector(traj.losses, Xn)),
            status=traj.status,  # type: ignore[arg-type]
            diverged_at=traj.diverged_at,
            converged=traj.converged,
        )

    def GD_onefeature(
        self,
        x: Any,
        y: Any,
        epochs: int,
        lrate: float,
        *,
        seed: int = 0,
        initial_weight: Any = None,
    ) -> GDHistory:
        """Full-batch GD on one feature for ``epochs`` epochs from a seeded initial weight.

        ``history.weights`` has shape (epochs + 1,), ``history.losses`` the MSE at each weight.
        The run stops early, marked ``diverged``, at the first non-finite loss.
        """
        epochs = inputs.check_epochs(epochs)
        return self._gd(x, y, epochs, lrate, seed, initial_weight, one_feature=True)

    def GD(
        self,
        X: Any,
        y: Any,
        epochs: int,
        lrate: float,
        *,
        seed: int = 0,
        initial_weight: Any = None,
    ) -> GDHistory:
        """Full-batch GD on ``X`` (m, n) for ``epochs`` epochs from a seeded initial weight.

        ``history.weights`` has shape (epochs + 1, n, 1) (or the shape of ``initial_weight``),
        ``history.losses`` the MSE at each weight.
        """
        epochs = inputs.check_epochs(epochs)
        return self._gd(X, y, epochs, lrate, seed, initial_weight, one_feature=False)

    def GD_early_stopping(
        self,
        X: Any,
        y: Any,
        lrate: float,
        *,
        rtol: float = 1e-6,
        max_iter: int = 200,
        seed: int = 0,
        initial_weight: Any = None,
    ) -> GDHistory:
        """GD that stops when two consecutive losses agree within ``rtol`` (relative).

        Stops after the first ``k`` with ``|L_k - L_{k-1}| <= rtol * |L_{k-1}|`` or after
        ``max_iter`` updates; ``history.converged`` says which.
        """
        rtol = check_positive_float("rtol", rtol)
        max_iter = check_positive_int("max_iter", max_iter)
        return self._gd(X, y, max_iter, lrate, seed, initial_weight, one_feature=False, rtol=rtol)

    def minibatchSGD(
        self,
        X: Any,
        y: Any,
        batch_size: int,
        epochs: int,
        lrate: float,
        *,
        seed: int = 0,
        initial_weight: Any = None,
        drop_last: bool = False,
        shuffle: bool = True,
    ) -> SGDHistory:
        """Mini-batch SGD, recording the weight and the batch loss after every batch.

        Each epoch draws a new permutation from one generator seeded by ``seed`` (see NOTE
        [batch order]); ``batch_size = m`` is full-batch GD, ``batch_size = 1`` single-sample SGD.
        The last partial batch is kept unless ``drop_last``. ``history.weights`` has shape
        (steps + 1, n, 1), or (steps + 1,) for one feature without an initial weight of shape
        (1, 1) (NOTE [one-feature shapes]).
        """
        run = self._prepare_minibatch(
            X, y, batch_size, epochs, lrate, seed, initial_weight, drop_last, shuffle
        )
        traj = run_minibatch(
            self._step_float,
            self._loss_float,
            self.take,
            run.X,
            run.y,
            run.w0,
            run.batch_size,
            run.epochs,
            run.lrate,
            run.rng,
            run.drop_last,
        )
        return self._sgd_history(run, self.stack(traj.weights), traj)

    def _prepare_minibatch(
        self,
        X: Any,
        y: Any,
        batch_size: int,
        epochs: int,
        lrate: float,
        seed: int,
        initial_weight: Any,
        drop_last: bool,
        shuffle: bool,
    ) -> MinibatchRun:
        """Check the arguments of :meth:`minibatchSGD` and convert them for the loop."""
        batch_size = check_positive_int("batch_size", batch_size)
        epochs = inputs.check_epochs(epochs)
        drop_last = check_bool("drop_last", drop_last)
        shuffle = check_bool("shuffle", shuffle)
        Xn, yn, w0, restore, shape = self._start(
            X, y, initial_weight, seed, one_feature=_one_feature(X, initial_weight), name="X"
        )
        lrate = inputs.check_lrate(lrate)
        rng = batch_rng(seed) if shuffle else None
        return MinibatchRun(Xn, yn, w0, restore, shape, batch_size, epochs, lrate, rng, drop_last)

    def _sgd_history(
        self, run: MinibatchRun, stacked: Any, traj: BatchTrajectory, *, record_every: int = 1
    ) -> SGDHistory:
        """The caller-facing history from a loop's trajectory and its stacked weights."""
        return SGDHistory(
            weights=run.restore(self._reshape_history(stacked, run.shape)),
            batch_losses=run.restore(self.vector(traj.batch_losses, run.X)),
            epoch_losses=run.restore(self.vector(traj.epoch_losses, run.X)),
            steps_per_epoch=traj.steps_per_epoch,
            status=traj.status,  # type: ignore[arg-type]
            diverged_at=traj.diverged_at,
            record_every=record_every,
        )

    def least_squares(self, X: Any, y: Any) -> Any:
        """Closed-form least squares: the (minimum-norm) ``w`` minimising ``||y - X w||²``."""
        inputs.check_x("X", X, one_feature=False)
        inputs.check_target(y, X.shape[0], "X")
        Xn, yn, _, restore = self.native(X, y, None)
        return restore(self.solve_least_squares(Xn, yn))
