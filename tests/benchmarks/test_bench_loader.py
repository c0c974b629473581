"""``bench_loader``'s decomposition: the experiment's measurement, side by side per loader."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_loader


def test_each_loader_gets_loading_only_loading_plus_step_and_step_only_and_a_share() -> None:
    X, y = torch.randn(64, 4, generator=torch.Generator().manual_seed(0)), torch.zeros(64, 1)
    cases, ratios = bench_loader.decomposed(X, y, 16, repeat=2)
    assert len(cases) == 3 * 5 and len(ratios) == 5
    assert any(bench_loader.TF_DATA in case.name for case in cases)
    for case in cases:
        assert case.median_s > 0 and case.rate > 0 and case.detail["per"] == "epoch"
        assert len(case.detail["timing"]["samples_s"]) == 2
    for ratio in ratios:
        assert math.isfinite(ratio.value) and ratio.value > 0 and not ratio.higher_is_better
    fast = [r for r in ratios if bench_loader.FAST in r.name]
    assert [r.target for r in fast] == [bench_loader.SHARE_TARGET]
    assert all(r.target == 1.0 for r in ratios if r not in fast)
