"""Learning curves of a ``descentlab train`` run, drawn from its stored per-epoch metrics.

A diverged run's last epoch has no finite training loss: the curves stop at the last drawable
value and a cross marks the epoch it diverged in (NOTE [clipped curves]). Runs stored before
every series had one value per epoch (NOTE [divergence] in :mod:`descentlab.train.fit`) may
lack the diverged epoch's validation values: each series is drawn against its own epochs.
"""

from __future__ import annotations

import numpy as np

from descentlab.plots.diverged import drawable, mark_divergence, on_chart
from descentlab.plots.figure_files import new_figure
from descentlab.plots.tick_labels import set_scale
from descentlab.store.records import StoredExperiment


def _positive(values: np.ndarray) -> bool:
    shown = values[drawable(values)]
    return shown.size > 0 and bool(np.all(shown > 0))


def _series(ax, epochs: np.ndarray, values: np.ndarray, *args, log: bool = False, **kwargs):
    """Draw ``values`` against the first ``len(values)`` epochs; returns what was drawn."""
    x = epochs[: len(values)]
    y = on_chart(values[: len(x)], log=log)
    ax.plot(x, y, *args, **kwargs)
    return x, y


def learning_curves(stored: StoredExperiment) -> list:
    run = stored.run
    metrics = stored.trial_metrics(run)
    config = run.config
    epochs = metrics.get("epoch", np.arange(1, len(metrics.get("train_loss", [])) + 1))
    classify = config.get("task") == "classify"
    fig, (loss_ax, right) = new_figure(11, 4.2, ncols=2)
    losses = np.concatenate([metrics["train_loss"], metrics.get("val_loss", [])])
    log = _positive(losses)
    x, y = _series(loss_ax, epochs, metrics["train_loss"], "o-", ms=3, color="tab:blue",
                   label="training", log=log)  # fmt: skip
    if "val_loss" in metrics:
        x, y = _series(loss_ax, epochs, metrics["val_loss"], "s-", ms=3, color="tab:orange",
                       label="validation", log=log)  # fmt: skip
    if run.status == "diverged" and len(epochs):
        # the last drawable value before the run diverged in its last recorded epoch
        text = f"diverged in epoch {int(epochs[-1])}"
        if run.message and run.message.startswith("diverged at epoch"):
            text = run.message.split(" with lrate")[0]  # "diverged at epoch E, step S"
        mark_divergence(loss_ax, x, y, text, log=log)
    if log:
        set_scale(loss_ax, "y", "log")
    loss_name = config.get("loss", "loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel(f"{loss_name} (log scale)" if loss_ax.get_yscale() == "log" else loss_name)
    loss_ax.set_title("Loss per epoch")
    loss_ax.legend(fontsize=8)
    if classify and "val_accuracy" in metrics:
        _series(right, epochs, metrics["val_accuracy"], "s-", ms=3, color="tab:green",
                label="validation accuracy")  # fmt: skip
        right.set_ylabel("accuracy")
        right.set_ylim(0, 1.02)
        right.set_title("Validation accuracy")
    else:
        _series(right, epochs, metrics["lrate"], "o-", ms=3, color="tab:purple",
                label="learning rate")  # fmt: skip
        right.set_ylabel("learning rate")
        right.set_title("Learning rate per epoch")
    right.set_xlabel("epoch")
    right.legend(fontsize=8)
    model = config.get("model", "?")
    if model == "mlp":
        widths = "-".join(str(w) for w in config.get("layers", []))
        model = f"MLP {widths} ({config.get('activation')})"
    best = ""
    if "val_loss" in metrics:
        best = f", best validation epoch {run.results.get('best_epoch')}"
    caption = (
        f"Learning curves of {model} trained with {config.get('optimizer')} (lrate "
        f"{config.get('lrate')}) on {config.get('dataset')}, batch size "
        f"{config.get('batch_size')}: status {run.status}{best}."
    )
    return [("learning-curves", caption, fig)]
