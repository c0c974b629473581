"""Keras twins of the trainer's models: copied weights, the same function, refusals; and the
Keras linear model trained by our loop and by ``model.fit`` against NumPy and torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from descentlab.models import make_model
from descentlab.models.keras_models import keras_model_from_torch, make_keras_model, torch_layout
from descentlab.train import FitConfig, build_optimizer, fit, make_task, make_train_loader
from descentlab.train.keras_fit import keras_fit
from descentlab.train.keras_optimizers import build_keras_optimizer
from descentlab.validation import InputValueError

MODELS = [
    ("linear", {}),
    ("logistic", {}),
    ("linear", {"bias": False}),
    ("mlp", {"layers": (64, 32, 16)}),
    ("mlp", {"layers": (5, 3), "activation": "tanh", "bias": False}),
    ("mlp", {"layers": (4,), "activation": "gelu"}),
    ("mlp", {"layers": (4,), "activation": "sigmoid"}),
]


@pytest.mark.parametrize(("name", "options"), MODELS)
def test_copied_weights_equal_torch_bit_for_bit_and_compute_the_same(name, options):
    torch_model = make_model(name, 20, 3, seed=11, **options)
    keras_model = make_keras_model(name, 20, 3, seed=11, **options)
    expected = [p.detach().numpy() for p in torch_model.parameters()]
    copied = torch_layout(keras_model)
    assert len(copied) == len(expected)
    for got, want in zip(copied, expected, strict=True):
        assert got.dtype == np.float32 and np.array_equal(got, want)
    X = np.random.default_rng(0).standard_normal((7, 20)).astype(np.float32)
    with torch.no_grad():
        want = torch_model(torch.from_numpy(X)).numpy()
    # the same float32 maps; only the summation order of the dot products may differ
    np.testing.assert_allclose(np.asarray(keras_model(X)), want, rtol=1e-5, atol=1e-6)


def test_modules_without_a_keras_twin_are_refused_by_name():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.5), torch.nn.Linear(4, 1))
    with pytest.raises(InputValueError, match="got a Dropout layer"):
        keras_model_from_torch(model)
    tanh_gelu = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.GELU("tanh"))
    with pytest.raises(InputValueError, match=r"exact form.*got approximate='tanh'"):
        keras_model_from_torch(tanh_gelu)
    with pytest.raises(TypeError, match=r"model must be a torch\.nn\.Module, got"):
        keras_model_from_torch("mlp")


# --- the linear model with SGD over one batch order: NumPy, torch and Keras (both loops) ---

M, N, BATCH, EPOCHS, LRATE, SEED = 256, 4, 32, 5, 0.05, 3
U = 2.0**-24  # float32 unit roundoff


def _problem():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((M, N)).astype(np.float32)
    w_true = np.array([[1.5], [-2.0], [0.5], [3.0]])
    y = (X @ w_true + 0.3 + 0.1 * rng.standard_normal((M, 1))).astype(np.float32)
    return X, y


def _loader(X, y):
    return make_train_loader(torch.from_numpy(X), torch.from_numpy(y), BATCH, seed=SEED)


def _numpy_reference(X, y, w0, b0):
    """Mini-batch SGD on the MSE in float64 over the loader's batches (the same order)."""
    w, b = w0.astype(np.float64), b0.astype(np.float64)
    batches, radius, loader = 0, 0.0, _loader(X, y)
    for _ in range(EPOCHS):
        for xb, yb in loader:
            Xb, yb = xb.numpy().astype(np.float64), yb.numpy().astype(np.float64)
            residual = Xb @ w + b - yb
            w = w - LRATE * (2.0 / len(Xb)) * Xb.T @ residual
            b = b - LRATE * (2.0 / len(Xb)) * residual.sum(axis=0)
            # the step's linear part: I - η·(2/B)·[X 1]ᵀ[X 1]; its spectral radius bounds how
            # an earlier rounding error grows
            A = np.hstack([Xb, np.ones((len(Xb), 1))])
            hessian = LRATE * (2.0 / len(Xb)) * A.T @ A
            radius = max(radius, float(np.abs(1 - np.linalg.eigvalsh(hessian)).max()))
            batches += 1
    return w, b, batches, radius


