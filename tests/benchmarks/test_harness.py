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


HANG_GUARD_S = 3600
"""NOTE [hang guard] (tests/conftest.py): the smoke sizes take some 25 CPU-seconds, imports and
sandbox starts mostly; the quick sizes with a 300 s limit timed out under load."""


@pytest.mark.slow
def test_every_benchmark_runs_at_the_smallest_sizes(tmp_path: Path) -> None:
    """The scripts behind `make bench` keep working: each reports measured cases and its target
    ratios, and the runner writes them to results.json. Whether a target is met depends on the
    machine and its load, so it is printed, not asserted; so is every time."""
    import json
    import math

    out = tmp_path / "bench"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--smoke", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads((out / "results.json").read_text())
    assert payload["smoke"] is True and payload["quick"] is True and payload["failed"] == {}
    names = {bench["name"] for bench in payload["benchmarks"]}
    assert names == {path.stem.removeprefix("bench_") for path in BENCH.glob("bench_*.py")}
    assert names >= {"loader", "trainer", "linear", "gradient"}
    for bench in payload["benchmarks"]:
        assert bench["cases"] and bench["ratios"], bench["name"]
        for case in bench["cases"]:
            assert case["median_s"] > 0 and math.isfinite(case["rate"]) and case["rate"] > 0
        for ratio in bench["ratios"]:
            assert math.isfinite(ratio["value"]) and ratio["value"] > 0
            assert isinstance(ratio["met"], bool)
            assert ratio["name"] in done.stdout
    loader = next(bench for bench in payload["benchmarks"] if bench["name"] == "loader")
    parts = {case["name"].rpartition(": ")[2] for case in loader["cases"] if ": " in case["name"]}
    assert parts == {"loading only", "loading + step", "step over pre-made batches"}
    shares = [r["name"] for r in loader["ratios"] if r["name"].startswith("loader share: ")]
    kinds = {name.removeprefix("loader share: ").rpartition(" @ batch ")[0] for name in shares}
    # one share per loader kind and batch size (2 sizes); tf.data is one of the kinds
    assert len(kinds) == 5 and any("tf.data" in kind for kind in kinds), kinds
    assert len(shares) == 2 * len(kinds)


def test_a_benchmark_that_raises_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import json

    import run_all

    broken = tmp_path / "bench_broken.py"
    broken.write_text("def run(quick):\n    raise RuntimeError('no sandbox here')\n")
    fine = tmp_path / "bench_fine.py"
    fine.write_text(
        "from harness import Benchmark, Case, Ratio\n\n\n"
        "def run(quick):\n"
        "    case = Case('a', 0.5, 2.0, 'calls/s')\n"
        "    return Benchmark('fine', 'tiny', [case], [Ratio('a/a', 1.0, 1.0, False, 'x')])\n"
    )
    monkeypatch.setattr(run_all, "discover", lambda names: [broken, fine])
    assert run_all.main(["--quick", "--out", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "== broken: FAILED: RuntimeError: no sandbox here" in captured.err
    assert "== fine: tiny" in captured.out
    payload = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [bench["name"] for bench in payload["benchmarks"]] == ["fine"]
    assert payload["failed"] == {"broken": "RuntimeError: no sandbox here"}
