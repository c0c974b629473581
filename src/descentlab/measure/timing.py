"""Wall-clock timing that excludes set-up: ``perf_counter`` around the call only, after a warm-up,
with CUDA work synchronised on both sides so queued kernels are counted where they ran."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from descentlab.validation import InputValueError, check_positive_int

__all__ = ["Timing", "synchronize", "time_call", "time_repeated"]

T = TypeVar("T")


def synchronize(device: Any = None) -> None:
    """Wait for queued work on ``device`` (a torch device or its name) when it is a CUDA device;
    a no-op for the CPU and for ``None``."""
    if device is None:
        return
    name = str(device)
    if name.startswith("cuda"):
        import torch

        torch.cuda.synchronize(torch.device(name))


@dataclass(frozen=True)
class Timing:
    """Seconds per call for each repeat; report the median, which one slow repeat cannot move."""

    samples: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.samples:
            raise InputValueError("samples must hold at least one time, got ()")

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)

    @property
    def spread(self) -> float:
        """Largest minus smallest sample, in seconds."""
        return max(self.samples) - min(self.samples)

    def rate(self, items: float) -> float:
        """Items per second at the median time (``items`` done by one call)."""
        return items / self.median

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_s": self.median,
            "best_s": self.best,
            "spread_s": self.spread,
            "samples_s": list(self.samples),
        }


def time_call(fn: Callable[[], T], *, device: Any = None) -> tuple[T, float]:
    """Run ``fn()`` once and return its result and the seconds it took (synchronised)."""
    synchronize(device)
    start = time.perf_counter()
    result = fn()
    synchronize(device)
    return result, time.perf_counter() - start


def time_repeated(
    fn: Callable[[], Any],
    *,
    repeat: int = 5,
    warmup: int = 1,
    number: int = 1,
    device: Any = None,
) -> Timing:
    """Time ``fn`` ``repeat`` times after ``warmup`` untimed calls. Each sample is the mean over
    ``number`` back-to-back calls (use it for calls too short to time one by one)."""
    check_positive_int("repeat", repeat)
    check_positive_int("number", number)
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise InputValueError(f"warmup must be a non-negative integer, got {warmup!r}")
    for _ in range(warmup):
        fn()
    synchronize(device)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        synchronize(device)
        samples.append((time.perf_counter() - start) / number)
    return Timing(tuple(samples))
