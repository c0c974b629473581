"""TensorFlow submissions through the real CLI, as a learner or an instructor runs it:
``python -m descentlab check FILE`` in a subprocess (exit code, table or JSON on stdout, nothing
on stderr but what the CLI itself says)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from grade_corpus import SUBMISSIONS

import descentlab

SRC = Path(descentlab.__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "descentlab", "check", *args, "--timeout", "2"]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=600, check=False
    )


def test_a_correct_tf_learner_passes_with_exit_0() -> None:
    done = _check(str(SUBMISSIONS / "tf" / "tape_eager_float64.py"), "--hidden-seed", "7")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("descentlab check: tape_eager_float64.py")
    assert done.stdout.rstrip().endswith("PASS: 48/48 cases passed, 96/96 points")
    assert "hidden cases drawn from seed 7" in done.stdout
    assert done.stderr == ""


def test_a_broken_tf_learner_fails_with_exit_1_and_its_diagnosis_in_json() -> None:
    target = SUBMISSIONS / "tf" / "sign_flipped_missing_2_over_m.py"
    done = _check(str(target), "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["passed"] is False and report["sandbox"] in ("bwrap", "unshare")
    mistakes = {f["name"]: [d["mistake"] for d in f["diagnosis"]] for f in report["functions"]}
    assert mistakes == {
        "gradient_step_onefeature": ["missing_2_over_m"],
        "gradient_step": ["sign_flipped"],
    }
    received = report["functions"][1]["public"][0]["received"]["new_weight"]
    assert (received["type"], received["dtype"]) == ("tf.Variable", "tf.float64")
