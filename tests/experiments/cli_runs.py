"""Running ``descentlab run …`` as a real subprocess, for the experiments' CLI tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import Any


def run_json(*args: str) -> dict[str, Any]:
    """``descentlab run ARGS… --json``: checks the exit code and returns the printed payload."""
    exe = shutil.which("descentlab")
    command = [exe] if exe else [sys.executable, "-m", "descentlab.cli"]
    done = subprocess.run(
        [*command, "run", *args, "--json"], capture_output=True, text=True, timeout=3600
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
