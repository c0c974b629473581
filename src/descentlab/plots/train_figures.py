"""Learning curves of a ``descentlab train`` run, drawn from its stored per-epoch metrics."""

from __future__ import annotations

import numpy as np

from descentlab.plots.figure_files import new_figure
from descentlab.store.records import StoredExperiment


def _positive(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return finite.size > 0 and bool(np.all(finite > 0))


def learning_curves(stored: StoredExperiment) -> list:
    run = stored.run
    metrics = stored.trial_metrics(run)
    config = run.config
    epochs = metrics.get("epoch", np.arange(1, len(metrics.get("train_loss", [])) + 1))
    classify = config.get("task") == "classify"
    fig, (loss_ax, right) = new_figure(11, 4.2, ncols=2)
    loss_ax.plot(epochs, metrics["train_loss"], "o-", ms=3, color="tab:blue", label="training")
    if "val_loss" in metrics:
        loss_ax.plot(
            epochs, metrics["val_loss"], "s-", ms=3, color="tab:orange", label="validation"
        )
    if _positive(np.concatenate([metrics["train_loss"], metrics.get("val_loss", [])])):
        loss_ax.set_yscale("log")
    loss_name = config.get("loss", "loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel(f"{loss_name} (log scale)" if loss_ax.get_yscale() == "log" else loss_name)
    loss_ax.set_title("Loss per epoch")
    loss_ax.legend(fontsize=8)
    if classify and "val_accuracy" in metrics:
        right.plot(epochs, metrics["val_accuracy"], "s-", ms=3, color="tab:green",
                   label="validation accuracy")  # fmt: skip
        right.set_ylabel("accuracy")
        right.set_ylim(0, 1.02)
        right.set_title("Validation accuracy")
    else:
        right.plot(epochs, metrics["lrate"], "o-", ms=3, color="tab:purple", label="learning rate")
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
