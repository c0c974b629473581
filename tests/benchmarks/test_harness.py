"""The benchmark harness: ratios judged against their targets, the runner's folder rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

from harness import Benchmark, Case, Ratio, format_table  # noqa: E402


@pytest.mark.parametrize(
    ("value", "target", "higher", "met"),
    [
        (20.0, 20.0, True, True),
        (19.9, 20.0, True, False),
        (0.1, 0.1, False, True),
        (0.11, 0.1, False, False),
    ],
)
def test_ratio_met(value: float, target: float, higher: bool, met: bool) -> None:
    assert Ratio("r", value, target, higher, "x").met is met


def test_table_and_json_shape() -> None:
    bench = Benchmark(
        "demo",
        "tiny",
        [Case("a", 0.002, 500.0, "batches/s")],
        [Ratio("a/b", 3.0, 2.0, True, "a over b")],
    )
    table = format_table([bench])
    assert "median      2.000 ms" in table and "met" in table
    assert bench.as_dict()["ratios"][0]["met"] is True


def test_runner_refuses_unknown_benchmark_and_foreign_folder(tmp_path: Path) -> None:
    run_all = [sys.executable, str(BENCH / "run_all.py")]
    unknown = subprocess.run(
        [*run_all, "no-such", "--out", str(tmp_path / "o")], capture_output=True, text=True
    )
    assert unknown.returncode != 0 and "benchmark must be one of" in unknown.stderr
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    refused = subprocess.run([*run_all, "--out", str(foreign)], capture_output=True, text=True)
    assert refused.returncode != 0
    assert (foreign / "notes.txt").read_text() == "keep me"
