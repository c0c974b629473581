"""What ``descentlab rerun`` and ``run --config`` refuse, through the real CLI: exit 2 and one
line naming the flag, the key or the file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.rerun.cli import ok_json, refused


def test_edited_config_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok_json("run", "gd-onefeature", "--set", "epochs=5", "--out", out)
    written = json.loads((out / "gd-onefeature" / "config.json").read_text())
    foreign = tmp_path / "mine" / "config.json"
    foreign.parent.mkdir()
    foreign.write_text(json.dumps({**written, "lrate": 0.05, "learning_speed": 3}))
    line = refused("run", "gd-onefeature", "--config", foreign, "--out", out)
    assert "'learning_speed'" in line and "config keys" in line
    # outside OUT/<experiment>/ the experiment must be named
    line = refused("run", "--config", foreign, "--out", out)
    assert "experiment must be given" in line
    # the edited settings alone are accepted, and the rerun says it is not the original
    foreign.write_text(json.dumps({**written, "lrate": 0.05}))
    payload = ok_json("run", "gd-onefeature", "--config", foreign, "--out", out)
    assert payload["config"]["lrate"] == 0.05
    assert payload["rerun"]["identical"] is None  # no results known beside the file


def test_bad_rerun_requests_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    line = refused("rerun", "4", "--out", out)
    assert "store must be an existing results file" in line
    ok_json("run", "gd-onefeature", "--set", "epochs=5", "--out", out)
    line = refused("rerun", "99", "--out", out)
    assert "run id" in line and "99" in line
    line = refused("rerun", "0", "--out", out)
    assert "run id" in line
    config = out / "gd-onefeature" / "config.json"
    line = refused("run", "--config", config, "--seed", "0", "--out", out)
    assert "--config" in line and "--seed" in line
    line = refused("run", "--config", tmp_path / "missing.json", "--out", out)
    assert "missing.json" in line
