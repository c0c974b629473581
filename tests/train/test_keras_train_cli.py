"""``descentlab train --framework keras`` as a user runs it, resume to the same bits, refusals."""

from __future__ import annotations

import json

import pytest

from descentlab.train import load_checkpoint

from .test_train_cli import cli


@pytest.mark.slow
def test_keras_train_writes_store_figures_and_results_then_diverges_cleanly(tmp_path):
    out = tmp_path / "out"
    done = cli(
        "train", "--framework", "keras", "--keras-loop", "fit", "--model", "mlp",
        "--layers", "8,4", "--task", "classify", "--dataset", "wine", "--optimizer", "momentum",
        "--lrate", "0.05", "--epochs", "3", "--batch-size", "32", "--out", str(out), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no TensorFlow start-up line (NOTE [quiet tensorflow])
    payload = json.loads(done.stdout)
    assert payload["status"] == "finished"
    config = payload["config"]
    assert config["framework"] == "keras" and config["keras_loop"] == "fit"
    assert config["resolved_device"] == "cpu"
    history = payload["results"]["history"]
    assert history["epoch"] == [1.0, 2.0, 3.0]
    for name in ("train_loss", "val_loss", "val_accuracy", "lrate", "samples_per_second"):
        assert len(history[name]) == 3
    assert history["train_loss"][-1] < history["train_loss"][0]
    folder = out / "train"
    for name in ("learning-curves.png", "config.json", "results.json", "checkpoint.pt"):
        assert (folder / name).is_file(), name
    assert json.loads((folder / "config.json").read_text())["framework"] == "keras"
    assert json.loads((folder / "results.json").read_text())["history"] == history
    assert load_checkpoint(folder / "checkpoint.pt")["finished"]
    listing = cli("runs", "--out", str(out))
    assert f"{payload['run_ids'][0]:>4}  train" in listing.stdout and "finished" in listing.stdout
    again = cli("rerun", str(payload["run_ids"][0]), "--out", str(out), "--json")
    assert again.returncode == 0, again.stderr
    repeated = json.loads(again.stdout)
    assert repeated["config"]["framework"] == "keras" and repeated["config"]["keras_loop"] == "fit"
    assert repeated["results"]["history"]["train_loss"] == history["train_loss"]

    diverged = cli(
        "train", "--framework", "keras", "--model", "linear", "--dataset", "regression",
        "--optimizer", "sgd", "--lrate", "50", "--epochs", "3", "--out", str(out),
    )  # fmt: skip
    assert diverged.returncode == 0, diverged.stderr
    assert diverged.stderr.startswith("descentlab: diverged at epoch 1, step ")
    assert "with lrate 50 (loss" in diverged.stderr and diverged.stderr.count("\n") == 1
    assert "diverged, 1 epochs): train loss not finite" in diverged.stdout


ARGS = [
    "--framework", "keras", "--model", "mlp", "--layers", "8,4", "--task", "classify",
    "--dataset", "wine", "--optimizer", "adam", "--lrate", "0.01", "--batch-size", "16",
    "--epochs", "5", "--checkpoint-every", "2", "--seed", "4",
]  # fmt: skip


def _config(args):
    import argparse

    from descentlab.commands.train import add_parser, config_from_args

    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    return config_from_args(parser.parse_args(["train", *args]))


def _weights(folder):
    saved = load_checkpoint(folder / "train" / "checkpoint.pt")
    return [
        b"".join(t.numpy().tobytes() for t in saved[key].values()) for key in ("model", "optimizer")
    ]


@pytest.mark.slow
@pytest.mark.parametrize("loop", ["descentlab", "fit"])
def test_interrupted_keras_run_resumes_bit_identical(tmp_path, loop):
    """Interrupted after epoch 3 (checkpoint of epoch 2): the resumed run ends with the same
    weights, optimizer state and history bits as an uninterrupted one."""
    from descentlab.train import run_training

    args = [*ARGS, "--keras-loop", loop]

    def interrupt(event):
        if event.kind == "epoch" and event.epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_training(_config(args), out=tmp_path / "a", callback=interrupt)
    saved = load_checkpoint(tmp_path / "a" / "train" / "checkpoint.pt")
    assert saved["state"]["epoch"] == 2 and not saved["finished"]

    resumed = run_training(_config(args), out=tmp_path / "a", resume=True)
    fresh = run_training(_config(args), out=tmp_path / "b")
    assert resumed.results["resumed_from_epoch"] == 2 and resumed.status == "finished"
    assert resumed.run_id == saved["config"]["run_id"]
    assert _weights(tmp_path / "a") == _weights(tmp_path / "b")
    for name in ("train_loss", "val_loss", "val_accuracy"):
        assert resumed.results["history"][name] == fresh.results["history"][name]
    assert resumed.results["steps"] == fresh.results["steps"] == 5 * 9  # 142 samples, batch 16


BAD = [
    (("--framework", "jax"), "framework must be one of 'torch', 'keras', got 'jax'"),
    (("--keras-loop", "fit"), "keras_loop must be left at 'descentlab' with framework 'torch'"),
    (("--framework", "keras", "--keras-loop", "train"), "keras_loop must be one of"),
    (("--framework", "keras", "--optimizer", "nadam"), "optimizer must be one Keras runs"),
    (("--framework", "keras", "--optimizer", "radam"), "got 'radam' (Keras has no RAdam)"),
    (
        ("--framework", "keras", "--optimizer", "momentum", "--optimizer-set", "dampening=0.1"),
        "dampening (--optimizer-set) must be 0",
    ),
    (
        ("--framework", "keras", "--optimizer", "adam", "--optimizer-set", "weight_decay=0.1"),
        "weight_decay (--optimizer-set) must be 0 for this optimizer",
    ),
    (
        ("--framework", "keras", "--optimizer", "sgd", "--optimizer-set", "maximize=true"),
        "maximize (--optimizer-set) must be False",
    ),
    (
        ("--framework", "keras", "--optimizer", "adagrad", "--optimizer-set", "lr_decay=0.1"),
        "lr_decay (--optimizer-set) must be 0",
    ),
    (("--framework", "keras", "--schedule", "cosine"), "schedule must be unset"),
    (("--framework", "keras", "--impl", "descentlab"), "impl must be 'torch'"),
    (("--framework", "keras", "--device", "cuda"), "device must be 'auto' or 'cpu'"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_values_are_refused_by_name(args, message):
    from descentlab.validation import InputValueError

    with pytest.raises(InputValueError) as refused:
        _config(args)
    assert message in str(refused.value)


@pytest.mark.slow
def test_bad_values_exit_2_with_one_line_before_tensorflow(tmp_path):
    """Through the real CLI (a few of the table's rows): exit 2, one line, nothing written."""
    for args, message in (BAD[0], BAD[3], BAD[5]):
        done = cli("train", *args, "--epochs", "1", "--out", str(tmp_path / "out"))
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
        assert "oneDNN" not in done.stderr  # refused before TensorFlow was imported
    assert not (tmp_path / "out").exists()
