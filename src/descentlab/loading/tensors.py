"""In-memory data as a loader receives it: two tensors (or NumPy arrays) with one sample per row."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_same_rows,
    describe,
    is_tensor,
)

__all__ = ["as_sample_tensors"]


def _as_tensor(name: str, value: Any) -> torch.Tensor:
    if is_tensor(value):
        tensor = value
    elif isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise InputTypeError(f"{name} must hold numbers, got {describe(value)}")
        tensor = torch.from_numpy(np.ascontiguousarray(value))
    else:
        raise InputTypeError(
            f"{name} must be a torch tensor or a NumPy array, got {describe(value)}"
        )
    if tensor.ndim == 0 or tensor.shape[0] == 0:
        raise InputValueError(
            f"{name} must hold at least one sample along its first axis, got shape "
            f"{tuple(tensor.shape)}"
        )
    return tensor


def as_sample_tensors(X: Any, y: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """``X`` and ``y`` as tensors on one device with the same number of samples (rows).

    C-contiguous NumPy arrays are shared, not copied (``torch.from_numpy``) and tensors are used
    as they are, so a loader does not copy the data set. Batches have the dtype of the data.
    """
    X, y = _as_tensor("X", X), _as_tensor("y", y)
    check_same_rows("X", X.shape[0], "y", y.shape[0])
    if X.device != y.device:
        raise InputValueError(f"y must be on the same device as X ({X.device}), got {y.device}")
    return X, y
