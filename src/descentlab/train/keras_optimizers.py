"""The trainer's optimizers as Keras optimizers, where Keras runs the same algorithm.

NOTE [keras optimizers]: a name of :data:`descentlab.optim.OPTIMIZERS` with its torch-style
hyperparameters maps to a Keras 3 optimizer only where both compute the same update:

* ``sgd``, ``momentum``, ``nesterov`` → ``keras.optimizers.SGD``. Keras keeps the velocity as
  ``v = μv - ηg`` where torch keeps ``b = μb + g`` and steps ``-ηb``: the same iterates for a
  constant rate (the Keras trainer has no schedules). Keras has no dampening (refused unless 0);
  its weight decay is decoupled (``w ← w - ηλw`` before the step), which equals torch's L2 term
  only without momentum, so ``weight_decay`` with momentum is refused.
* ``adam``, ``amsgrad`` → ``Adam``; ``adamw`` (and ``adam`` with ``decoupled_weight_decay``) →
  ``AdamW``. Keras folds the bias corrections into the rate, so its ε acts as ε·√(1-β₂ᵗ) in
  torch's formula; the updates differ only where √v̂ is within a few ε of zero. torch's
  coupled L2 ``weight_decay`` of Adam has no Keras counterpart and is refused.
* ``rmsprop`` → ``RMSprop`` (torch's ``alpha`` is Keras's ``rho``) and ``adagrad`` →
  ``Adagrad`` (``lr_decay`` refused). Keras puts ε under the square root, ``g/√(v+ε)``, where
  torch divides by ``√v+ε``; passing ε² to Keras makes the two agree where √v ≫ ε and where
  v → 0, and differ by at most a factor √2 in the denominator where √v ≈ ε (passing ε itself
  would act as a √ε ≈ 1e-4 floor and change every update with small gradients).
  ``adadelta`` → ``Adadelta`` (the same formula, ε under the roots in both). Their coupled
  ``weight_decay`` is refused.
* refused: ``nadam`` (Keras's momentum schedule is μ·(1 - ½·0.96ᵗ), torch's μ·(1 - ½·0.96^(ψt))
  with ψ = 0.004), ``radam`` (no Keras RAdam) and ``maximize`` everywhere.

:func:`check_keras_optimizer` applies these rules without importing Keras (``TrainConfig``
calls it); :func:`build_keras_optimizer` builds the optimizer.
"""

from __future__ import annotations

from typing import Any

from descentlab.optim import OPTIMIZERS, hyperparameters
from descentlab.validation import InputValueError, check_choice

__all__ = ["KERAS_OPTIMIZERS", "build_keras_optimizer", "check_keras_optimizer"]

#: Registry names Keras runs the same algorithm for (NOTE [keras optimizers]).
KERAS_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "amsgrad", "adamw", "rmsprop",
                    "adagrad", "adadelta")  # fmt: skip

_WHY_NOT = {
    "nadam": "Keras's Nadam uses another momentum schedule",
    "radam": "Keras has no RAdam",
}


def _settings(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Every hyperparameter of ``name``: its defaults overridden by ``options``."""
    return {**hyperparameters(name), **options}


def _refuse(key: str, value: Any, rule: str) -> InputValueError:
    return InputValueError(
        f"{key} (--optimizer-set) must be {rule} with framework 'keras', got {key}={value!r}"
    )


def check_keras_optimizer(name: str, options: dict[str, Any]) -> None:
    """Refuse an optimizer or hyperparameter Keras cannot run as torch does, naming it."""
    check_choice("optimizer", name, list(OPTIMIZERS))
    if name not in KERAS_OPTIMIZERS:
        raise InputValueError(
            f"optimizer must be one Keras runs alike with framework 'keras' "
            f"({', '.join(KERAS_OPTIMIZERS)}), got {name!r} ({_WHY_NOT.get(name, 'no match')})"
        )
    hyper = _settings(name, options)
    if hyper.get("maximize"):
        raise _refuse("maximize", hyper["maximize"], "False (Keras optimizers only minimise)")
    if hyper.get("dampening", 0.0) != 0.0:
        raise _refuse("dampening", hyper["dampening"], "0 (Keras's SGD has no dampening)")
    if hyper.get("lr_decay", 0.0) != 0.0:
        raise _refuse("lr_decay", hyper["lr_decay"], "0 (Keras's Adagrad has no rate decay)")
    decay = hyper.get("weight_decay", 0.0)
    decoupled = name == "adamw" or hyper.get("decoupled_weight_decay", False)
    plain_sgd = name == "sgd" and hyper.get("momentum", 0.0) == 0.0
    if decay != 0.0 and not (decoupled or plain_sgd):
        raise _refuse(
            "weight_decay",
            decay,
            "0 for this optimizer (Keras decays weights decoupled, as adamw and plain sgd do)",
        )


def build_keras_optimizer(name: str, *, lrate: float, **options: Any) -> Any:
    """The Keras optimizer running ``name`` with torch-style ``options`` at rate ``lrate``."""
    check_keras_optimizer(name, options)
    from descentlab.quiet_tensorflow import keras as import_keras

    optimizers = import_keras().optimizers
    hyper = _settings(name, options)
    decay = float(hyper.get("weight_decay", 0.0)) or None
    if name in ("sgd", "momentum", "nesterov"):
        return optimizers.SGD(
            learning_rate=lrate,
            momentum=float(hyper["momentum"]),
            nesterov=name == "nesterov" or bool(hyper.get("nesterov", False)),
            weight_decay=decay,
        )
    if name in ("adam", "amsgrad", "adamw"):
        beta_1, beta_2 = (float(b) for b in hyper["betas"])
        adam = optimizers.AdamW if decay else optimizers.Adam
        return adam(
            learning_rate=lrate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=float(hyper["eps"]),
            amsgrad=name == "amsgrad" or bool(hyper.get("amsgrad", False)),
            **({"weight_decay": decay} if decay else {}),
        )
    if name == "rmsprop":
        return optimizers.RMSprop(
            learning_rate=lrate,
            rho=float(hyper["alpha"]),
            momentum=float(hyper["momentum"]),
            centered=bool(hyper["centered"]),
            epsilon=float(hyper["eps"]) ** 2,  # NOTE [keras optimizers]: ε under the root
        )
    if name == "adagrad":
        return optimizers.Adagrad(
            learning_rate=lrate,
            initial_accumulator_value=float(hyper["initial_accumulator_value"]),
            epsilon=float(hyper["eps"]) ** 2,
        )
    return optimizers.Adadelta(
        learning_rate=lrate, rho=float(hyper["rho"]), epsilon=float(hyper["eps"])
    )
