"""The measurement primitives measure: allocations show up, timings count the call only."""

from __future__ import annotations

import time

import numpy as np
import pytest

from descentlab.measure import PeakMemory, Timing, current_rss_bytes, time_call, time_repeated


def test_traced_peak_sees_a_numpy_array_that_is_freed_again() -> None:
    with PeakMemory() as probe:
        block = np.ones(4_000_000)  # 32 MB, freed before the block ends
        del block
    peak = probe.result
    assert 32_000_000 <= peak.traced_peak < 40_000_000


def test_rss_peak_sees_memory_touched_inside_the_block() -> None:
    with PeakMemory(trace=False) as probe:
        block = np.ones(25_000_000)  # 200 MB touched
        # the sampling thread must run while the block is held: on a loaded machine it may wait
        # longer than any fixed sleep, so poll for its sample (NOTE [hang guard])
        deadline = time.monotonic() + 60
        while probe._peak < probe._before + 150_000_000 and time.monotonic() < deadline:
            time.sleep(0.001)
        del block
    peak = probe.result
    assert peak.traced_peak is None
    assert peak.rss_increase >= 150_000_000
    assert peak.rss_peak >= peak.rss_before


def test_nested_tracing_reports_only_the_inner_block() -> None:
    outer_data = np.ones(2_000_000)
    with PeakMemory() as outer:
        kept = np.ones(2_000_000)  # 16 MB held through the inner block
        with PeakMemory() as inner:
            np.ones(500_000)  # 4 MB
        del kept
    assert 4_000_000 <= inner.result.traced_peak < 6_000_000
    assert outer.result.traced_peak >= 16_000_000
    del outer_data


def test_result_before_exit_is_an_error() -> None:
    probe = PeakMemory()
    with pytest.raises(RuntimeError, match="after the with-block"):
        _ = probe.result


def test_current_rss_is_positive() -> None:
    assert current_rss_bytes() > 1_000_000


def test_time_repeated_counts_warmup_separately_and_calls_number_times() -> None:
    calls = []
    timing = time_repeated(lambda: calls.append(1), repeat=3, warmup=2, number=4)
    assert len(calls) == 2 + 3 * 4
    assert len(timing.samples) == 3
    assert timing.best <= timing.median


def test_time_call_returns_the_result_and_a_duration() -> None:
    result, seconds = time_call(lambda: sum(range(1000)))
    assert result == 499500
    assert seconds >= 0


def test_timing_summaries() -> None:
    timing = Timing((3.0, 1.0, 2.0))
    assert timing.median == 2.0
    assert timing.spread == 2.0
    assert timing.rate(10) == 5.0
    assert timing.as_dict()["samples_s"] == [3.0, 1.0, 2.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"repeat": 0}, "repeat must be a positive integer, got 0"),
        ({"number": -1}, "number must be a positive integer, got -1"),
        ({"warmup": -1}, "warmup must be a non-negative integer, got -1"),
        ({"warmup": True}, "warmup must be a non-negative integer, got True"),
    ],
)
def test_bad_timing_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        time_repeated(lambda: None, **kwargs)


def test_bad_interval() -> None:
    with pytest.raises(ValueError, match="interval must be"):
        PeakMemory(interval=0)


def test_empty_timing_is_refused() -> None:
    with pytest.raises(ValueError, match=r"samples must hold at least one time, got \(\)"):
        Timing(())
