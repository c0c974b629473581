"""The options every loader kind shares, checked once, and how a gathered batch reaches the caller.

NOTE [worker seeds]: the DataLoader kinds pass ``DataLoader`` its own generator, seeded from the
permutation seed through ``numpy.random.SeedSequence([seed, 2])``. ``DataLoader`` draws each
epoch's base seed from it and seeds worker ``k`` (torch, ``random`` and NumPy's global state) with
``base + k``, so every worker gets a distinct, reproducible seed, and the permutation stream (NOTE
[epoch permutation]) is never touched by the worker count. Batches are cut in the main process
and a batch's contents depend only on its indices, so results do not depend on ``num_workers``
(unless a ``collate_fn`` draws random numbers, which then differ per worker seed).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_bool,
    check_int,
    check_positive_int,
    check_seed,
    describe,
)

__all__ = ["Delivery", "LoaderOptions", "resolve_device", "resolve_options"]


@dataclass(frozen=True)
class LoaderOptions:
    """The checked options of one loader."""

    batch_size: int
    shuffle: bool
    drop_last: bool
    generator: torch.Generator
    """Draws every epoch's permutation (NOTE [epoch permutation])."""
    worker_seed: int
    """Seeds ``DataLoader``'s own generator (NOTE [worker seeds])."""
    num_workers: int
    pin_memory: bool
    """True only when CUDA is available and the data is on the CPU."""
    collate_fn: Callable[[list], Any] | None
    device: torch.device | None


def resolve_device(device: Any) -> torch.device | None:
    """``None`` (batches stay where the data is), or an available torch device."""
    if device is None:
        return None
    if not isinstance(device, str | torch.device):
        raise InputTypeError(
            f"device must be None, a string or a torch.device, got {describe(device)}"
        )
    try:
        resolved = torch.device(device)
    except RuntimeError:
        raise InputValueError(
            f"device must be a torch device name such as 'cpu' or 'cuda', got {device!r}"
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise InputValueError(f"device must be available on this machine, got {device!r} (no CUDA)")
    return resolved


def _generator(seed: Any, generator: Any) -> torch.Generator:
    if generator is not None:
        if seed is not None:
            raise InputValueError(
                "seed must be None when a generator is given (one source of randomness), "
                f"got {seed!r}"
            )
        if not isinstance(generator, torch.Generator):
            raise InputTypeError(
                f"generator must be a torch.Generator or None, got {describe(generator)}"
            )
        if generator.device.type != "cpu":
            raise InputValueError(
                f"generator must be a CPU torch.Generator, got one on {generator.device}"
            )
        return generator
    seed = 0 if seed is None else check_seed("seed", seed)
    return torch.Generator().manual_seed(seed)


def resolve_options(
    *,
    batch_size: Any,
    shuffle: Any,
    drop_last: Any,
    seed: Any,
    generator: Any,
    num_workers: Any,
    pin_memory: Any,
    collate_fn: Any,
    device: Any,
    data_device: torch.device,
) -> LoaderOptions:
    """Check every shared option; ``data_device`` is where the samples live."""
    batch_size = check_positive_int("batch_size", batch_size)
    shuffle = check_bool("shuffle", shuffle)
    drop_last = check_bool("drop_last", drop_last)
    permutations = _generator(seed, generator)
    num_workers = check_int("num_workers", num_workers, minimum=0)
    pin_memory = check_bool("pin_memory", pin_memory)
    if collate_fn is not None and not callable(collate_fn):
        raise InputTypeError(f"collate_fn must be callable or None, got {describe(collate_fn)}")
    target = resolve_device(device)
    if pin_memory and data_device.type != "cpu":
        raise InputValueError(
            f"pin_memory must be False for data already on {data_device} (only CPU tensors can "
            "be pinned; they are pinned to speed up their copy to the GPU), got True"
        )
    if pin_memory and not torch.cuda.is_available():
        warnings.warn(
            "pin_memory=True has no effect without CUDA: batches are not pinned",
            RuntimeWarning,
            stacklevel=3,
        )
        pin_memory = False
    state = np.random.SeedSequence([permutations.initial_seed(), 2]).generate_state(1, np.uint64)
    return LoaderOptions(
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        generator=permutations,
        worker_seed=int(state[0]) >> 1,
        num_workers=num_workers,
        pin_memory=pin_memory,
        collate_fn=collate_fn,
        device=target,
    )


class Delivery:
    """The last step of every loader: apply ``collate_fn`` to a gathered batch (as the list of
    ``(x_i, y_i)`` samples ``DataLoader`` would give it), pin it, and move it to ``device``."""

    def __init__(self, options: LoaderOptions, *, pin: bool | None = None) -> None:
        self.collate_fn = options.collate_fn
        self.pin = options.pin_memory if pin is None else pin
        self.non_blocking = options.pin_memory
        self.device = options.device

    @property
    def moves(self) -> bool:
        """Whether :meth:`move` does anything (pinning or a device copy)."""
        return self.pin or self.device is not None

    def move(self, batch: Any) -> Any:
        """Pin and move every tensor in ``batch`` (tensors, tuples, lists and dicts of them)."""
        if not self.moves:
            return batch
        if isinstance(batch, torch.Tensor):
            if self.pin and batch.device.type == "cpu":
                batch = batch.pin_memory()
            if self.device is not None:
                batch = batch.to(self.device, non_blocking=self.non_blocking)
            return batch
        if isinstance(batch, tuple | list):
            return type(batch)(self.move(item) for item in batch)
        if isinstance(batch, Mapping):
            return {key: self.move(value) for key, value in batch.items()}
        return batch

    def batch(self, xb: torch.Tensor, yb: torch.Tensor) -> Any:
        """One gathered batch, collated (when a ``collate_fn`` is set) and moved."""
        if self.collate_fn is None:
            return self.move((xb, yb))
        return self.move(self.collate_fn(list(zip(xb.unbind(0), yb.unbind(0), strict=True))))
