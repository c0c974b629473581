"""The dependency rules of ARCHITECTURE.md are import-linter contracts (``.importlinter``): they
hold on the code, and an import that breaks one fails ``lint-imports`` (so ``make lint``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "descentlab"
CONFIG = ROOT / ".importlinter"


def _lint_imports(source_root: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` of the installed import-linter over the package under ``source_root``."""
    program = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    env = {**os.environ, "PYTHONPATH": str(source_root), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", program, "--config", str(CONFIG), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_the_code_keeps_every_contract(tmp_path: Path) -> None:
    done = _lint_imports(ROOT / "src", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "text", "contract"),
    [
        ("data/_upward.py", "import descentlab.commands.run\n", "cli -> commands"),
        ("store/_upward.py", "def f():\n    from descentlab.lifecycle import signals\n", "cli ->"),
        ("train/_sideways.py", "from descentlab.experiments import catalog\n", "cli ->"),
        ("grade/inside/_leak.py", "from descentlab.validation import check_seed\n", "grade.inside"),
        ("linear/_drawing.py", "import matplotlib\n", "the math (linear)"),
    ],
)
def test_an_import_against_the_rules_breaks_its_contract(
    tmp_path: Path, module: str, text: str, contract: str
) -> None:
    copy = tmp_path / "src" / "descentlab"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "cases"))
    (copy / module).write_text(text)
    done = _lint_imports(copy.parent, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    broken = [line for line in done.stdout.splitlines() if line.rstrip().endswith("BROKEN")]
    assert len(broken) == 1 and contract in broken[0], done.stdout
    assert module.removesuffix(".py").replace("/", ".") in done.stdout
