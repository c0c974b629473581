"""N ranks reach the parameters one process reaches (NOTE [data parallel]), within the float32
rounding of the reordered sums; the linear model and the MLP, SGD and Adam, 2 and 3 processes.

Tolerance, derived: one step's gradient is the mean of the global batch's B sample gradients;
N ranks compute it as the mean of N shard means, another order of the same B-term sum, so the
two gradients differ by at most about B·u·max|g| (u = 2⁻²⁴, float32's unit roundoff). Starting
from identical parameters, both runs then take T steps whose differences add up (lr ≤ 0.05 on
well-conditioned problems: no amplification over 27 steps, as the observed gaps of 0-2 ulp
show), so |Δθ| ≤ T·B·u·max(1, max|θ|) — about 3·10⁻⁵ here, while a wrong shard, a wrong
weight of the partial batch or a sample counted twice moves the parameters by 10⁻³ or more.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from tests.distributed.problems import BATCH, CASES, EPOCHS, SAMPLES, train

HERE = Path(__file__).parent
UNIT_ROUNDOFF = 2.0**-24
STEPS = EPOCHS * -(-SAMPLES // BATCH)


def run_ranks(nproc: int, out: Path) -> dict[str, dict[str, torch.Tensor]]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
        str(nproc), str(HERE / "equivalence_worker.py"), str(out),
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"torchrun ended with {done.returncode}:\n{done.stderr[-6000:]}")
    return torch.load(out, weights_only=True)


@pytest.mark.slow
@pytest.mark.parametrize("nproc", [2, 3])
def test_ranks_reach_the_single_process_parameters(nproc, tmp_path):
    parallel = run_ranks(nproc, tmp_path / "params.pt")
    for case in CASES:
        alone = train(case)
        got = parallel["/".join(case)]
        assert set(got) == set(alone)
        scale = max(1.0, *(float(v.abs().max()) for v in alone.values()))
        tolerance = STEPS * BATCH * UNIT_ROUNDOFF * scale
        for name, value in alone.items():
            gap = float((got[name] - value).abs().max())
            assert gap <= tolerance, (case, name, gap, tolerance)
            assert not torch.equal(value, torch.zeros_like(value))  # it trained


def test_the_tolerance_would_catch_a_changed_batch():
    """The bound is tight enough to fail: a run with another batch order lands far outside."""
    case = CASES[0]
    alone = train(case)
    other = train(case, order_seed=6)
    scale = max(1.0, *(float(v.abs().max()) for v in alone.values()))
    gaps = [float((other[k] - alone[k]).abs().max()) for k in alone]
    assert max(gaps) > 100 * STEPS * BATCH * UNIT_ROUNDOFF * scale
