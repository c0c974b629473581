"""The learning-rate range test ("LR finder") for any PyTorch model and optimizer.

One training step per rate of an exponential ramp from ``min_lr`` to ``max_lr``; the batch loss
of every step is recorded and smoothed, and the ramp stops early once the smoothed loss exceeds
``divergence_factor`` times the best one seen (or any loss is non-finite). Afterwards the model
(parameters, buffers, gradients, train/eval modes) and the optimizer (state and param groups,
learning rates included) are put back exactly as they were: the test leaves no trace, so
training can start from the same point at the rate it suggests. The global random number
generators are not rewound: a model with dropout draws from them during the test.

NOTE [range-test steps]: ``losses[i]`` is the loss of batch ``i`` at the parameters reached so
far, computed just before the update made with ``lrates[i]``; the effect of ``lrates[i]``
therefore shows from ``losses[i + 1]`` on. Every param group gets the same ramped rate.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from descentlab.lrfind.rate_curve import exponential_ramp, smooth, smooth_two_way, suggest_lrate
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_positive_float,
    check_unit_interval,
    describe,
)

__all__ = ["STOP_REASONS", "RangeTestResult", "lr_range_test"]

STOP_REASONS = ("completed", "diverged", "non-finite loss", "out of batches")


@dataclass(frozen=True)
class RangeTestResult:
    """What a range test measured: one entry per step taken (see NOTE [range-test steps]).

    ``smoothed`` is the one-pass moving average the stop rule watched; ``smoothed_two_way`` the
    lag-free curve the suggestion is read from. ``suggested_lrate`` follows NOTE [suggestion
    rule] in :mod:`descentlab.lrfind.rate_curve` (None when the loss never fell); ``stop_reason`` is
    one of :data:`STOP_REASONS`.
    """

    lrates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    smoothed_two_way: np.ndarray
    suggested_lrate: float | None
    stop_reason: str
    planned_steps: int

    @property
    def stopped_early(self) -> bool:
        return self.stop_reason != "completed"

    def as_json(self) -> dict[str, Any]:
        return {
            "lrates": self.lrates.tolist(),
            "losses": self.losses.tolist(),
            "smoothed": self.smoothed.tolist(),
            "smoothed_two_way": self.smoothed_two_way.tolist(),
            "suggested_lrate": self.suggested_lrate,
            "stopped_early": self.stopped_early,
            "stop_reason": self.stop_reason,
            "planned_steps": self.planned_steps,
        }


def _check_arguments(
    model: Any, optimizer: Any, loss_fn: Any, batches: Any, divergence_factor: Any
) -> float:
    if not isinstance(model, torch.nn.Module):
        raise InputTypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise InputTypeError(
            f"optimizer must be a torch.optim.Optimizer, got {describe(optimizer)}"
        )
    if not callable(loss_fn):
        raise InputTypeError(f"loss_fn must be callable, got {describe(loss_fn)}")
    if isinstance(batches, str | bytes) or not isinstance(batches, Iterable):
        raise InputTypeError(
            f"batches must be an iterable of (inputs, targets) pairs, got {describe(batches)}"
        )
    own = {id(p) for p in model.parameters()}
    for group in optimizer.param_groups:
        for p in group["params"]:
            if id(p) not in own:
                raise InputValueError(
                    "optimizer must only hold parameters of model (they could not be restored "
                    f"otherwise), got a parameter of shape {tuple(p.shape)} that model lacks"
                )
    factor = check_positive_float("divergence_factor", divergence_factor)
    if factor <= 1:
        raise InputValueError(f"divergence_factor must be a number > 1, got {factor!r}")
    return factor


def _device_of(model: torch.nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    raise InputValueError("model must have at least one parameter, got a model without parameters")


def _endless(batches: Iterable) -> Iterator[Any]:
    """The batches, started again whenever they run out; ends when a pass yields none."""
    while True:
        produced = False
        for batch in batches:
            produced = True
            yield batch
        if not produced or iter(batches) is batches:  # an iterator cannot be restarted
            return


def _to(value: Any, device: torch.device) -> Any:
    return value.to(device) if isinstance(value, torch.Tensor) else value


def _batch_loss(
    model: torch.nn.Module, loss_fn: Callable, batch: Any, device: torch.device
) -> torch.Tensor:
    if not isinstance(batch, tuple | list) or len(batch) != 2:
        raise InputTypeError(f"each batch must be an (inputs, targets) pair, got {describe(batch)}")
    inputs, targets = (_to(part, device) for part in batch)
    loss = loss_fn(model(inputs), targets)
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise InputTypeError(f"loss_fn must return a one-element tensor, got {describe(loss)}")
    return loss


def lr_range_test(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    batches: Iterable[tuple[Any, Any]],
    *,
    min_lr: float = 1e-6,
    max_lr: float = 10.0,
    num_steps: int = 100,
    smoothing: float = 0.9,
    divergence_factor: float = 4.0,
) -> RangeTestResult:
    """Sweep the learning rate exponentially, record the loss, then restore everything.

    Args:
        model: the network; batches are moved to the device of its first parameter (CPU or
            CUDA), and it is put in training mode for the test.
        optimizer: any ``torch.optim.Optimizer`` over parameters of ``model`` (torch's own, or
            :class:`descentlab.optim.torch_adapter.DescentlabOptimizer`). Its state decides the
            kind of steps taken (momentum, Adam moments, …); its ``lr`` is overridden per step.
        loss_fn: ``loss_fn(model(inputs), targets)`` gives a one-element tensor.
        batches: (inputs, targets) pairs, e.g. a ``DataLoader``; a re-iterable one is started
            again when it runs out before ``num_steps``, a one-shot iterator ends the test.
        min_lr, max_lr: the ramp's ends, ``0 < min_lr < max_lr``.
        num_steps: steps of the ramp (at least 2).
        smoothing: β in [0, 1) of the bias-corrected moving average of the loss.
        divergence_factor: stop once the smoothed loss exceeds this times its minimum (> 1).

    Returns:
        A :class:`RangeTestResult`; the model and optimizer are as they were before the call.

    Example:
        >>> import torch
        >>> torch.manual_seed(0) and None
        >>> X = torch.randn(64, 3)
        >>> y = X @ torch.tensor([[1.0], [-2.0], [0.5]])
        >>> model = torch.nn.Linear(3, 1)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> result = lr_range_test(model, opt, torch.nn.MSELoss(), [(X, y)], num_steps=60)
        >>> result.stop_reason, 1e-6 < result.suggested_lrate < 1.0
        ('diverged', True)
    """
    factor = _check_arguments(model, optimizer, loss_fn, batches, divergence_factor)
    beta = check_unit_interval("smoothing", smoothing)
    rates = exponential_ramp(min_lr, max_lr, num_steps)
    device = _device_of(model)

    saved_model = copy.deepcopy(model.state_dict())
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    saved_grads = [None if p.grad is None else p.grad.detach().clone() for p in model.parameters()]
    saved_modes = [module.training for module in model.modules()]

    losses: list[float] = []
    stop_reason = "out of batches"
    average, best = 0.0, math.inf
    try:
        model.train()
        stream = _endless(batches)
        for i, lrate in enumerate(rates.tolist()):
            batch = next(stream, None)
            if batch is None:
                break
            for group in optimizer.param_groups:
                if isinstance(group["lr"], torch.Tensor):  # capturable/fused optimizers
                    group["lr"].fill_(lrate)
                else:
                    group["lr"] = lrate
            optimizer.zero_grad()
            loss = _batch_loss(model, loss_fn, batch, device)
            value = float(loss.detach().item())  # .item() waits for the device
            losses.append(value)
            if not math.isfinite(value):
                stop_reason = "non-finite loss"
                break
            average = beta * average + (1 - beta) * value
            smoothed = average / (1 - beta ** (i + 1))
            best = min(best, smoothed)
            if smoothed > factor * best:
                stop_reason = "diverged"
                break
            loss.backward()
            optimizer.step()
        else:
            stop_reason = "completed"
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_optimizer)
        with torch.no_grad():
            for p, grad in zip(model.parameters(), saved_grads, strict=True):
                p.grad = grad
        for module, mode in zip(model.modules(), saved_modes, strict=True):
            module.training = mode

    recorded = np.asarray(losses, dtype=np.float64)
    taken = rates[: len(recorded)]
    one_way, two_way = smooth(recorded, beta), smooth_two_way(recorded, beta)
    suggestion = suggest_lrate(taken, two_way) if len(recorded) else None
    return RangeTestResult(taken, recorded, one_way, two_way, suggestion, stop_reason, num_steps)
