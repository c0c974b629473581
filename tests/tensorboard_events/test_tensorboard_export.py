"""TensorBoard event files, read back with TensorBoard's own ``EventAccumulator``: the values are
the store's (rounded to float32, NOTE [tensorboard scalars]), the settings reach the HParams
plugin, the figures the Images tab; nothing already in the log directory is overwritten."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from descentlab.store import ResultsStore


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "descentlab", *args], capture_output=True, text=True, timeout=600
    )


def read(folder: Path):
    from descentlab.quiet_tensorflow import tensorflow

    tensorflow()  # the reader's file access goes through TensorFlow's gfile: import it quietly
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    return events


def scalars(events, tag: str) -> tuple[list[int], np.ndarray]:
    points = events.Scalars(tag)
    return [p.step for p in points], np.array([p.value for p in points], dtype=np.float32)


def assert_same_as_store(events, metrics: dict[str, np.ndarray]) -> None:
    assert metrics, "the store holds metrics for this run"
    assert set(metrics) <= set(events.Tags()["scalars"])
    for name, values in metrics.items():
        steps, written = scalars(events, name)
        assert steps == list(range(len(values)))
        np.testing.assert_array_equal(written, values.astype(np.float32))  # NaN equals NaN


def hparams_of(events) -> dict:
    from tensorboard.plugins.hparams import metadata

    content = events.PluginTagToContent(metadata.PLUGIN_NAME)
    start = metadata.parse_session_start_info_plugin_data(content[metadata.SESSION_START_INFO_TAG])
    end = metadata.parse_session_end_info_plugin_data(content[metadata.SESSION_END_INFO_TAG])
    values = {}
    for key, value in start.hparams.items():
        values[key] = getattr(value, value.WhichOneof("kind"))
    return {"hparams": values, "status": end.status}


def hparams_table(logdir: Path) -> tuple[set[str], set[str]]:
    """The HParams tab's columns as TensorBoard's own plugin backend computes them for a log
    directory: hyperparameter names and metric tags (NOTE [tensorboard hparams])."""
    read(logdir)  # TensorFlow imported quietly
    from tensorboard import context
    from tensorboard.backend.event_processing import plugin_event_multiplexer as multiplexer
    from tensorboard.backend.event_processing.data_provider import MultiplexerDataProvider
    from tensorboard.plugins.hparams import backend_context

    runs = multiplexer.EventMultiplexer()
    runs.AddRunsFromDirectory(str(logdir))
    runs.Reload()

    provider = MultiplexerDataProvider(runs, str(logdir))
    folder = str(logdir)

    class Board:  # the part of TensorBoard's plugin context the hparams backend reads
        data_provider = provider
        multiplexer = runs
        logdir = folder

    hparams = backend_context.Context(Board)
    request = context.RequestContext()
    experiment = hparams.experiment_from_metadata(
        request,
        "",
        include_metrics=True,
        hparams_run_to_tag_to_content=hparams.hparams_metadata(request, ""),
        data_provider_hparams=hparams.hparams_from_data_provider(request, "", limit=None),
    )
    return (
        {info.name for info in experiment.hparam_infos},
        {info.name.tag for info in experiment.metric_infos},
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict:
    """One tiny training run written live, and an lr-sweep run, in one store."""
    root = tmp_path_factory.mktemp("tb")
    out, live = root / "out", root / "live"
    done = cli(
        "train", "--model", "mlp", "--layers", "6", "--dataset", "wine", "--epochs", "3",
        "--batch-size", "32", "--lrate", "0.01", "--out", str(out), "--tensorboard", str(live),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert cli("run", "lr-sweep", "--out", str(out)).returncode == 0
    return {"root": root, "out": out, "live": live}


@pytest.mark.slow
def test_live_training_events_equal_the_store(trained):
    (folder,) = [p for p in trained["live"].iterdir() if p.name.startswith("train-")]
    events = read(folder)
    with ResultsStore.open_readonly(trained["out"] / "runs.sqlite") as store:
        metrics = store.metrics(1)
    assert_same_as_store(events, metrics)
    recorded = hparams_of(events)
    assert recorded["hparams"]["lrate"] == pytest.approx(0.01)
    assert recorded["hparams"]["dataset"] == "wine"
    assert recorded["status"] == 1  # STATUS_SUCCESS
    assert "figures/learning-curves" in events.Tags()["images"]


@pytest.mark.slow
def test_export_writes_runs_trials_and_figures_as_the_store_holds_them(trained):
    logdir = trained["root"] / "exported"
    done = cli(
        "runs", "export", "1", "2", "--out", str(trained["out"]), "--tensorboard", str(logdir)
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in logdir.iterdir() if not p.name.startswith(".")) == [
        "run-1-train",
        "run-2-lr-sweep",
    ]
    with ResultsStore.open_readonly(trained["out"] / "runs.sqlite") as store:
        assert_same_as_store(read(logdir / "run-1-train"), store.metrics(1))
        sweep = store.load_experiment(2)
        sweep_events = read(logdir / "run-2-lr-sweep")
        images = sweep_events.Tags()["images"]
        assert images, "the lr-sweep figures are in the Images tab"
        image = sweep_events.Images(images[0])[0]
        assert image.encoded_image_string.startswith(b"\x89PNG") and image.width > 100
        for trial in sweep.trials:
            (folder,) = list((logdir / "run-2-lr-sweep").glob(f"{trial.id}-*"))
            events = read(folder)
            assert_same_as_store(events, sweep.metrics[trial.id])
            assert hparams_of(events)["hparams"]["lrate"] == pytest.approx(trial.config["lrate"])
    names, metrics = hparams_table(logdir)
    assert {"lrate", "label", "trial_id", "layers", "optimizer", "epochs"} <= names
    assert {"train_loss", "val_loss", "loss"} <= metrics
    # nothing is overwritten: the same export again is refused, the files stay as they were
    before = sorted((logdir / "run-1-train").iterdir())
    again = cli("runs", "export", "1", "--out", str(trained["out"]), "--tensorboard", str(logdir))
    assert again.returncode == 2
    assert "must not hold 'run-1-train' yet" in again.stderr and "Traceback" not in again.stderr
    assert sorted((logdir / "run-1-train").iterdir()) == before


@pytest.mark.slow
def test_refusals_write_nothing(trained):
    users = trained["root"] / "users"
    users.mkdir()
    (users / "notes.txt").write_text("mine")
    foreign = cli("runs", "export", "1", "--out", str(trained["out"]), "--tensorboard", str(users))
    assert foreign.returncode == 2 and "--tensorboard must be empty" in foreign.stderr
    assert [p.name for p in users.iterdir()] == ["notes.txt"]
    train = cli(
        "train", "--model", "linear", "--dataset", "wine", "--epochs", "1",
        "--out", str(trained["root"] / "never"), "--tensorboard", str(users),
    )  # fmt: skip
    assert train.returncode == 2 and "--tensorboard must be empty" in train.stderr
    assert [p.name for p in users.iterdir()] == ["notes.txt"]
    assert not (trained["root"] / "never").exists()
    fresh = trained["root"] / "fresh"
    unknown = cli(
        "runs", "export", "1", "99", "--out", str(trained["out"]), "--tensorboard", str(fresh)
    )
    assert unknown.returncode == 2 and "99" in unknown.stderr
    assert not fresh.exists()
    two = cli("runs", "export", "1", "2", "--out", str(trained["out"]))
    assert two.returncode == 2 and "--tensorboard" in two.stderr


def test_png_size_and_names():
    from descentlab.tensorboard_events import flat_hparams, png_size, run_folder_name
    from descentlab.validation import InputValueError

    header = (
        b"\x89PNG\r\n\x1a\n"
        + b"\0\0\0\rIHDR"
        + (640).to_bytes(4, "big")
        + (480).to_bytes(4, "big")
        + b"\x08\x06"
    )
    assert png_size(header) == (480, 640, 4)
    with pytest.raises(InputValueError, match="image must be the bytes of a PNG file"):
        png_size(b"GIF89a")
    assert run_folder_name(5, "lrate=0.1, batch 8") == "5-lrate=0.1_batch_8"
    assert flat_hparams({"a": 1, "b": {"c": [1, 2], "d": None}, "e": True}) == {
        "a": 1.0,
        "b.c": "[1, 2]",
        "e": True,
    }
