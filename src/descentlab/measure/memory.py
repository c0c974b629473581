"""Peak memory of a block of code, measured two ways:

* resident set size (RSS) of the whole process, sampled by a background thread every
  ``interval`` seconds (``/proc/self/statm`` on Linux; ``resource.getrusage`` elsewhere, where
  only the lifetime peak is available). It sees every allocator — NumPy, torch, pyarrow — but a
  spike shorter than the interval can be missed, and memory freed back to a pool still counts.
* ``tracemalloc``: the exact peak of memory allocated through Python's allocators while the block
  ran (NumPy arrays are traced; torch's CPU allocator is not). It slows allocation-heavy code, so
  time and trace in separate passes.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import tracemalloc
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from descentlab.validation import check_positive_float

__all__ = ["MemoryPeak", "PeakMemory", "current_rss_bytes"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss_bytes() -> int:
    """The process's resident set size now, in bytes."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


@dataclass(frozen=True)
class MemoryPeak:
    """What a :class:`PeakMemory` block measured, in bytes."""

    rss_before: int
    rss_peak: int
    traced_peak: int | None
    """Peak of Python-traced allocations above what was traced when the block started."""

    @property
    def rss_increase(self) -> int:
        """Peak RSS during the block above the RSS when it started (never negative)."""
        return max(0, self.rss_peak - self.rss_before)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rss_before_bytes": self.rss_before,
            "rss_peak_bytes": self.rss_peak,
            "rss_increase_bytes": self.rss_increase,
            "traced_peak_bytes": self.traced_peak,
        }


class PeakMemory:
    """``with PeakMemory() as probe: ...`` then ``probe.result`` is a :class:`MemoryPeak`.

    ``trace=True`` also runs ``tracemalloc`` for the block (stopping it afterwards unless it was
    already tracing, in which case only its peak is reset)."""

    def __init__(self, *, interval: float = 0.001, trace: bool = True) -> None:
        check_positive_float("interval", interval)
        self._interval = interval
        self._trace = trace
        self._stop = threading.Event()
        self._peak = 0
        self._thread: threading.Thread | None = None
        self._started_tracing = False
        self._result: MemoryPeak | None = None
        self._before = 0
        self._traced_before = 0

    @property
    def result(self) -> MemoryPeak:
        if self._result is None:
            raise RuntimeError("PeakMemory.result is available after the with-block ends")
        return self._result

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self._peak = max(self._peak, current_rss_bytes())

    def __enter__(self) -> PeakMemory:
        if self._trace:
            if tracemalloc.is_tracing():
                tracemalloc.reset_peak()
            else:
                tracemalloc.start()
                self._started_tracing = True
            self._traced_before = tracemalloc.get_traced_memory()[0]
        self._before = current_rss_bytes()
        self._peak = self._before
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._peak = max(self._peak, current_rss_bytes())
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        traced = None
        if self._trace:
            traced = max(0, tracemalloc.get_traced_memory()[1] - self._traced_before)
            if self._started_tracing:
                tracemalloc.stop()
        self._result = MemoryPeak(self._before, self._peak, traced)
