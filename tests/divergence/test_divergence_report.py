"""The divergence record and the one line of a run (NOTE [divergence report]), in process."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from descentlab.divergence import (
    Divergence,
    divergence_line,
    full_batch_divergence,
    minibatch_divergence,
)
from descentlab.experiments.base import Outcome, trial_record
from descentlab.experiments.runner import run_experiment


def test_one_trial_reads_as_one_sentence():
    line = divergence_line([Divergence(2, 14, 50.0, math.inf)])
    assert line == "diverged at epoch 2, step 14 with lrate 50 (loss inf)"


def test_several_trials_are_summarised_in_one_line():
    line = divergence_line(
        [None, Divergence(2, 2, 1.0), None, Divergence(1, 1, 10.0, math.nan), None]
    )
    assert line == "2 of 5 trials diverged: lrate 1 at epoch 2 step 2; lrate 10 at epoch 1 step 1"
    named = divergence_line([Divergence(3, 30, 0.5, name="numpy"), None])
    assert named == "1 of 2 trials diverged: numpy at epoch 3 step 30 with lrate 0.5"
    assert divergence_line([None, None]) is None


@given(
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=30),
    st.sampled_from([math.inf, -math.inf, math.nan]),
    st.integers(1, 5),
)
def test_full_batch_divergence_points_at_the_first_non_finite_loss(losses, bad, per_epoch):
    k = len(losses)
    found = full_batch_divergence([*losses, bad, 1.0], 0.1, updates_per_epoch=per_epoch)
    assert (found.epoch, found.step) == (k, k * per_epoch)
    assert full_batch_divergence(losses, 0.1) is None


@given(st.integers(1, 6), st.integers(1, 8), st.integers(0, 7), st.booleans())
def test_minibatch_divergence_counts_epochs_and_steps(epochs_done, per_epoch, into, by_batch):
    """``epochs_done`` full epochs, then either a non-finite batch loss ``into + 1`` updates into
    the next epoch or a non-finite full-data loss at the end of the last full epoch."""
    into = into % per_epoch
    batch = [1.0] * (epochs_done * per_epoch)
    epoch_losses = [1.0] * (epochs_done + 1)
    if by_batch:
        batch += [1.0] * into + [math.inf]
        expected = (epochs_done + 1, epochs_done * per_epoch + into + 1)
    else:
        epoch_losses[-1] = math.nan
        expected = (epochs_done, epochs_done * per_epoch)
    found = minibatch_divergence(batch, epoch_losses, 0.3)
    assert (found.epoch, found.step) == expected


def test_the_record_survives_the_store_as_json():
    record = Divergence(4, 40, 2.5, math.inf, name="adam", reason=None)
    assert Divergence.from_json(record.as_json()) == record


def test_an_outcome_prints_at_most_one_line():
    metrics = {"loss": np.array([1.0, np.inf])}
    trials = [
        trial_record(f"t{i}", {}, metrics, {}, Divergence(1, i, 1.0) if i % 2 else None)
        for i in range(4)
    ]
    outcome = Outcome({}, trials)
    assert outcome.status == "finished"
    assert outcome.messages() == ["2 of 4 trials diverged: lrate 1 at epoch 1 step 1; "
                                  "lrate 1 at epoch 1 step 3"]  # fmt: skip
    assert Outcome({}, [trials[1]]).status == "diverged"


@pytest.mark.slow
def test_devices_names_epoch_and_rate(tmp_path):
    """main: devices diverged without naming the epoch or the rate."""
    overrides = {"lrate": "1e30", "n_samples": "40", "n_features": "2", "batch_size": "10",
                 "devices": "cpu", "repeat": "1", "warmup": "0", "epochs": "2"}  # fmt: skip
    report = run_experiment("devices", out=tmp_path, overrides=overrides)
    assert report.status == "diverged"
    (line,) = report.messages
    assert line.startswith("diverged at epoch 1, step 4 with lrate 1e+30 (loss ")


@pytest.mark.slow
def test_a_range_test_that_reaches_inf_draws_without_warnings(tmp_path):
    report = run_experiment(
        "lr-find", out=tmp_path, overrides={"max_lr": "1e300", "num_steps": "200"}
    )
    assert report.results["stop_reason"] in ("diverged", "non-finite loss")
    assert len(report.figures) == 1
