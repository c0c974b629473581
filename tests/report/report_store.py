"""Small results stores for the report's tests, filled through the store API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from descentlab.store import ResultsStore, TrialRecord

EMBEDDED = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def strict_json(text: str):
    """Parse as strict JSON: NaN, Infinity and -Infinity are refused."""

    def refuse(name: str):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def embedded_data(index: Path) -> dict:
    """The data the page embeds, parsed strictly."""
    (payload,) = EMBEDDED.findall(index.read_text(encoding="utf-8"))
    return strict_json(payload)


def add_lr_sweep(store: ResultsStore, *, diverge: bool = True, label: str = "lr-sweep") -> int:
    """An ``lr-sweep``-shaped run: a loss parabola and one trial per rate, the last diverging to
    inf and NaN when ``diverge``."""
    run = store.begin_run("lr-sweep", config={"lrates": [0.1, 1.5]}, seed=0, versions={},
                          device="cpu", label=label)  # fmt: skip
    weights = np.linspace(-2.0, 2.0, 21)
    good = TrialRecord("lrate=0.1", {"lrate": 0.1}, "finished",
                       {"weight": np.linspace(0, 1, 11), "loss": np.linspace(4, 1, 11)})  # fmt: skip
    bad_loss = np.array([4.0, 9.0, 1e30, np.inf, np.nan])
    bad = TrialRecord("lrate=1.5", {"lrate": 1.5}, "diverged" if diverge else "finished",
                      {"weight": np.array([0.0, 3.0, -1e15, -np.inf, np.nan]), "loss": bad_loss})  # fmt: skip
    store.complete_run(
        run,
        status="finished",
        results={"best": np.inf},
        trials=[good, bad],
        plot_data={
            "curve_weights": weights,
            "curve_losses": (weights - 1) ** 2 + 1,
            "optimum": [1.0, 1.0],
        },
    )
    return run


def add_train(store: ResultsStore, *, lrate: float, optimizer: str, epochs: int = 4) -> int:
    """A ``train``-shaped run logging its per-epoch metrics."""
    run = store.begin_run("train", config={"lrate": lrate, "optimizer": optimizer,
                          "batch_size": 32}, seed=0, versions={}, device="cpu")  # fmt: skip
    for epoch in range(epochs):
        loss = 1.0 / (1 + lrate * 10 * epoch)
        store.log_metrics(run, epoch, {"epoch": epoch + 1, "train_loss": loss,
                                       "val_loss": loss * 1.1})  # fmt: skip
    store.complete_run(run, status="finished", results={})
    return run
