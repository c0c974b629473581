"""What a gradient-descent loop returns: the whole trajectory, never only its end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["finished", "diverged"]


@dataclass(frozen=True)
class GDHistory:
    """Trajectory of full-batch gradient descent.

    ``weights[k]`` is the weight after ``k`` epochs (``weights[0]`` is the initial weight) and
    ``losses[k]`` the MSE at ``weights[k]``, so both have ``epochs_run + 1`` entries. A run whose
    loss becomes non-finite stops at that epoch with ``status == "diverged"``; its last loss is the
    non-finite one. Arrays are NumPy or torch, matching the inputs.
    """

    weights: Any
    losses: Any
    status: Status
    diverged_at: int | None = None
    converged: bool | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.losses) - 1

    def __iter__(self) -> Iterator[Any]:
        """``weights, losses = GD(...)``: the seed material's calling convention unpacks the
        history as that pair; the named fields stay."""
        return iter((self.weights, self.losses))

    @property
    def final_weight(self) -> Any:
        return self.weights[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


@dataclass(frozen=True)
class SGDHistory:
    """Trajectory of mini-batch SGD, recorded after every batch.

    ``weights[s]`` is the weight after ``s`` updates (``weights[0]`` is the initial weight);
    ``batch_losses[s]`` is the MSE of batch ``s`` at the weight it was drawn for (before its
    update); ``epoch_losses[e]`` is the full-data MSE after ``e`` epochs. ``steps_per_epoch``
    counts batches per epoch, the last partial one included unless it was dropped.
    ``record_every`` is 1 when every update was recorded; a loop that kept only the weight at
    each epoch's end sets it to ``steps_per_epoch``: ``weights[k]`` is then the weight after
    ``k * record_every`` updates.
    """

    weights: Any
    batch_losses: Any
    epoch_losses: Any
    steps_per_epoch: int
    status: Status
    diverged_at: int | None = None
    record_every: int = 1

    @property
    def steps(self) -> int:
        return len(self.batch_losses)

    def __iter__(self) -> Iterator[Any]:
        """``weights, losses = minibatchSGD(...)``: the seed's pair, a weight and a batch loss
        per update; the named fields stay."""
        return iter((self.weights, self.batch_losses))

    @property
    def final_weight(self) -> Any:
        return self.weights[-1]

    @property
    def final_loss(self) -> float:
        return float(self.epoch_losses[-1])
