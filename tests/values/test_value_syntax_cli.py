"""The value syntax as a user types it: `run --set`, `run optimizers`, `train --optimizer-set`."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from descentlab.cli import main
from descentlab.commands.train import add_parser, config_from_args
from descentlab.experiments.optimizers import optimizer_spec


def cli(*args: str, out) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "descentlab", *args, "--out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def train_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    return parser.parse_args(["train", *argv])


def test_betas_are_written_the_same_in_a_spec_and_in_optimizer_set() -> None:
    spec = optimizer_spec("optimizers[0]", "adam:betas=0.5/0.99")
    config = config_from_args(
        train_args("--optimizer", "adam", "--optimizer-set", "betas=0.5/0.99")
    )
    assert dict(config.optimizer_options)["betas"] == spec.given["betas"] == (0.5, 0.99)


def test_schedule_set_reads_each_argument_by_its_kind() -> None:
    args = train_args(
        "--schedule", "multistep", "--schedule-set", "milestones=10/20", "--schedule-set",
        "gamma=1e-1",
    )  # fmt: skip
    assert dict(config_from_args(args).schedule_options) == {"milestones": (10, 20), "gamma": 0.1}


REFUSALS = [
    (("run", "gd-onefeature", "--set", "lrate=abc"), "lrate must be a number, got 'abc'"),
    (("run", "gd-onefeature", "--set", "lrate=nan"), "lrate must be a finite number, got 'nan'"),
    (
        ("run", "gd-onefeature", "--set", "epochs=5", "--set", "epochs=6"),
        "--set must set each key once, got epochs='5' and epochs='6'",
    ),
    (("run", "minibatch-sgd", "--set", "drop_last=yes"), "drop_last must be true or false"),
    (("run", "lr-sweep", "--set", "lrates=0.1/0.2"), "(lrates=0.1,0.2), got '0.1/0.2'"),
    (
        ("run", "optimizers", "--set", "optimizers=sgd,adam:betas=0.9,0.99"),
        "optimizers[2] must be name or name:key=value:... (a sequence joins its numbers with '/'",
    ),
    (
        ("run", "optimizers", "--set", "optimizers=adam:betas=(0.9/0.99)"),
        "betas must be numbers joined by '/' (betas=0.9/0.99)",
    ),
    (
        ("train", "--optimizer", "adam", "--optimizer-set", "betas=0.9,0.99", "--epochs", "1"),
        "betas must be numbers joined by '/' (betas=0.9/0.99), got '0.9,0.99'",
    ),
    (
        ("train", "--schedule", "multistep", "--schedule-set", "milestones=[1,2]", "--epochs", "3"),
        "milestones must be numbers joined by '/' (milestones=1/2), got '[1,2]'",
    ),
    (
        ("train", "--optimizer", "sgd", "--optimizer-set", "nesterov=1", "--epochs", "1"),
        "nesterov must be true or false, got '1'",
    ),
    (
        ("train", "--optimizer", "sgd", "--optimizer-set", "betas=0.9/0.99", "--epochs", "1"),
        "--optimizer-set key must be one of lr, momentum, dampening, weight_decay, nesterov, "
        "maximize, got 'betas'",
    ),
]


@pytest.mark.parametrize("argv, message", REFUSALS, ids=[" ".join(a[:4]) for a, _ in REFUSALS])
def test_a_mistyped_value_is_one_line_and_exit_2(tmp_path, capsys, argv, message) -> None:
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and message in stderr, stderr
    assert not (tmp_path / "out").exists()  # refused before anything was written


@pytest.mark.slow
@pytest.mark.parametrize("argv, message", [REFUSALS[0], REFUSALS[7]])
def test_the_console_command_refuses_the_same_way(tmp_path, argv, message) -> None:
    done = cli(*argv, out=tmp_path / "out")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
