"""When a training run has diverged (NOTE [divergence] in :mod:`descentlab.train.fit`).

The loop checks two losses, each with :func:`loss_divergence`, and reports the first non-finite
one as a :class:`~descentlab.divergence.Divergence` (NOTE [divergence report]):

* every batch's training loss, right after the forward pass and before its update: ``step`` is
  the update the batch would have made (it is not applied), ``lrate`` the rate it would have
  used;
* the loss watched after an epoch (:func:`descentlab.train.evaluation.watched_loss`), which
  catches parameters made non-finite by the epoch's last update: ``step`` is that last update and
  ``lrate`` the rate it used.
"""

from __future__ import annotations

import math

from descentlab.divergence import Divergence

__all__ = ["loss_divergence"]


def loss_divergence(epoch: int, step: int, lrate: float, loss: float) -> Divergence | None:
    """The divergence at ``epoch``/``step``/``lrate`` when ``loss`` is not finite, else None."""
    return None if math.isfinite(loss) else Divergence(epoch, step, lrate, loss)
