"""``harness.time_side_by_side``: every call warmed up, then timed once per round, in turn."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

from harness import time_side_by_side  # noqa: E402


def test_rounds_alternate_between_calls() -> None:
    order: list[str] = []
    calls = {"a": lambda: order.append("a"), "b": lambda: order.append("b")}
    timings = time_side_by_side(calls, repeat=3, warmup=2)
    assert order == ["a", "a", "b", "b"] + ["a", "b"] * 3
    assert set(timings) == {"a", "b"}
    assert all(len(t.samples) == 3 and t.median >= 0 for t in timings.values())
