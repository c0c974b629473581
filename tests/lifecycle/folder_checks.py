"""Running the real ``descentlab`` command and checking what it left: every file parses."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")
TEMP_SUFFIX = ".tmp"


def environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": SRC, "PYTHONWARNINGS": "ignore"}
    env.update(extra)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "descentlab", *map(str, args)]


def run_cli(*args: str, preexec_fn=None, timeout: float = 240, **env: str):
    """``descentlab ARGS`` to the end; returns the CompletedProcess."""
    return subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment(**env),
        preexec_fn=preexec_fn,
    )


def start_paused(*args: str, stage: str, seconds: float = 60) -> subprocess.Popen:
    """Start ``descentlab ARGS`` and return once it pauses at ``stage`` (the CLI's test hook)."""
    process = subprocess.Popen(
        command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(DESCENTLAB_TEST_PAUSE=f"{stage}:{seconds}"),
    )
    deadline = time.monotonic() + 240
    assert process.stderr is not None
    for line in process.stderr:
        if line.strip() == f"descentlab-test-stage: {stage}":
            return process
        if time.monotonic() > deadline:
            break
    process.kill()
    raise AssertionError(f"the run never reached stage {stage!r} (exit {process.wait()})")


def stop(process: subprocess.Popen, signum: int) -> tuple[int, str]:
    """Send ``signum``; returns the exit code and the rest of stderr."""
    process.send_signal(signum)
    _, rest = process.communicate(timeout=120)
    return process.returncode, rest


def runs(store: Path) -> list[dict]:
    """Every top-level run in a store, read with plain sqlite3 (no descentlab code involved)."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM runs WHERE parent_id IS NULL ORDER BY id").fetchall()
    return [dict(row) for row in rows]


def check_png(path: Path) -> None:
    """A PNG whose every chunk is whole and whose image data inflates to the end."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    position, image, ended = 8, b"", False
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        crc = int.from_bytes(data[position + 8 + length : position + 12 + length], "big")
        assert len(body) == length and zlib.crc32(kind + body) == crc, path
        image += body if kind == b"IDAT" else b""
        ended = kind == b"IEND"
        position += 12 + length
    assert ended, path
    zlib.decompress(image)


def check_folder(folder: Path) -> dict | None:
    """Every PNG, SVG and JSON in ``folder`` parses; a complete manifest's files all exist.
    Returns the manifest (None when there is none)."""
    for path in folder.iterdir():
        if path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX):
            continue  # a killed writer's temporary file: never read, removed by the next claim
        if path.suffix == ".png":
            check_png(path)
        elif path.suffix == ".svg":
            ET.parse(path)
        elif path.suffix == ".json":
            json.loads(path.read_text())
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        return None
    manifest = json.loads(manifest_path.read_text())
    if manifest["complete"]:
        for name in manifest["files"]:
            assert (folder / name).is_file(), (folder, name)
    return manifest


def interrupted(run: dict) -> bool:
    """Stored as interrupted: the status where the store has it, else failed with the reason."""
    message = run["message"] or ""
    return run["status"] == "interrupted" or (
        run["status"] == "failed" and message.startswith("interrupted")
    )


SIGINT, SIGTERM, SIGKILL = signal.SIGINT, signal.SIGTERM, signal.SIGKILL
