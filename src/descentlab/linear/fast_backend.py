"""The linear-model fast path: the NumPy backend's math run by compiled loops.

Same signatures, seeds and results as :mod:`descentlab.linear.numpy_backend` (the reference it is
tested against): the initial weight comes from the seed (NOTE [seed streams]) and each epoch's
order from the same generator (NOTE [batch order]), so for a seed both trajectories agree to
float rounding. What changes is who runs the loop:

* ``minibatchSGD`` runs each epoch as one call of the compiled :func:`~.kernels.sgd_epoch` (no
  Python per batch, no gathered copies of the batch rows); a single batch per epoch (batch size
  ``m``) takes the one-pass full-batch gradient instead.
* every full-batch step (``gradient_step``, ``GD``, ...) and every full-data loss uses the one-pass
  gradient (NOTE [one pass]) instead of reading ``X`` twice.

:class:`CompiledSGD` advances mini-batch SGD one epoch at a time, for callers that decide between
epochs when to stop (a wall-time budget).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.linear.batches import epoch_order
from descentlab.linear.history import SGDHistory
from descentlab.linear.kernels import gradient_pass, sgd_epoch
from descentlab.linear.loops import BatchTrajectory
from descentlab.linear.numpy_backend import NumpyLinear
from descentlab.linear.one_pass import BLOCK_ROWS
from descentlab.validation import check_choice, check_positive_float, check_positive_int

__all__ = [
    "GD",
    "RECORDS",
    "CompiledSGD",
    "EpochResult",
    "GD_early_stopping",
    "GD_onefeature",
    "gradient_step",
    "gradient_step_onefeature",
    "least_squares",
    "minibatchSGD",
    "mse_loss",
]

RECORDS = ("step", "epoch")


@dataclass(frozen=True)
class EpochResult:
    """One epoch of :class:`CompiledSGD`: the batch losses, the weights after each batch (None
    unless recorded) and the index of the batch whose loss was not finite, if any."""

    batch_losses: np.ndarray
    weights: np.ndarray | None
    diverged_at: int | None


class CompiledSGD:
    """Mini-batch SGD on the linear model, advanced one epoch per :meth:`epoch` call.

    ``X`` (m, n) and ``y`` (m,) are used as given (C-contiguous, one float dtype); ``w0`` (n,) is
    copied. ``rng`` draws each epoch's permutation (None keeps rows in order), exactly as the
    reference loop does.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        w0: np.ndarray,
        batch_size: int,
        lrate: float,
        rng: np.random.Generator | None,
        *,
        drop_last: bool = False,
    ) -> None:
        self.X, self.y = X, y
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.lrate = check_positive_float("lrate", lrate)
        self.rng = rng
        self.drop_last = drop_last
        self._w = np.array(w0, dtype=X.dtype).reshape(-1)
        self._grad = np.empty(X.shape[1], dtype=np.float64)

    @property
    def weight(self) -> np.ndarray:
        """A copy of the current weight, shape (n,)."""
        return self._w.copy()

    def epoch(self, *, record: bool = False) -> EpochResult:
        """Run one epoch; with ``record``, also return the weight after every batch."""
        m, n = self.X.shape
        order, count = epoch_order(m, self.batch_size, rng=self.rng, drop_last=self.drop_last)
        losses = np.empty(count, dtype=self.X.dtype)
        weights = np.empty((count if record else 0, n), dtype=self.X.dtype)
        if count == 1 and self.batch_size >= m:
            failed = self._full_batch_step(losses, weights)
        else:
            failed = sgd_epoch(
                self.X, self.y, self._w, order, self.batch_size, count, self.lrate, losses, weights
            )
        done = count if failed < 0 else failed
        return EpochResult(
            losses if failed < 0 else losses[: failed + 1],
            weights[:done] if record else None,
            None if failed < 0 else failed,
        )

    def _full_batch_step(self, losses: np.ndarray, weights: np.ndarray) -> int:
        """The whole data as one batch: the row order cannot change the sum, so read it in
        storage order with the one-pass gradient."""
        losses[0] = gradient_pass(self.X, self.y, self._w, BLOCK_ROWS, self._grad)
        if not math.isfinite(losses[0]):
            return 0
        self._w -= (self.lrate * self._grad).astype(self._w.dtype)
        if weights.shape[0]:
            weights[0] = self._w
        return -1


