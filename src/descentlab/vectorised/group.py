"""``train_group``: K trials of one model trained as one batched computation.

Each trial's history equals, within float tolerance, the history ``descentlab train`` gives
the same settings run by itself: the same split, initial weights and batch orders (NOTE [group
seeds]), the same losses and the same SGD update, divergence per trial (NOTE [divergence]).
Linear and logistic models with the MSE or cross-entropy loss train in the compiled kernel, on the
CPU whatever ``device`` says (NOTE [configuration axis last]); MLPs, and the MAE loss, train as
stacked torch parameters on the run's device (NOTE [stacked parameters]).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from descentlab.validation import InputTypeError, describe
from descentlab.vectorised.outcome import GroupResult
from descentlab.vectorised.settings import DEFAULTS, OPTION_KEYS, refusal, resolve_settings

__all__ = ["can_vectorise", "train_group"]


def can_vectorise(fixed: Mapping[str, Any], varying: Sequence[str]) -> str | None:
    """None when trials sharing ``fixed`` and differing in the keys ``varying`` can train as one
    group; otherwise the reason, a sentence for the user.

    >>> can_vectorise({"model": "linear", "optimizer": "sgd"}, ["lrate", "seed"]) is None
    True
    >>> can_vectorise({"model": "linear", "optimizer": "sgd"}, ["batch_size"])[:10]
    'batch_size'
    """
    if not isinstance(fixed, Mapping):
        raise InputTypeError(f"fixed must be a mapping of train settings, got {describe(fixed)}")
    if isinstance(varying, str) or not isinstance(varying, Sequence):
        raise InputTypeError(
            f"varying must be a sequence of setting names, got {describe(varying)}"
        )
    known = (*DEFAULTS, *OPTION_KEYS)
    for key in (*fixed, *varying):
        if key not in known:
            return f"{key} must be a train setting ({', '.join(known)}), got {key!r}"
    values = dict(fixed)
    options = values.pop("optimizer_options", ())
    try:
        values.update(dict(options))
    except (TypeError, ValueError):
        return f"optimizer_options must be (key, value) pairs, got {options!r}"
    return refusal(values, varying)


def train_group(fixed: Mapping[str, Any], trials: Sequence[Mapping[str, Any]]) -> list[GroupResult]:
    """Train every trial (``fixed`` updated by the trial) and return one result per trial.

    Args:
        fixed: ``TrainConfig`` field values shared by every trial (``model``, ``dataset``,
            ``batch_size``, ``epochs``, ``optimizer`` ``sgd``/``momentum``/``nesterov``/``adam``,
            …); unset fields take ``TrainConfig``'s defaults. The optimizer's options
            (``momentum``, ``weight_decay``, ``betas``, ``eps``) may be keys of their own or
            entries of ``optimizer_options``.
        trials: one mapping per trial of the values that vary: ``lrate``, ``momentum``,
            ``weight_decay``, ``seed``.

    Returns:
        :class:`GroupResult` per trial, in order: ``status`` ``finished`` or ``diverged``,
        ``history`` (``epoch``, ``train_loss``, ``lrate`` and the ``val_*`` metrics, one value
        per epoch run), ``final`` and the divergence ``message``.

    Raises ``InputValueError``/``InputTypeError`` naming the key for a bad value, and with
    :func:`can_vectorise`'s reason when the trials cannot train as one group.

    Example:
        >>> fixed = {"model": "linear", "optimizer": "sgd", "epochs": 2, "n_samples": 200}
        >>> results = train_group(fixed, [{"lrate": 0.01}, {"lrate": 0.1}])
        >>> [r.status for r in results], len(results[0].history["train_loss"])
        (['finished', 'finished'], 2)
    """
    from descentlab.torch_device import resolve_device
    from descentlab.vectorised.linear_group import kernel_loss, train_linear_group
    from descentlab.vectorised.problem import build_seed_groups
    from descentlab.vectorised.stacked_group import train_stacked_group

    settings = resolve_settings(fixed, trials)
    task, groups = build_seed_groups(settings.shared, settings.seeds)
    index = {group.seed: position for position, group in enumerate(groups)}
    member = [index[seed] for seed in settings.seeds]
    if settings.shared["model"] != "mlp" and kernel_loss(task) is not None:
        return train_linear_group(settings, task, groups, member)
    device = resolve_device(settings.shared["device"])
    return train_stacked_group(settings, task, groups, member, device)
