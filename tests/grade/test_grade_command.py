"""The CLI seam: parsers, exit codes, outputs and usage errors."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from grade_corpus import SUBMISSIONS

from descentlab.commands.grade import add_parser
from descentlab.grade import load_case_set


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="descentlab")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_parser(subparsers)
    return parser.parse_args(argv)


def _run(argv: list[str]) -> tuple[int, str]:
    args = _parse(argv)
    stream = io.StringIO()
    return args.handler(args, stream), stream.getvalue()


def test_check_exits_0_when_every_case_passes() -> None:
    code, out = _run(["check", str(SUBMISSIONS / "correct" / "numpy_vectorised.py")])
    assert code == 0 and out.rstrip().endswith("96/96 points") and out.startswith("descentlab")


def test_check_exits_1_on_a_failure_and_writes_json_and_html(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    code, out = _run(
        ["check", str(SUBMISSIONS / "broken" / "sign_flipped.py"), "--json", "--html", str(html)]
    )
    assert code == 1
    data = json.loads(out)
    assert data["passed"] is False and data["functions"][0]["diagnosis"][0]["mistake"] == (
        "sign_flipped"
    )
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_check_with_file_function_and_as() -> None:
    target = str(SUBMISSIONS / "correct" / "named_onefeature.py") + ":step1"
    code, out = _run(["check", target, "--as", "gradient_step_onefeature", "--timeout", "3"])
    assert code == 0 and "gradient_step_onefeature (graded: step1)" in out
    with pytest.raises(ValueError, match="names must say which function step1 implements"):
        _run(["check", target])


def test_check_usage_errors_raise_for_the_cli_to_map_to_exit_2(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="path must be an existing file"):
        _run(["check", str(tmp_path / "missing.py")])
    with pytest.raises(FileNotFoundError, match="cases must be an existing directory"):
        _run(["check", str(SUBMISSIONS / "correct" / "loops.py"), "--cases", str(tmp_path / "x")])
    with pytest.raises(SystemExit):
        _parse(["check", "solution.py", "--as", "adam"])


def test_cases_generate_writes_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    code, out = _run(["cases", "generate", "--out", str(tmp_path), "--seed", "3"])
    assert code == 0 and len(out.splitlines()) == 4
    assert len(load_case_set("gradient_step", tmp_path)) == 24
    with pytest.raises(ValueError, match="--force"):
        _run(["cases", "generate", "--out", str(tmp_path), "--seed", "4"])
    code, _ = _run(["cases", "generate", "--out", str(tmp_path), "--seed", "4", "--force"])
    assert code == 0


def test_generated_cases_can_be_used_by_check(tmp_path: Path) -> None:
    _run(["cases", "generate", "--out", str(tmp_path), "--seed", "11"])
    target = str(SUBMISSIONS / "correct" / "einsum.py")
    code, out = _run(["check", target, "--cases", str(tmp_path)])
    assert code == 0, out


@pytest.mark.parametrize("option", ["--html", "--gradebook"])
def test_output_files_are_checked_before_grading(option: str, tmp_path: Path) -> None:
    target = str(SUBMISSIONS / "correct" / "numpy_vectorised.py")
    with pytest.raises(ValueError, match=f"{option} must name a file, got the folder"):
        _run(["check", target, option, str(tmp_path)])
    with pytest.raises(FileNotFoundError, match=f"{option} must be in an existing folder"):
        _run(["check", target, option, str(tmp_path / "absent" / "out")])
    existing = tmp_path / "mine.txt"
    existing.write_text("the user's own file")
    with pytest.raises(ValueError, match="use --force"):
        _run(["check", target, option, str(existing)])
    assert existing.read_text() == "the user's own file"
