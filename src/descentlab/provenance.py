"""What a stored run records about where it ran: library versions and the device."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

__all__ = ["device_description", "library_versions"]

_LIBRARIES = (
    "descentlab", "numpy", "torch", "scikit-learn", "matplotlib", "pyarrow", "numba",
    "tensorflow-cpu", "keras",
)  # fmt: skip


def library_versions() -> dict[str, str]:
    """Python, the platform and the installed versions of the libraries a run can touch."""
    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def device_description(device: str = "cpu") -> str:
    """``cpu (<processor>)`` or ``cuda:N (<GPU name>)`` for a torch device string."""
    if device.startswith("cuda"):
        import torch

        index = torch.device(device).index or 0
        return f"{device} ({torch.cuda.get_device_name(index)})"
    return f"cpu ({platform.machine()}, {platform.processor() or 'unknown processor'})"
