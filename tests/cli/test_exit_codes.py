"""NOTE [input errors]: the exit code and the one stderr line tell bad input (2), the
environment's failure (1, naming the file, no bug hint) and a defect in descentlab (1, with the
bug-report hint) apart. Each failure is injected where ``run`` hands over to the experiment
runner, and the real ``cli.main`` reports it."""

from __future__ import annotations

import argparse
import errno
import os

import pytest

from descentlab import cli
from descentlab.experiments import runner
from descentlab.store import StoreWriteError
from descentlab.validation import InputValueError

BUG_HINT = "bug in descentlab"


def _fail_with(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(runner, "run_experiment", refuse)


def _main(capsys: pytest.CaptureFixture[str], tmp_path) -> tuple[int, list[str]]:
    code = cli.main(["run", "gd-onefeature", "--out", str(tmp_path)])
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    ("number", "reason"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_an_environment_error_names_the_file_and_the_reason_without_the_bug_hint(
    monkeypatch, capsys, tmp_path, number, reason
) -> None:
    path = str(tmp_path / "gd-onefeature" / "loss.png")
    _fail_with(monkeypatch, OSError(number, os.strerror(number), path))
    code, lines = _main(capsys, tmp_path)
    assert code == 1
    assert len(lines) == 1 and path in lines[0] and os.strerror(number) in lines[0]
    assert reason.split()[0] in lines[0] and BUG_HINT not in lines[0]


def test_a_store_that_cannot_be_written_is_the_environment_not_a_bug(
    monkeypatch, capsys, tmp_path
) -> None:
    store = str(tmp_path / "runs.sqlite")
    _fail_with(
        monkeypatch, StoreWriteError(errno.EIO, "the results store is full (disk full)", store)
    )
    code, lines = _main(capsys, tmp_path)
    assert code == 1
    assert len(lines) == 1 and store in lines[0] and "disk full" in lines[0]
    assert BUG_HINT not in lines[0]


def test_an_oserror_without_a_file_still_gives_one_line_and_no_bug_hint(
    monkeypatch, capsys, tmp_path
) -> None:
    _fail_with(monkeypatch, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    code, lines = _main(capsys, tmp_path)
    assert code == 1 and len(lines) == 1 and os.strerror(errno.ENOSPC) in lines[0]
    assert BUG_HINT not in lines[0]


@pytest.mark.parametrize("error", [TypeError("unsupported operand"), ValueError("bad shape")])
def test_a_programming_error_is_exit_1_with_the_bug_hint_never_bad_input(
    monkeypatch, capsys, tmp_path, error
) -> None:
    _fail_with(monkeypatch, error)
    code, lines = _main(capsys, tmp_path)
    assert code == 1 and len(lines) == 1
    assert BUG_HINT in lines[0] and type(error).__name__ in lines[0]


def test_bad_input_is_exit_2_in_one_line(monkeypatch, capsys, tmp_path) -> None:
    _fail_with(monkeypatch, InputValueError("--set lrate must be positive, got -1"))
    code, lines = _main(capsys, tmp_path)
    assert (code, lines) == (2, ["descentlab: error: --set lrate must be positive, got -1"])


def test_every_command_names_its_handler() -> None:
    """One dispatch style: each command's parser sets ``handler`` (``commands/*.add_parser``)."""
    parser = cli._parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) >= {"list", "run", "tour", "runs", "check", "cases", "train"}
    for name, command in commands.choices.items():
        assert callable(command.get_default("handler")), name
