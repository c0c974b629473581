"""fit: known targets, determinism, divergence, early stopping, schedules, devices."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from descentlab.models import make_model
from descentlab.train import (
    FitConfig,
    build_optimizer,
    build_scheduler,
    fit,
    make_task,
    make_train_loader,
)


def _regression(m=64, n=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    y = X @ np.array([[1.0], [-2.0], [0.5]])[:n] + 0.3 + 0.05 * rng.standard_normal((m, 1))
    return X, y


def test_linear_regression_reaches_least_squares():
    X, y = _regression()
    task = make_task("regress", y)
    Xt = torch.as_tensor(X, dtype=torch.float32)
    batches = [(Xt, task.targets(y))]  # a list is a loader: full-batch gradient descent
    model = make_model("linear", 3, 1, seed=0)
    optimizer = build_optimizer(model, "sgd", lrate=0.3)
    result = fit(model, optimizer, batches, task, FitConfig(epochs=150, device="cpu"))
    design = np.column_stack([X, np.ones(len(X))])
    w_star, *_ = np.linalg.lstsq(design, y, rcond=None)
    learned = np.append(model.affine.weight.detach().numpy().ravel(), model.affine.bias.item())
    np.testing.assert_allclose(learned, w_star.ravel(), atol=1e-4)
    mse_star = float(np.mean((design @ w_star - y) ** 2))
    assert result.final["train_loss"] == pytest.approx(mse_star, rel=1e-3)
    assert result.status == "finished" and result.epochs_run == 150 and result.steps == 150


def test_classifier_separates_separable_data():
    rng = np.random.default_rng(1)
    centres = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    labels = rng.integers(0, 3, 300)
    X = centres[labels] + 0.5 * rng.standard_normal((300, 2))
    y = labels.reshape(-1, 1).astype(float)
    task = make_task("classify", y)
    Xt = torch.as_tensor(X, dtype=torch.float32)
    loader = make_train_loader(Xt[:240], task.targets(y[:240]), 32, seed=0)
    model = make_model("mlp", 2, 3, layers=(16,), seed=0)
    optimizer = build_optimizer(model, "adam", lrate=0.05)
    result = fit(
        model, optimizer, loader, task, FitConfig(epochs=15, device="cpu"),
        val_data=(Xt[240:], task.targets(y[240:])),
    )  # fmt: skip
    assert result.final["val_accuracy"] == 1.0 and result.final["val_zero_one"] == 0.0
    assert len(result.history["val_loss"]) == 15


@pytest.mark.parametrize("kind", ["manual", "dataloader", "dataset"])
def test_every_loader_kind_trains_to_the_same_bits_as_the_fast_one(kind):
    X, y = _regression(m=50)
    task = make_task("regress", y)
    Xt = torch.as_tensor(X, dtype=torch.float32)
    finals = []
    for loader_kind in ("fast", kind):
        loader = make_train_loader(Xt, task.targets(y), 8, seed=3, kind=loader_kind)
        model = make_model("linear", 3, 1, seed=0)
        fit(
            model,
            build_optimizer(model, "sgd", lrate=0.05),
            loader,
            task,
            FitConfig(epochs=3, device="cpu"),
        )
        finals.append(torch.cat([p.detach().ravel() for p in model.parameters()]))
    assert torch.equal(finals[0], finals[1])


def _run(seed=0, impl="torch", epochs=3):
    X, y = _regression(m=50)
    task = make_task("regress", y)
    loader = make_train_loader(
        torch.as_tensor(X, dtype=torch.float32), task.targets(y), 8, seed=seed
    )
    model = make_model("mlp", 3, 1, layers=(6,), seed=seed)
    optimizer = build_optimizer(model, "adam", lrate=0.01, impl=impl)
    result = fit(model, optimizer, loader, task, FitConfig(epochs=epochs, device="cpu"))
    return b"".join(p.detach().numpy().tobytes() for p in model.parameters()), result


def test_same_seed_same_bytes():
    one, first = _run(seed=5)
    two, second = _run(seed=5)
    three, _ = _run(seed=6)
    assert one == two and one != three
    assert first.history["train_loss"] == second.history["train_loss"]


def test_descentlab_optimizer_follows_torch():
    _, ours = _run(impl="descentlab")
    _, theirs = _run(impl="torch")
    np.testing.assert_allclose(ours.history["train_loss"], theirs.history["train_loss"], rtol=1e-4)


def test_divergence_stops_at_first_non_finite_loss():
    X, y = _regression()
    task = make_task("regress", 1e3 * y)
    batches = [
        (torch.as_tensor(X[i : i + 16], dtype=torch.float32), task.targets(1e3 * y[i : i + 16]))
        for i in range(0, 64, 16)
    ]
    model = make_model("linear", 3, 1, seed=0)
    optimizer = build_optimizer(model, "sgd", lrate=50.0)
    result = fit(model, optimizer, batches, task, FitConfig(epochs=20, device="cpu"))
    assert result.status == "diverged"
    epoch = result.epochs_run
    assert (
        result.message
        == f"diverged at epoch {epoch}, step {result.steps + 1} with lrate 50 (loss inf)"
    )
    assert np.isnan(result.history["train_loss"][-1])
    assert all(torch.isfinite(p).all() for p in model.parameters())  # stopped before the update


def test_early_stopping_on_validation_loss():
    X, y = _regression(m=80)
    noise = np.random.default_rng(9).standard_normal((20, 1)) * 5  # a validation set it cannot fit
    task = make_task("regress", y)
    Xt = torch.as_tensor(X, dtype=torch.float32)
    loader = make_train_loader(Xt[:60], task.targets(y[:60]), 60, seed=0)
    model = make_model("mlp", 3, 1, layers=(32,), seed=0)
    optimizer = build_optimizer(model, "adam", lrate=0.05)
    result = fit(
        model, optimizer, loader, task, FitConfig(epochs=200, patience=3, device="cpu"),
        val_data=(Xt[60:], task.targets(noise)),
    )  # fmt: skip
    assert result.stopped_early and result.epochs_run < 200
    best = result.best_epoch
    assert result.epochs_run == best + 3
    val = result.history["val_loss"]
    assert min(val) == val[best - 1] and all(v >= val[best - 1] for v in val[best:])


def test_plateau_and_per_step_schedules():
    X, y = _regression()
    task = make_task("regress", y)
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), task.targets(y)
    model = make_model("linear", 3, 1, seed=0)
    optimizer = build_optimizer(model, "sgd", lrate=1e-6)
    scheduler, unit = build_scheduler(
        optimizer, "plateau", epochs=10, steps_per_epoch=1, patience=0, threshold=0.5
    )
    result = fit(model, optimizer, [(Xt, yt)], task,
                 FitConfig(epochs=4, scheduler_unit=unit, device="cpu"),
                 scheduler=scheduler, val_data=(Xt, yt))  # fmt: skip
    assert unit == "epoch"
    assert result.history["lrate"] == pytest.approx(
        [1e-6, 1e-6, 1e-7, 1e-8]
    )  # the first epoch sets the best
    model = make_model("linear", 3, 1, seed=0)
    optimizer = build_optimizer(model, "sgd", lrate=0.1)
    scheduler, unit = build_scheduler(optimizer, "one_cycle", epochs=2, steps_per_epoch=4)
    batches = [(Xt[i : i + 16], yt[i : i + 16]) for i in range(0, 64, 16)]
    fit(
        model,
        optimizer,
        batches,
        task,
        FitConfig(epochs=2, scheduler_unit=unit, device="cpu"),
        scheduler=scheduler,
    )
    assert unit == "step" and scheduler.last_epoch == 8


def test_callback_and_metrics_sink():
    X, y = _regression()
    task = make_task("regress", y)
    events, logged = [], []
    model = make_model("linear", 3, 1, seed=0)
    fit(
        model, build_optimizer(model, "sgd", lrate=0.1),
        [(torch.as_tensor(X, dtype=torch.float32), task.targets(y))], task,
        FitConfig(epochs=3, device="cpu"), callback=events.append,
        metrics_sink=lambda e, v: logged.append((e, v)),
    )  # fmt: skip
    assert [e.epoch for e in events if e.kind == "epoch"] == [1, 2, 3]
    assert [e for e, _ in logged] == [1, 2, 3] and "train_loss" in logged[0][1]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training_matches_cpu_closely():
    _, cpu = _run()
    X, y = _regression(m=50)
    task = make_task("regress", y)
    loader = make_train_loader(torch.as_tensor(X, dtype=torch.float32), task.targets(y), 8, seed=0)
    model = make_model("mlp", 3, 1, layers=(6,), seed=0)
    result = fit(
        model,
        build_optimizer(model, "adam", lrate=0.01),
        loader,
        task,
        FitConfig(epochs=3, device="cuda"),
    )
    assert result.device.startswith("cuda")
    np.testing.assert_allclose(result.history["train_loss"], cpu.history["train_loss"], rtol=1e-4)


def test_fit_is_the_function_after_its_module_was_imported_first():
    """NOTE [shadowed names]: importing the module ``descentlab.train.fit`` first (as the
    distributed and Keras trainers do) must not turn ``descentlab.train.fit`` into a module."""
    import subprocess
    import sys

    probe = (
        "import descentlab.train.distributed\n"
        "from descentlab.train.fit import FitConfig\n"
        "from descentlab.train import fit\n"
        "import descentlab.train as package\n"
        "assert callable(fit) and fit.__name__ == 'fit', fit\n"
        "assert package.fit is fit\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=600)
