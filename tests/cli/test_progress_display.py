"""Progress on long commands (NOTE [quiet progress]): drawn on a terminal, through the real CLI
on a pseudo-terminal; silent into a pipe and with ``--json``; the adapters count right."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from descentlab.commands.progress_display import (
    CountedProgress,
    ProgressDisplay,
    TrialsProgress,
    progress_wanted,
)

TRAIN = (
    "train", "--model", "mlp", "--layers", "16", "--dataset", "digits", "--epochs", "6",
    "--batch-size", "8", "--lrate", "0.01",
)  # fmt: skip


def on_terminal(args: list[str], program: tuple[str, ...] = ("-m", "descentlab")):
    """Run ``python PROGRAM ARGS`` with stdout and stderr on a pseudo-terminal of 120 columns;
    its exit code and everything it drew."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, *program, *args],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=600), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_train_draws_progress_on_a_terminal_and_nothing_into_a_pipe(tmp_path):
    code, drawn = on_terminal([*TRAIN, "--out", str(tmp_path / "tty")])
    assert code == 0, drawn
    assert "\x1b[" in drawn  # drawn live, with control sequences
    assert "samples/s" in drawn and "loss " in drawn and "epoch 6/6" in drawn
    assert "train (run 1, finished, 6 epochs)" in drawn

    piped = subprocess.run(
        [sys.executable, "-m", "descentlab", *TRAIN, "--out", str(tmp_path / "pipe")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == "" and "\x1b" not in piped.stdout
    assert piped.stdout.startswith("train (run 1, finished, 6 epochs)")


@pytest.mark.slow
def test_json_on_a_terminal_draws_nothing(tmp_path):
    code, drawn = on_terminal([*TRAIN, "--epochs", "2", "--out", str(tmp_path), "--json"])
    assert code == 0, drawn
    assert "\x1b[" not in drawn and "samples/s" not in drawn
    assert drawn.lstrip().startswith("{")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_wanted_needs_terminals_and_no_json():
    assert progress_wanted(False, (Terminal(), Terminal()))
    assert not progress_wanted(True, (Terminal(), Terminal()))
    assert not progress_wanted(False, (Terminal(), io.StringIO()))
    assert not progress_wanted(False, (object(),))


def test_a_disabled_display_draws_nothing_and_builds_nothing():
    stream = Terminal()
    with ProgressDisplay(False, stream=stream) as display:
        counted = CountedProgress(display, "experiment", 3)
        counted.start("a")
        counted.finish()
    assert stream.getvalue() == "" and display._progress is None


def test_counted_and_trials_progress_draw_their_counts():
    stream = Terminal()
    with ProgressDisplay(True, stream=stream) as display:
        counted = CountedProgress(display, "experiment", 3)
        counted.start("gd-onefeature")
        counted.start("lr-sweep")
        trials = TrialsProgress(display, 4)
        trials.started()
        trials.started()
        trials.ended("finished", 0.5)
        trials.ended("diverged", None)
        trials.started()
        trials.ended("finished", 0.25)
        counted.finish()
    drawn = stream.getvalue()
    assert "experiments done" in drawn and "3/3" in drawn
    assert (trials.done, trials.running, trials.failed, trials.best) == (3, 0, 1, 0.25)
    assert "running 0  failed 1  best 0.25" in drawn


def test_a_delayed_display_stays_silent_until_the_delay_passed():
    stream = Terminal()
    with ProgressDisplay(True, stream=stream, delay=3600) as display:
        task = display.add("train", 10)
        display.update(task, completed=5)
    assert stream.getvalue() == ""


@pytest.mark.slow
def test_tour_reports_each_experiment_before_it_starts(tmp_path, monkeypatch):
    import descentlab.experiments.tour as tour
    from descentlab.experiments import EXPERIMENTS

    names = ["gd-onefeature", "gd-multifeature"]
    monkeypatch.setattr(tour, "EXPERIMENTS", {name: EXPERIMENTS[name] for name in names})
    calls = []
    tour.run_tour(tmp_path, on_experiment=lambda *call: calls.append(call))
    assert calls == [(0, 2, "gd-onefeature"), (1, 2, "gd-multifeature")]


BENCH_PROBE = """
import sys
from pathlib import Path
sys.path.insert(0, {bench!r})
import run_all
fake = Path({fake!r})
run_all.discover = lambda names: [fake, fake]
sys.exit(run_all.main(["--quick", "--out", {out!r}]))
"""


@pytest.mark.slow
def test_make_bench_counts_benchmarks_on_a_terminal(tmp_path):
    from pathlib import Path

    bench = Path(__file__).resolve().parents[2] / "benchmarks"
    fake = tmp_path / "bench_tiny.py"
    fake.write_text(
        "from harness import Benchmark, Case, Ratio\n\n\n"
        "def run(quick):\n"
        "    case = Case('a', 0.5, 2.0, 'calls/s')\n"
        "    return Benchmark('tiny', 'tiny', [case], [Ratio('a/a', 1.0, 1.0, True, 'x')])\n"
    )
    probe = BENCH_PROBE.format(bench=str(bench), fake=str(fake), out=str(tmp_path / "out"))
    code, text = on_terminal([], ("-c", probe))
    assert code == 0, text
    # the last state is drawn whatever the refresh rate skipped in between
    assert "benchmark 1 of 2" in text and "benchmarks done" in text and "2/2" in text
    assert text.count("== tiny: tiny") == 2  # the tables still print, above the live line


@pytest.mark.slow
def test_a_sweep_draws_its_trials_on_a_terminal_and_nothing_into_a_pipe(tmp_path):
    """``descentlab sweep``: trials done, failed and the best so far on a terminal; a pipe gets
    only the summary on stdout and an empty stderr."""
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(
        'run = "train"\n[fixed]\nmodel = "mlp"\nlayers = "32"\ndataset = "digits"\n'
        'task = "classify"\ndevice = "cpu"\nepochs = 4\nbatch_size = 8\n'
        '[space]\nlrate = "0.01,0.02,1e30"\n'
    )
    code, drawn = on_terminal(["sweep", str(sweep), "--out", str(tmp_path / "tty")])
    assert code == 0, drawn
    assert "\x1b[" in drawn and "trials" in drawn and "3/3" in drawn
    assert "failed 1" in drawn and "best " in drawn

    piped = subprocess.run(
        [sys.executable, "-m", "descentlab", "sweep", str(sweep), "--out", str(tmp_path / "p")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == "" and "\x1b" not in piped.stdout
    assert piped.stdout.startswith("sweep 1 (")
