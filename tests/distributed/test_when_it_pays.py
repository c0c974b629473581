"""The devices experiment's judgement of data-parallel training (NOTE [when data parallel
pays]): the lab's small linear problems never pay, a large enough step does."""

from __future__ import annotations

import pytest

from descentlab.experiments.devices import data_parallel_verdict
from descentlab.validation import InputError


def test_small_steps_do_not_pay_and_large_ones_do():
    small = data_parallel_verdict(100, 50)
    assert small["pays_off"] is False and "only slows it down" in small["reason"]
    assert small["rank_compute_s_per_step"] == pytest.approx(6 * 100 * 50 / 2 / 2e10)
    large = data_parallel_verdict(4096, 100_000)
    assert large["pays_off"] is True and "worth splitting" in large["reason"]
    with pytest.raises(InputError, match="world_size must be"):
        data_parallel_verdict(100, 50, world_size=1)