class FastLinear(NumpyLinear):
    """NumPy in, NumPy out, like the reference backend; the loops are compiled."""

    name = "fast"

    def native(self, X: Any, y: Any, weight: Any) -> tuple[Any, Any, Any, Any]:
        Xn, yn, wn, restore = super().native(X, y, weight)
        return np.ascontiguousarray(Xn), np.ascontiguousarray(yn), wn, restore

    def step(self, X: Any, y: Any, w: Any, lrate: float) -> tuple[Any, Any]:
        grad = np.empty(X.shape[1], dtype=np.float64)
        mse = gradient_pass(X, y.reshape(-1), w.reshape(-1), BLOCK_ROWS, grad)
        return w - lrate * grad.astype(X.dtype).reshape(w.shape), X.dtype.type(mse)

    def loss(self, X: Any, y: Any, w: Any) -> Any:
        """The MSE from the same one-pass kernel (one core, no BLAS threads to wake)."""
        return self.step(X, y, w, 0.0)[1]

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
        record: str = "step",
    ) -> SGDHistory:
        """Mini-batch SGD by the compiled loop; the reference's arguments and results.

        ``record="step"`` keeps the weight after every batch, as the reference does;
        ``record="epoch"`` keeps it only at each epoch's end (``history.record_every`` is then
        ``steps_per_epoch``), which saves the memory of ``steps × n`` weights at batch size 1.
        Batch losses and epoch losses are always kept.
        """
        check_choice("record", record, RECORDS)
        run = self._prepare_minibatch(
            X, y, batch_size, epochs, lrate, seed, initial_weight, drop_last, shuffle
        )
        sgd = CompiledSGD(
            run.X, run.y.reshape(-1), run.w0, run.batch_size, run.lrate, run.rng,
            drop_last=run.drop_last,
        )  # fmt: skip
        per_step = record == "step"
        weights = [run.w0.reshape(1, -1)]
        batch_losses: list[np.ndarray] = []
        epoch_losses = [self._loss_float(run.X, run.y, run.w0)]
        steps_per_epoch, status, diverged_at = 0, "finished", None
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(run.epochs):
                result = sgd.epoch(record=per_step)
                batch_losses.append(result.batch_losses)
                steps_per_epoch = len(result.batch_losses)
                if result.diverged_at is not None:
                    if per_step:
                        weights.append(result.weights)
                    status = "diverged"
                    diverged_at = sum(len(b) for b in batch_losses) - 1
                    break
                weights.append(result.weights if per_step else sgd.weight.reshape(1, -1))
                epoch_losses.append(self._loss_float(run.X, run.y, sgd.weight.reshape(-1, 1)))
                if not math.isfinite(epoch_losses[-1]):
                    status = "diverged"
                    diverged_at = sum(len(b) for b in batch_losses)
                    break
        traj = BatchTrajectory(
            weights=[],
            batch_losses=np.concatenate(batch_losses),  # type: ignore[arg-type]
            epoch_losses=epoch_losses,
            steps_per_epoch=steps_per_epoch,
            status=status,
            diverged_at=diverged_at,
        )
        stacked = np.concatenate(weights)[:, :, None]
        return self._sgd_history(
            run, stacked, traj, record_every=1 if per_step else steps_per_epoch
        )


BACKEND = FastLinear()
mse_loss = BACKEND.mse_loss
gradient_step_onefeature = BACKEND.gradient_step_onefeature
gradient_step = BACKEND.gradient_step
GD_onefeature = BACKEND.GD_onefeature
GD = BACKEND.GD
GD_early_stopping = BACKEND.GD_early_stopping
minibatchSGD = BACKEND.minibatchSGD
least_squares = BACKEND.least_squares
