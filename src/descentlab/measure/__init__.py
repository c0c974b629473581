"""Honest measurement: median wall time with warm-up and device synchronisation, and peak memory
read from the process (RSS sampled by a thread, Python allocations by ``tracemalloc``), never
computed from a formula."""

from __future__ import annotations

from descentlab.measure.memory import MemoryPeak, PeakMemory, current_rss_bytes
from descentlab.measure.timing import Timing, synchronize, time_call, time_repeated

__all__ = [
    "MemoryPeak",
    "PeakMemory",
    "Timing",
    "current_rss_bytes",
    "synchronize",
    "time_call",
    "time_repeated",
]
