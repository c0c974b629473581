"""The device a run trains on: ``auto`` (CUDA when available, else CPU), ``cpu`` or ``cuda``."""

from __future__ import annotations

import torch

from descentlab.validation import InputValueError, check_choice

__all__ = ["DEVICES", "resolve_device"]

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(name: str) -> torch.device:
    """``torch.device`` for ``name``; ``cuda`` on a machine without CUDA is refused."""
    check_choice("device", name, DEVICES)
    available = torch.cuda.is_available()
    if name == "cuda" and not available:
        raise InputValueError(
            "device must be 'cpu' or 'auto' on this machine (torch sees no CUDA device), got 'cuda'"
        )
    if name == "auto":
        return torch.device("cuda" if available else "cpu")
    return torch.device(name)
