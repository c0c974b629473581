"""Running ``descentlab`` as a real subprocess for the re-run tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def descentlab(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m descentlab ARGS…``; the wall-clock limit is a hang guard only (NOTE [hang
    guard] in tests/conftest.py)."""
    return subprocess.run(
        [sys.executable, "-m", "descentlab", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=cwd,
    )


def ok_json(*args: str | Path, cwd: Path | None = None) -> dict[str, Any]:
    """The ``--json`` payload of a command that must succeed."""
    done = descentlab(*args, "--json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refused(*args: str | Path, cwd: Path | None = None) -> str:
    """The one stderr line of a command that must exit 2."""
    done = descentlab(*args, cwd=cwd)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]
