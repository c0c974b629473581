"""The shape every benchmark returns, and how ``run_all.py`` prints and stores it.

A benchmark script ``bench_<topic>.py`` defines ``run(quick: bool) -> Benchmark``. It times each
case side by side in the same process (``descentlab.measure.time_repeated``: warm-up, then the
median of several repeats) and states its targets as *ratios* between cases measured in that same
run, never as absolute times, so a slower or busier machine moves both sides together.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from descentlab.measure import Timing, time_repeated

__all__ = [
    "Benchmark",
    "Case",
    "Ratio",
    "import_seconds",
    "import_torch_seconds",
    "time_side_by_side",
]


@dataclass(frozen=True)
class Case:
    """One measured configuration: median seconds per unit of work and a throughput."""

    name: str
    median_s: float
    rate: float
    rate_unit: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ratio:
    """``value`` = numerator case / denominator case (as the ``meaning`` says); ``target`` is the
    bound it must reach: ``value >= target`` when ``higher_is_better``, else ``value <= target``."""

    name: str
    value: float
    target: float
    higher_is_better: bool
    meaning: str

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


@dataclass(frozen=True)
class Benchmark:
    name: str
    setting: str
    cases: list[Case]
    ratios: list[Ratio]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "setting": self.setting,
            "cases": [asdict(case) for case in self.cases],
            "ratios": [asdict(ratio) | {"met": ratio.met} for ratio in self.ratios],
        }


def format_table(benchmarks: list[Benchmark]) -> str:
    """A plain-text table: every case, then every ratio with its target and verdict."""
    lines = []
    for bench in benchmarks:
        lines.append(f"== {bench.name}: {bench.setting}")
        width = max((len(case.name) for case in bench.cases), default=4)
        for case in bench.cases:
            lines.append(
                f"  {case.name:<{width}}  median {case.median_s * 1e3:10.3f} ms"
                f"  {case.rate:14,.0f} {case.rate_unit}"
            )
        for ratio in bench.ratios:
            sign = ">=" if ratio.higher_is_better else "<="
            verdict = "met" if ratio.met else "NOT MET"
            lines.append(
                f"  ratio {ratio.name}: {ratio.value:.2f} (target {sign} {ratio.target:g}) "
                f"{verdict} — {ratio.meaning}"
            )
    return "\n".join(lines)


def time_side_by_side(
    calls: dict[str, Callable[[], Any]], *, repeat: int, warmup: int = 1
) -> dict[str, Timing]:
    """Time several calls in alternating rounds (one timed call of each per round, after
    ``warmup`` untimed calls of each), so that a change in the machine's load during the run
    reaches every case alike instead of only the ones timed while it lasted."""
    for fn in calls.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, fn in calls.items():
            samples[name].extend(time_repeated(fn, repeat=1, warmup=0).samples)
    return {name: Timing(tuple(values)) for name, values in samples.items()}


_IMPORT = (
    "import time; start = time.perf_counter(); import {module}; print(time.perf_counter() - start)"
)


def import_torch_seconds(repeat: int, *, env: dict[str, str] | None = None) -> list[float]:
    """``import torch`` in a fresh interpreter, measured inside it (interpreter start left out),
    ``repeat`` times after one untimed warm-up (which brings the files into the page cache, as on
    a machine that works all day): the cost any fresh process that uses torch cannot avoid."""
    return import_seconds("torch", repeat, env=env)


def import_seconds(module: str, repeat: int, *, env: dict[str, str] | None = None) -> list[float]:
    """``import module`` in a fresh interpreter, measured as :func:`import_torch_seconds` says."""
    samples = []
    for index in range(repeat + 1):
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT.format(module=module)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=True,
        )
        if index:
            samples.append(float(done.stdout.strip().splitlines()[-1]))
    return samples
