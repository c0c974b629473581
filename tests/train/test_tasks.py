"""Losses against torch.nn.functional, targets and metrics of each task."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch.nn import functional

from descentlab.tasks import (
    binary_cross_entropy,
    cross_entropy,
    make_task,
    mean_absolute_error,
    mean_squared_error,
)

values = st.floats(-50, 50, allow_nan=False, width=32)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float32, (6, 1), elements=values), arrays(np.float32, (6, 1), elements=values))
def test_regression_losses_match_torch(out, target):
    o, t = torch.from_numpy(out), torch.from_numpy(target)
    torch.testing.assert_close(mean_squared_error(o, t), functional.mse_loss(o, t))
    torch.testing.assert_close(mean_absolute_error(o, t), functional.l1_loss(o, t))


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (7, 1), elements=st.floats(-80, 80)),
    arrays(np.int64, (7, 1), elements=st.integers(0, 1)),
)
def test_binary_cross_entropy_matches_torch(logits, labels):
    z, y = torch.from_numpy(logits), torch.from_numpy(labels.astype(np.float64))
    torch.testing.assert_close(
        binary_cross_entropy(z, y), functional.binary_cross_entropy_with_logits(z, y)
    )


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (5, 4), elements=st.floats(-80, 80)),
    arrays(np.int64, (5,), elements=st.integers(0, 3)),
)
def test_cross_entropy_matches_torch(logits, labels):
    z, y = torch.from_numpy(logits), torch.from_numpy(labels)
    torch.testing.assert_close(cross_entropy(z, y), functional.cross_entropy(z, y))


def test_gradients_match_torch():
    z = torch.randn(9, 3, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 2, 1, 1, 0, 2, 2, 1, 0])
    (ours,) = torch.autograd.grad(cross_entropy(z, y), z)
    (theirs,) = torch.autograd.grad(functional.cross_entropy(z, y), z)
    torch.testing.assert_close(ours, theirs)


def test_classification_tasks_and_targets():
    binary = make_task("classify", np.array([[3.0], [7.0], [3.0]]))
    assert binary.n_outputs == 1 and binary.classes == (3.0, 7.0)
    assert binary.targets(np.array([[7.0], [3.0]])).tolist() == [[1.0], [0.0]]
    multi = make_task("classify", np.array([[2.0], [0.0], [1.0]]))
    assert multi.n_outputs == 3
    assert multi.targets(np.array([[2.0], [0.0]])).dtype == torch.int64
    assert make_task("regress", np.zeros((4, 1)), loss="mae").loss_name == "mae"


def test_metric_sums():
    task = make_task("classify", np.array([[0.0], [1.0], [2.0]]))
    logits = torch.tensor([[5.0, 0, 0], [0, 5.0, 0], [5.0, 0, 0]])
    sums = task.metric_sums(logits, torch.tensor([0, 1, 2]))
    assert float(sums["accuracy"]) == 2.0
    assert float(sums["loss"]) == pytest.approx(
        3 * float(functional.cross_entropy(logits, torch.tensor([0, 1, 2])))
    )
    binary = make_task("classify", np.array([[0.0], [1.0]]))
    sums = binary.metric_sums(
        torch.tensor([[2.0], [-1.0], [0.5]]), torch.tensor([[1.0], [1.0], [0.0]])
    )
    assert float(sums["accuracy"]) == 1.0
