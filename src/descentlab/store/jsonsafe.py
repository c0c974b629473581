"""JSON for stored and printed results: NumPy values become plain ones, non-finite become null.

NOTE [non-finite in JSON]: ``json.dumps`` would write ``NaN`` and ``Infinity``, which strict JSON
readers refuse. A diverged run's infinite loss is stored as ``null``; its status says it diverged.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """``value`` with arrays, NumPy scalars, tuples and non-finite floats made JSON-safe."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(plain(value), allow_nan=False, **kwargs)
