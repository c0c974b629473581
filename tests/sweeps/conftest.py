"""Helpers of the sweep tests: sweep files, the real CLI, and a real PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# NOTE [hang guard] in tests/conftest.py: generous limits, never reached by slowness alone.
HANG_GUARD_S = 3600

#: a tiny training run: a linear model on 200 samples, CPU, few epochs
TINY_TRAIN = """
[fixed]
model = "linear"
n_samples = 200
n_features = 4
device = "cpu"
"""


def write_sweep(folder: Path, text: str, name: str = "sweep.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def cli(*args: str, timeout: float = HANG_GUARD_S) -> subprocess.CompletedProcess:
    """``python -m descentlab ARGS`` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "descentlab", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for this test session: ``initdb`` into a fresh folder and
    ``pg_ctl start`` on a free port (as the unprivileged ``nobody`` when the tests run as root,
    which PostgreSQL refuses to run as). Installed by ``make system-tools`` where missing."""
    binaries = _postgres_bin()
    if binaries is None:
        pytest.fail("PostgreSQL binaries missing: run `make system-tools`")
    folder = Path(tempfile.mkdtemp(prefix="descentlab-pg-"))
    data = folder / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody")
        folder.chmod(0o755)
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        prefix = ["runuser", "-u", "nobody", "--"]
    port = _free_port()
    subprocess.run(
        [*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
         "--no-sync", "-E", "UTF8"],
        check=True, capture_output=True, timeout=HANG_GUARD_S,
    )  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
         str(folder / "log"), "-w", "-t", "120", "start"],
        check=True, capture_output=True, timeout=HANG_GUARD_S,
    )  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True, timeout=HANG_GUARD_S,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def wait_for(predicate, *, timeout: float = HANG_GUARD_S, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the awaited state never came")
        time.sleep(every)
