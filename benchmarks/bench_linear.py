"""How fast does the linear model train, per path? Samples per second, side by side in one run.

Data: in-memory float32, 200k × 16 (20k × 16 with ``quick``), y = X·w + noise; the linear model
without bias, MSE, plain SGD at a constant lrate. Every case trains whole epochs, each with a new
shuffle, and its time includes that shuffle. The cases are timed in alternating rounds
(``harness.time_side_by_side``), the median of the rounds reported:

* ``torch DataLoader loop @32``: ``DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)``
  feeding ``nn.Linear`` + ``nn.MSELoss`` + ``torch.optim.SGD`` (the common tutorial loop);
* ``torch eager steps @32 (pre-batched)``: the same model and optimizer, the batches sliced from
  a tensor permuted once per epoch (no DataLoader), so what is left is the eager step's cost;
* ``numpy hand-gradient loop @32``: the library's NumPy reference ``minibatchSGD`` (a Python loop
  over batches, every weight recorded);
* ``fast path @32`` and ``fast path @1``: :mod:`descentlab.linear.fast_backend` ``minibatchSGD``
  (``record="epoch"``: the per-batch losses and each epoch's weight kept);
* ``sklearn SGDRegressor @1``: ``SGDRegressor(penalty=None, learning_rate="constant",
  fit_intercept=False, tol=None, shuffle=True)``, ``eta0 = 2·lrate`` (its squared loss is halved,
  so both take the same step), for the same number of epochs.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from sklearn.linear_model import SGDRegressor
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from descentlab.linear import fast_backend, numpy_backend
from harness import Benchmark, Case, Ratio, time_side_by_side

LRATE = 1e-3
FEATURES = 16


def _data(rows: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, FEATURES), dtype=np.float32)
    w = rng.standard_normal((FEATURES, 1)).astype(np.float32)
    y = X @ w + np.float32(0.1) * rng.standard_normal((rows, 1), dtype=np.float32)
    return X, y


def _torch_model() -> tuple[nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(0)
    model = nn.Linear(FEATURES, 1, bias=False)
    return model, torch.optim.SGD(model.parameters(), lr=LRATE)


def _dataloader_epoch(X: torch.Tensor, y: torch.Tensor, batch_size: int):
    model, optimizer = _torch_model()
    loss_fn = nn.MSELoss()
    loader = DataLoader(
        TensorDataset(X, y),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )

    def epoch() -> None:
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()

    return epoch


def _eager_epoch(X: torch.Tensor, y: torch.Tensor, batch_size: int):
    model, optimizer = _torch_model()
    loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(0)

    def epoch() -> None:
        order = torch.randperm(len(X), generator=generator)
        Xp, yp = X[order], y[order]
        for start in range(0, len(X), batch_size):
            optimizer.zero_grad()
            loss_fn(
                model(Xp[start : start + batch_size]), yp[start : start + batch_size]
            ).backward()
            optimizer.step()

    return epoch


def _sklearn_fit(X: np.ndarray, y: np.ndarray, epochs: int):
    target = y.ravel()

    def fit() -> None:
        model = SGDRegressor(
            loss="squared_error",
            penalty=None,
            alpha=0.0,
            learning_rate="constant",
            eta0=2 * LRATE,
            fit_intercept=False,
            max_iter=epochs,
            tol=None,
            shuffle=True,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, target)

    return fit


def run(quick: bool, smoke: bool = False) -> Benchmark:
    rows = 1_000 if smoke else 20_000 if quick else 200_000
    epochs = 3  # per timed call of the fast paths and sklearn (the torch loops time one epoch)
    repeat = 1 if smoke else 3 if quick else 5
    X, y = _data(rows)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def fast(batch_size: int):
        return lambda: fast_backend.minibatchSGD(
            X, y, batch_size, epochs, LRATE, seed=0, record="epoch"
        )

    plan = {  # name: (call, samples per call)
        "torch DataLoader loop @32": (_dataloader_epoch(Xt, yt, 32), rows),
        "torch eager steps @32 (pre-batched)": (_eager_epoch(Xt, yt, 32), rows),
        "numpy hand-gradient loop @32": (
            lambda: numpy_backend.minibatchSGD(X, y, 32, 1, LRATE, seed=0),
            rows,
        ),
        "fast path @32": (fast(32), rows * epochs),
        "fast path @1": (fast(1), rows * epochs),
        "sklearn SGDRegressor @1": (_sklearn_fit(X, y, epochs), rows * epochs),
    }
    timings = time_side_by_side({name: call for name, (call, _) in plan.items()}, repeat=repeat)
    cases = [
        Case(
            name,
            timings[name].median,
            timings[name].rate(samples),
            "samples/s",
            {"epochs_per_call": samples // rows} | timings[name].as_dict(),
        )
        for name, (_, samples) in plan.items()
    ]
    rate = {c.name: c.rate for c in cases}
    ratios = [
        Ratio(
            "fast@32 / DataLoader@32",
            rate["fast path @32"] / rate["torch DataLoader loop @32"],
            10.0,
            True,
            "samples/s of the fast path over the torch DataLoader loop at batch 32",
        ),
        Ratio(
            "fast@1 / SGDRegressor",
            rate["fast path @1"] / rate["sklearn SGDRegressor @1"],
            1.0,
            True,
            "samples/s of single-sample SGD on the fast path over sklearn's SGDRegressor",
        ),
    ]
    setting = f"float32 {rows} × {FEATURES} in memory, linear model + MSE, SGD lrate {LRATE:g}"
    return Benchmark("linear", setting, cases, ratios)
