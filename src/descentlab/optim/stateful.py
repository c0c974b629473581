"""A thin torch.optim-like wrapper that holds parameters and state for you."""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.optim._tree import check_params, tree_map
from descentlab.optim.registry import make_optimizer
from descentlab.optim.state_io import state_from_dict, state_to_dict
from descentlab.optim.transforms import GradientTransformation, Params, apply_updates
from descentlab.validation import InputTypeError, describe

__all__ = ["StatefulOptimizer"]


class StatefulOptimizer:
    """``step(grads)`` updates the held parameters; ``state_dict()`` / ``load_state_dict()``
    round-trip exactly. The pure pair ``init``/``update`` does all the work.

    Example:
        >>> import numpy as np
        >>> opt = StatefulOptimizer.from_name("sgd", np.array([1.0, 2.0]), lr=0.5)
        >>> opt.step(np.array([1.0, 1.0]))
        array([0.5, 1.5])
    """

    def __init__(self, transformation: GradientTransformation, params: Params) -> None:
        if not isinstance(transformation, GradientTransformation):
            raise InputTypeError(
                f"transformation must be a GradientTransformation, got {describe(transformation)}"
            )
        check_params(params)
        self.transformation = transformation
        self.params = tree_map(np.copy, params)
        self.state = transformation.init(self.params)

    @classmethod
    def from_name(cls, name: str, params: Params, **hyper: Any) -> StatefulOptimizer:
        """Build from the registry: ``StatefulOptimizer.from_name("adam", w, lr=0.01)``."""
        return cls(make_optimizer(name, **hyper), params)

    def step(self, grads: Params) -> Params:
        """One update; returns the new parameters (new arrays, the old ones are untouched)."""
        updates, self.state = self.transformation.update(grads, self.state, self.params)
        self.params = apply_updates(self.params, updates)
        return self.params

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of the optimizer state as ``{path: array}`` (parameters not included)."""
        return state_to_dict(self.state)

    def load_state_dict(self, state_dict: dict[str, np.ndarray]) -> None:
        """Replace the state with one from :meth:`state_dict` (same optimizer and parameters)."""
        self.state = state_from_dict(state_dict, self.state)
