"""The pieces ``fit`` is made of, each alone, and the loop against a hand-written one."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from descentlab.models import make_model
from descentlab.train import FitConfig, fit, load_checkpoint, make_task, make_train_loader
from descentlab.train.checkpoint_policy import CheckpointPolicy, Trainee, loader_generator
from descentlab.train.divergence_policy import loss_divergence
from descentlab.train.early_stopping import EarlyStopping
from descentlab.train.epoch import Epoch
from descentlab.train.schedule_stepping import ScheduleStepping
from descentlab.validation import InputTypeError, InputValueError


def _data(m=40, n=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    y = X @ rng.standard_normal((n, 1)) + 0.1 * rng.standard_normal((m, 1))
    task = make_task("regress", y)
    return torch.as_tensor(X, dtype=torch.float32), task.targets(y), task


def _weights(model):
    return b"".join(p.detach().numpy().tobytes() for p in model.parameters())


# FitConfig ------------------------------------------------------------------------------------

BAD_SETTINGS = [
    ({"epochs": 0}, InputValueError, "epochs must be a positive integer, got 0"),
    ({"epochs": 2.5}, InputTypeError, "epochs must be a positive integer, got 2.5"),
    (
        {"scheduler_unit": "batch"},
        InputValueError,
        "scheduler_unit must be one of 'epoch', 'step', got 'batch'",
    ),
    ({"device": "tpu"}, InputValueError, "device must be one of 'auto', 'cpu', 'cuda', got 'tpu'"),
    ({"patience": 0}, InputValueError, "patience must be a positive integer, got 0"),
    ({"checkpoint": 3}, InputTypeError, "checkpoint must be a file path (str or pathlib.Path)"),
    (
        {"checkpoint_every": 0},
        InputValueError,
        "checkpoint_every must be a positive integer, got 0",
    ),
    ({"resume": "yes"}, InputTypeError, "resume must be True or False, got 'yes'"),
    (
        {"resume": True},
        InputValueError,
        "resume needs a checkpoint path, got resume=True with checkpoint=None",
    ),
    ({"run_config": [1]}, InputTypeError, "run_config must be a dict (the resolved run config)"),
]


@pytest.mark.parametrize(("settings", "kind", "message"), BAD_SETTINGS)
def test_fit_config_names_the_bad_field(settings, kind, message):
    with pytest.raises(kind) as caught:
        FitConfig(**{"epochs": 1, **settings})
    assert str(caught.value).startswith(message)


def test_fit_config_keeps_a_path_and_a_json_ready_run_config():
    config = FitConfig(epochs=2, checkpoint="run/c.pt", run_config={"betas": (0.9, 0.99)})
    assert config.checkpoint == Path("run/c.pt")
    assert config.run_config == {"betas": [0.9, 0.99]}  # as a checkpoint stores and compares it


def test_fit_wants_a_fit_config():
    X, y, task = _data()
    model = make_model("linear", 3, 1, seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(InputTypeError, match="config must be a FitConfig, got"):
        fit(model, optimizer, [(X, y)], task, {"epochs": 1})


# divergence policy ----------------------------------------------------------------------------


def test_divergence_policy_on_hand_made_non_finite_losses():
    assert loss_divergence(1, 3, 0.1, 2.5) is None
    nan = loss_divergence(2, 7, 0.5, math.nan)
    assert (nan.epoch, nan.step, nan.lrate) == (2, 7, 0.5) and math.isnan(nan.loss)
    assert nan.sentence() == "diverged at epoch 2, step 7 with lrate 0.5 (loss nan)"
    assert loss_divergence(4, 9, 50.0, -math.inf).sentence() == (
        "diverged at epoch 4, step 9 with lrate 50 (loss -inf)"
    )


def test_epoch_stops_before_the_update_of_a_nan_batch():
    X, y, task = _data(m=24)
    poisoned = X[16:].clone()
    poisoned[0, 0] = math.nan
    batches = [(X[:8], y[:8]), (X[8:16], y[8:16]), (poisoned, y[16:])]
    model = make_model("linear", 3, 1, seed=0)
    two_updates = make_model("linear", 3, 1, seed=0)
    _hand_loop(two_updates, torch.optim.SGD(two_updates.parameters(), lr=0.1), batches[:2], task, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    epoch = Epoch(model, optimizer, batches, task, torch.device("cpu"), epochs=5, batches=3)
    outcome = epoch.run(epoch=2, step=10)
    found = outcome.divergence
    assert (found.epoch, found.step, found.lrate) == (2, 13, 0.1) and math.isnan(found.loss)
    assert outcome.steps == 12 and outcome.seen == 16  # two updates made, the third refused
    assert _weights(model) == _weights(two_updates)  # the NaN batch changed nothing
    record = outcome.record(2)
    assert math.isnan(record["train_loss"]) and record["epoch"] == 2.0


# checkpoint policy ----------------------------------------------------------------------------


def test_checkpoint_schedule_every_k_epochs_and_at_the_end(tmp_path):
    policy = CheckpointPolicy(tmp_path / "c.pt", every=3)
    written = [e for e in range(1, 8) if policy.due(e, last=e == 7)]
    assert written == [3, 6, 7]
    assert [e for e in range(1, 5) if CheckpointPolicy(tmp_path / "c.pt").due(e, last=False)] == [
        1,
        2,
        3,
        4,
    ]
    assert policy.due(2, last=True)  # early stopping after epoch 2 ends the run: write it


def _trainee(seed):
    X, y, task = _data()
    loader = make_train_loader(X, y, 8, seed=3)
    model = make_model("mlp", 3, 1, layers=(4,), seed=seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    return Trainee(model, optimizer, scheduler, loader_generator(loader)), loader, task


def test_checkpoint_round_trip_restores_parameters_optimizer_schedule_and_batch_order(tmp_path):
    policy = CheckpointPolicy(tmp_path / "c.pt", run_config={"seed": 1})
    trainee, loader, task = _trainee(seed=0)
    for xb, yb in loader:  # one epoch, so the optimizer, scheduler and generator have state
        trainee.optimizer.zero_grad()
        task.loss(trainee.model(xb), yb).backward()
        trainee.optimizer.step()
    trainee.scheduler.step()
    state = {"epoch": 1, "step": 5, "best": 0.5, "best_epoch": 1, "bad_epochs": 0}
    policy.write(trainee, history={"train_loss": [0.5]}, state=state, finished=False)
    next_batches = [xb for xb, _ in loader]

    other, other_loader, _ = _trainee(seed=9)
    history, restored = policy.restore(other)
    assert history == {"train_loss": [0.5]} and restored == state
    assert _weights(other.model) == _weights(trainee.model)
    assert other.optimizer.state_dict()["state"][0]["step"] == 5
    assert other.scheduler.get_last_lr() == trainee.scheduler.get_last_lr()
    restored_batches = [xb for xb, _ in other_loader]
    assert all(torch.equal(a, b) for a, b in zip(next_batches, restored_batches, strict=True))

    changed = CheckpointPolicy(tmp_path / "c.pt", run_config={"seed": 2})
    with pytest.raises(InputValueError, match="resume config must equal the checkpoint's, got"):
        changed.restore(other)


# early stopping and scheduling ----------------------------------------------------------------


def test_early_stopping_counts_epochs_without_a_strictly_lower_loss():
    stopping = EarlyStopping(patience=2)
    losses = [3.0, 2.0, 2.0, 2.5, 1.0, 1.0, 1.5]
    stops = [stopping.update(epoch, loss) for epoch, loss in enumerate(losses, start=1)]
    assert stops == [False, False, False, True, False, False, True]  # a tie is no improvement
    assert (stopping.best, stopping.best_epoch, stopping.bad_epochs) == (1.0, 5, 2)
    again = EarlyStopping.from_state(2, stopping.as_state())
    assert again == stopping


def test_without_patience_the_best_epoch_is_tracked_but_never_stops():
    stopping = EarlyStopping()
    assert not any(stopping.update(epoch, 10.0 + epoch) for epoch in range(1, 20))
    assert stopping.best_epoch == 1 and stopping.bad_epochs == 18


def test_schedule_stepping_per_step_per_epoch_and_on_plateau():
    params = [torch.zeros(1, requires_grad=True)]
    step_lr = torch.optim.lr_scheduler.StepLR(torch.optim.SGD(params, lr=1.0), step_size=1)
    assert ScheduleStepping(step_lr, "step").each_step is step_lr
    per_epoch = ScheduleStepping(step_lr, "epoch")
    assert per_epoch.each_step is None
    step_lr.optimizer.step()
    per_epoch.after_epoch(1.0)
    assert step_lr.last_epoch == 1
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
        torch.optim.SGD(params, lr=1.0), patience=0
    )
    on_plateau = ScheduleStepping(plateau, "step")  # the plateau one never steps per update
    assert on_plateau.each_step is None
    for loss in (1.0, 1.0):
        plateau.optimizer.step()
        on_plateau.after_epoch(loss)
    assert plateau.get_last_lr() == [0.1]
    ScheduleStepping(None, "step").after_epoch(1.0)  # no scheduler: nothing to step


# the loop against a hand-written one -----------------------------------------------------------


def _hand_loop(model, optimizer, loader, task, epochs):
    """The plainest SGD/Adam loop: zero, forward, loss, backward, step; mean loss per epoch."""
    losses = []
    for _ in range(epochs):
        total, seen = 0.0, 0
        for xb, yb in loader:
            optimizer.zero_grad(set_to_none=True)
            loss = task.loss(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
            seen += xb.shape[0]
        losses.append(total / seen)
    return losses


@pytest.mark.parametrize(
    ("model_name", "layers", "make_optimizer"),
    [
        ("linear", (), lambda p: torch.optim.SGD(p, lr=0.05)),
        ("mlp", (5, 3), lambda p: torch.optim.Adam(p, lr=0.01)),
    ],
)
def test_fit_gives_the_bits_of_a_hand_written_loop(model_name, layers, make_optimizer):
    X, y, task = _data(m=36)
    runs = []
    for trainer in ("hand", "fit"):
        torch.manual_seed(0)
        model = make_model(model_name, 3, 1, layers=layers, seed=4)
        optimizer = make_optimizer(model.parameters())
        loader = make_train_loader(X, y, 8, seed=11)  # 5 batches, the last one short
        if trainer == "hand":
            losses = _hand_loop(model, optimizer, loader, task, epochs=3)
        else:
            result = fit(model, optimizer, loader, task, FitConfig(epochs=3, device="cpu"))
            losses = result.history["train_loss"]
            assert result.steps == 15 and result.status == "finished"
        runs.append((_weights(model), losses))
    assert runs[0][0] == runs[1][0]
    assert runs[0][1] == runs[1][1]


class _StopError(Exception):
    pass


def test_fit_resumed_mid_run_ends_with_the_bits_and_early_stopping_state_of_one_run(tmp_path):
    X, y, task = _data(m=40)
    noise = torch.as_tensor(np.random.default_rng(5).standard_normal((8, 1)) * 3, dtype=y.dtype)

    def run(path, *, stop_after=None, resume=False, seed=4):
        model = make_model("mlp", 3, 1, layers=(5,), seed=seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        loader = make_train_loader(X[:32], y[:32], 8, seed=2)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
        config = FitConfig(
            epochs=8, scheduler_unit="step", device="cpu", patience=50, checkpoint=path,
            checkpoint_every=2, resume=resume, run_config={"seed": 4},
        )  # fmt: skip

        def stop(event):
            if event.kind == "epoch" and event.epoch == stop_after:
                raise _StopError

        result = fit(
            model, optimizer, loader, task, config, val_data=(X[32:], noise),
            scheduler=scheduler, callback=stop,
        )  # fmt: skip
        return _weights(model), result

    whole, one = run(tmp_path / "one.pt")
    with pytest.raises(_StopError):
        run(tmp_path / "two.pt", stop_after=5)  # checkpointed after epoch 4; epoch 5 is redone
    again, two = run(tmp_path / "two.pt", resume=True, seed=99)
    assert two.resumed_from_epoch == 4 and two.steps == one.steps == 32
    assert again == whole
    for name in ("train_loss", "val_loss", "lrate"):
        assert two.history[name] == one.history[name]
    assert two.best_epoch == one.best_epoch < 4  # kept across the resume, not found again
    state = load_checkpoint(tmp_path / "one.pt")["state"]
    assert load_checkpoint(tmp_path / "two.pt")["state"] == state and state["bad_epochs"] > 4