def test_keras_linear_sgd_by_both_loops_reaches_numpy_and_torch():
    """Tolerance: each float32 step rounds the gradient's sums of B + n + 2 terms and the
    update, an error of at most (B + n + 2)·u·scale with scale the largest weight (u = 2⁻²⁴).
    While every step's linear part I - η·H_b has spectral radius ρ ≤ 1 (checked) an earlier
    error never grows, so after `steps` steps the weights differ from exact arithmetic by at
    most steps·(B + n + 2)·u·scale; twice that bounds two float32 runs against each other."""
    X, y = _problem()
    task = make_task("regress", y)
    torch_model = make_model("linear", N, 1, seed=SEED)
    w0 = torch_model.affine.weight.detach().numpy().T.copy()
    b0 = torch_model.affine.bias.detach().numpy().copy()
    w_ref, b_ref, steps, radius = _numpy_reference(X, y, w0, b0)
    assert radius <= 1.0  # the condition the bound rests on
    scale = max(1.0, float(np.abs(w_ref).max()), float(np.abs(b_ref).max()))
    bound = steps * (BATCH + N + 2) * U * scale
    reference = np.concatenate([w_ref.ravel(), b_ref.ravel()])

    config = FitConfig(epochs=EPOCHS, device="cpu")
    optimizer = build_optimizer(torch_model, "sgd", lrate=LRATE)
    fit(torch_model, optimizer, _loader(X, y), task, config)
    torch_weights = np.concatenate(
        [
            torch_model.affine.weight.detach().numpy().ravel(),
            torch_model.affine.bias.detach().numpy(),
        ]
    )
    results, losses = {"torch": torch_weights}, {}
    for loop in ("descentlab", "fit"):
        keras_model = make_keras_model("linear", N, 1, seed=SEED)
        sgd = build_keras_optimizer("sgd", lrate=LRATE)
        outcome = keras_fit(keras_model, sgd, _loader(X, y), task, config, loop=loop)
        assert outcome.status == "finished" and outcome.steps == steps
        kernel, bias = keras_model.get_weights()
        results[loop] = np.concatenate([kernel.ravel(), bias.ravel()])
        losses[loop] = outcome.history["train_loss"]
    for name, weights in results.items():
        error = np.abs(weights - reference).max()
        assert error <= bound, f"{name}: {error:.3g} > bound {bound:.3g}"
    for loop in ("descentlab", "fit"):
        assert np.abs(results[loop] - results["torch"]).max() <= 2 * bound
    # Keras's running loss (fit) is the same sample-weighted epoch mean as our loop's
    np.testing.assert_allclose(losses["fit"], losses["descentlab"], rtol=1e-5)
    # and the run learned: the weights moved far further than the bound from the start
    assert np.abs(reference - np.concatenate([w0.ravel(), b0])).max() > 1e4 * bound


def test_fit_loop_stops_at_the_first_non_finite_loss():
    X, y = _problem()
    task = make_task("regress", y)
    for loop in ("descentlab", "fit"):
        model = make_keras_model("linear", N, 1, seed=SEED)
        outcome = keras_fit(
            model,
            build_keras_optimizer("sgd", lrate=1e6),
            _loader(X, y),
            task,
            FitConfig(epochs=3, device="cpu"),
            loop=loop,
        )
        assert outcome.status == "diverged" and outcome.epochs_run == 1, loop
        assert outcome.message.startswith("diverged at epoch 1, step "), outcome.message
        assert np.isnan(outcome.history["train_loss"][0])


OPTIMIZER_TABLE = [
    ("sgd", {}),
    ("sgd", {"weight_decay": 0.01}),
    ("momentum", {}),
    ("nesterov", {"momentum": 0.8}),
    ("adam", {"betas": (0.8, 0.99)}),
    ("adam", {"weight_decay": 0.05, "decoupled_weight_decay": True}),
    ("amsgrad", {}),
    ("adamw", {}),
    ("rmsprop", {}),
    ("rmsprop", {"momentum": 0.5, "centered": True}),
    ("adagrad", {"initial_accumulator_value": 0.1}),
    ("adadelta", {}),
]


@pytest.mark.parametrize(("name", "options"), OPTIMIZER_TABLE)
def test_every_mapped_optimizer_follows_torch_on_the_same_batches(name, options):
    """The MLP with each optimizer Keras runs alike (NOTE [keras optimizers]), two epochs on
    the same batches: Keras ends where torch.optim does. Besides float32 rounding the only
    difference is where ε sits (Adam: ε·√(1-β₂ᵗ); RMSprop, Adagrad: ε² under the root), which
    moves an update by a relative ε/√v ≲ 1e-8/1e-3 here: 1e-4 relative covers both over these
    16 steps. (With ε itself under the root, RMSprop misses this by 3e-4 absolute.)"""
    X, y = _problem()
    X, y = X[:128], y[:128]
    task = make_task("regress", y)
    lrate = 1.0 if name == "adadelta" else 0.01
    torch_model = make_model("mlp", N, 1, layers=(8,), activation="tanh", seed=SEED)
    keras_model = keras_model_from_torch(torch_model)
    config = FitConfig(epochs=2, device="cpu")
    optimizer = build_optimizer(torch_model, name, lrate=lrate, **options)
    fit(torch_model, optimizer, _loader(X, y), task, config)
    keras_optimizer = build_keras_optimizer(name, lrate=lrate, **options)
    keras_fit(keras_model, keras_optimizer, _loader(X, y), task, config)
    want = [p.detach().numpy() for p in torch_model.parameters()]
    for got, expected in zip(torch_layout(keras_model), want, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
