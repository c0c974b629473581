"""What ``train_group`` refuses and ``can_vectorise`` explains: each message names the key."""

from __future__ import annotations

import pytest

from descentlab.validation import InputTypeError, InputValueError
from descentlab.vectorised import can_vectorise, train_group

LINEAR = {"model": "linear", "optimizer": "sgd", "n_samples": 60, "n_features": 2, "epochs": 1}


@pytest.mark.parametrize(
    ("fixed", "trials", "error", "pattern"),
    [
        (LINEAR, [{"lrate": 0.1, "colour": 1}], InputValueError, "key must be a train setting.*'colour'"),
        (LINEAR, [{"lrate": -0.1}], InputValueError, "lrate must be"),
        (LINEAR, [{"lrate": 1e39}], InputValueError, "lrate must be .* float32"),
        (LINEAR, [{"momentum": -1.0}], InputValueError, "momentum must be"),
        (LINEAR, [{"weight_decay": float("inf")}], InputValueError, "weight_decay must be"),
        (LINEAR, [{"seed": -3}], InputValueError, "seed must be"),
        (LINEAR, [{"batch_size": 8}, {"batch_size": 16}], InputValueError, "batch_size must be the same"),
        ({**LINEAR, "optimizer": "rmsprop"}, [{}], InputValueError, "optimizer must be one of sgd"),
        ({**LINEAR, "optimizer": "adam", "momentum": 0.5}, [{}], InputValueError, "options of optimizer 'adam' must be betas or eps"),
        ({**LINEAR, "optimizer": "adam", "eps": 0.0}, [{}], InputValueError, "eps must be"),
        ({**LINEAR, "optimizer": "adam", "betas": (0.9, 1.5)}, [{}], InputValueError, r"betas\[1\] must be"),
        (LINEAR, [{"betas": (0.9, 0.99)}], InputValueError, "options of optimizer 'sgd' must be momentum or weight_decay"),
        ({**LINEAR, "schedule": "cosine"}, [{}], InputValueError, "schedule must be unset"),
        ({**LINEAR, "patience": 2}, [{}], InputValueError, "patience must be 0"),
        ({**LINEAR, "optimizer_options": (("dampening", 0.1),)}, [{}], InputValueError, "dampening"),
        ({**LINEAR, "optimizer": "nesterov", "momentum": 0.0}, [{}], InputValueError, "momentum must be > 0"),
        ({**LINEAR, "model": "logistic"}, [{}], InputValueError, "task must be 'classify'"),
        ({**LINEAR, "epochs": 0}, [{}], InputValueError, "epochs must be"),
        ({**LINEAR, "dataset": "nowhere"}, [{}], InputValueError, "dataset must be"),
        (LINEAR, [], InputValueError, "trials must hold at least one"),
        (LINEAR, {"lrate": 0.1}, InputTypeError, "trials must be a sequence"),
        (LINEAR, ["lrate=0.1"], InputTypeError, r"trials\[0\] must be a mapping"),
        ([("model", "linear")], [{}], InputTypeError, "fixed must be a mapping"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_by_name(fixed, trials, error, pattern) -> None:
    with pytest.raises(error, match=pattern):
        train_group(fixed, trials)


def test_a_momentum_given_either_way_is_the_same_run() -> None:
    fixed = {**LINEAR, "optimizer": "momentum", "batch_size": 8}
    as_key = train_group(fixed, [{"lrate": 0.05, "momentum": 0.3}])
    as_option = train_group({**fixed, "optimizer_options": (("momentum", 0.3),)}, [{"lrate": 0.05}])
    other = train_group(fixed, [{"lrate": 0.05}])  # the optimizer's default, 0.9
    assert as_key == as_option != other


@pytest.mark.parametrize(
    ("fixed", "varying", "pattern"),
    [
        (LINEAR, ["batch_size"], "batch_size must be the same in every trial"),
        ({**LINEAR, "optimizer": "amsgrad"}, ["lrate"], "optimizer must be one of"),
        ({**LINEAR, "optimizer": "adam"}, ["momentum"], "options of optimizer 'adam' must be"),
        ({**LINEAR, "impl": "descentlab"}, ["lrate"], "impl must be 'torch'"),
        ({**LINEAR, "colour": 1}, ["lrate"], "colour must be a train setting"),
        ({**LINEAR, "schedule": "step"}, ["seed"], "schedule must be unset"),
    ],
)
def test_can_vectorise_gives_the_reason(fixed, varying, pattern) -> None:
    reason = can_vectorise(fixed, varying)
    assert reason is not None
    assert pattern in reason


@pytest.mark.parametrize("model", ["linear", "logistic", "mlp"])
def test_can_vectorise_the_keys_a_tuner_varies(model: str) -> None:
    fixed = {"model": model, "optimizer": "momentum", "weight_decay": 0.01}
    assert can_vectorise(fixed, ["lrate", "momentum", "weight_decay", "seed"]) is None


def test_can_vectorise_checks_its_arguments() -> None:
    with pytest.raises(InputTypeError, match="varying must be a sequence"):
        can_vectorise(LINEAR, "lrate")
    with pytest.raises(InputTypeError, match="fixed must be a mapping"):
        can_vectorise(None, ["lrate"])
