"""Checkpoints: written atomically, read back exactly.

NOTE [atomic checkpoint]: a checkpoint is written like every other file descentlab writes
(NOTE [atomic files] in ``descentlab.atomic_files``): to a temporary file in the target's folder,
flushed and ``fsync``-ed, then moved over the old one with ``os.replace`` and the folder synced.
A crash at any point leaves either the old checkpoint or the new one, never a torn file.

A checkpoint is a dict of tensors and plain values (loaded with ``weights_only=True``): the
model, optimizer and scheduler ``state_dict``s, every random state (torch, CUDA, NumPy's and
Python's global generators, the loader's generator), the step and epoch counters, the metric
history, the early-stopping state and the resolved config.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from descentlab.validation import InputValueError

__all__ = [
    "capture_rng",
    "check_checkpoint_path",
    "check_same_config",
    "load_checkpoint",
    "restore_rng",
    "save_checkpoint",
]


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``path`` atomically (NOTE [atomic checkpoint]); returns the path."""
    from descentlab.atomic_files import write_file

    return write_file(path, lambda stream: torch.save(payload, stream), name="checkpoint")


# What every checkpoint written by ``fit`` holds, and the kind of each value.
REQUIRED_KEYS: dict[str, type | tuple[type, ...]] = {
    "format": int,
    "config": (dict, type(None)),
    "finished": bool,
    "model": dict,
    "optimizer": dict,
    "scheduler": (dict, type(None)),
    "rng": dict,
    "history": dict,
    "state": dict,
}


def _not_a_checkpoint(path: Path, why: str) -> InputValueError:
    return InputValueError(f"checkpoint {path} is not a descentlab checkpoint ({why})")


def check_checkpoint_path(path: str | Path) -> Path:
    """Refuse a checkpoint path that could never be written: a folder or another non-file.

    Called before a run starts, so the mistake costs no training (the write comes after the
    first epoch).
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        raise InputValueError(f"checkpoint must be a file, got {str(path)!r} ({kind})")
    return path


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """The payload of a checkpoint written by :func:`save_checkpoint`.

    NOTE [untrusted checkpoint]: the file may come from anyone, so it is read with
    ``weights_only=True`` only (tensors and plain values, never arbitrary pickled objects), and
    torch's own error text is not shown: for such a file it advises retrying with
    ``weights_only=False``, which would run whatever code the file carries.
    """
    path = Path(path)
    if not path.is_file():
        raise InputValueError(f"checkpoint must be an existing file, got {str(path)!r} (not found)")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a damaged or foreign file
        reason = f"unreadable as a weights-only PyTorch file: {type(error).__name__}"
        raise _not_a_checkpoint(path, reason) from None
    if not isinstance(payload, dict):
        raise _not_a_checkpoint(path, f"it holds a {type(payload).__name__}, not a dict")
    for key, kind in REQUIRED_KEYS.items():
        if key not in payload:
            raise _not_a_checkpoint(path, f"missing {key!r}")
        if not isinstance(payload[key], kind) or (kind is int and isinstance(payload[key], bool)):
            raise _not_a_checkpoint(path, f"{key!r} is a {type(payload[key]).__name__}")
    if payload["format"] != 1:
        raise _not_a_checkpoint(path, f"format {payload['format']}, expected 1")
    return payload


def capture_rng(loader_generator: torch.Generator | None) -> dict[str, Any]:
    """Every random state a run can touch, as tensors and plain values."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state(legacy=True)
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": (kind, torch.from_numpy(keys.astype(np.int64)), pos, has_gauss, gauss),
        "python": random.getstate(),
        "loader": None if loader_generator is None else loader_generator.get_state(),
    }


def restore_rng(states: dict[str, Any], loader_generator: torch.Generator | None) -> None:
    """Put back the random states of :func:`capture_rng`."""
    torch.set_rng_state(states["torch"])
    if states["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])
    kind, keys, pos, has_gauss, gauss = states["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    version, internal, gauss_next = states["python"]
    random.setstate((version, tuple(internal), gauss_next))
    if loader_generator is not None and states["loader"] is not None:
        loader_generator.set_state(states["loader"])


def check_same_config(saved: dict[str, Any], current: dict[str, Any]) -> None:
    """Refuse to resume a checkpoint under another config, naming the first field that differs."""
    if saved != current:
        raise InputValueError(
            f"resume config must equal the checkpoint's, got {_first_difference(saved, current)} "
            "(resume with the same arguments, or start a new run in another folder)"
        )


def _first_difference(saved: Any, current: Any, prefix: str = "") -> str:
    if isinstance(saved, dict) and isinstance(current, dict):
        for key in sorted(set(saved) | set(current)):
            if saved.get(key) != current.get(key):
                return _first_difference(saved.get(key), current.get(key), f"{prefix}{key}.")
    return f"{prefix.rstrip('.')}={current!r} (checkpoint has {saved!r})"
