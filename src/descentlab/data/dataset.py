"""The in-memory data set every experiment receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from descentlab.validation import InputValueError


@dataclass(frozen=True)
class Dataset:
    """Features ``X`` (m, n) and targets ``y`` (m, 1), float64, with where they came from.

    ``source`` is a description that reproduces the data (a generator call or a file path) and
    ``sha256`` fingerprints a user file so a stored run says exactly which bytes it saw.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_name: str
    source: str
    sha256: str | None = None
    scaling: dict[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    def describe(self) -> dict[str, Any]:
        """JSON-ready provenance for a stored config."""
        return {
            "source": self.source,
            "sha256": self.sha256,
            "n_samples": self.n_samples,
            "n_features": self.n_features,
            "feature_names": list(self.feature_names),
            "target_name": self.target_name,
            "standardized_features": bool(self.scaling),
        }

    def require_features(self, count: int, experiment: str) -> None:
        """Refuse data with another number of feature columns than ``count``."""
        if self.n_features != count:
            names = ", ".join(self.feature_names)
            raise InputValueError(
                f"data must have exactly {count} feature column(s) for {experiment}, got "
                f"{self.n_features} ({names}); pick them with --features"
            )
