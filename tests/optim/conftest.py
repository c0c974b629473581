from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture
def float64_default() -> Iterator[None]:
    """torch keeps scalar state (``step``, NAdam's ``mu_product``) in the default dtype; make it
    float64 so the oracle computes in the same precision as the NumPy implementation."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)
