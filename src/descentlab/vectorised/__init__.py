"""Vectorised sweeps: K trial configurations of one model trained as one batched computation
(SPEC §4, issue 13 item 4).

NOTE [group layer]: this package sits beside ``experiments``, ``train`` and ``grade`` and
imports none of them: it builds what a trial trains on from the layers below (``data``,
``models``, ``tasks``, ``loading``'s order rule, ``divergence``), exactly as ``train`` builds it,
and a test checks the two against each other. A sweep, which calls both ``train`` (one trial at
a time) and this package (a group at once), lives above them.

    >>> from descentlab.vectorised import can_vectorise, train_group
    >>> results = train_group({"model": "linear", "optimizer": "sgd", "epochs": 3},
    ...                       [{"lrate": rate} for rate in (0.001, 0.01, 0.1)])
"""

from descentlab.vectorised.group import can_vectorise, train_group
from descentlab.vectorised.outcome import GroupResult

__all__ = ["GroupResult", "can_vectorise", "train_group"]
