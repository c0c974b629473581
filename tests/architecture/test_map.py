"""ARCHITECTURE.md's package map stays true: every entry of ``src/descentlab/`` is in its table,
and every path the table names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "descentlab"
MAP = ROOT / "ARCHITECTURE.md"
NOT_MAPPED = {"__pycache__", "__init__.py", "__main__.py"}


def _first_cells() -> list[str]:
    """The first column of the package map: the paths each row is about."""
    text = MAP.read_text(encoding="utf-8")
    table = text.split("## Package map", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert rows, "ARCHITECTURE.md has no package map table"
    return [row.split(" | ", 1)[0] for row in rows]


def _named_paths() -> list[str]:
    return [path for cell in _first_cells() for path in re.findall(r"`([^`]+)`", cell)]


def test_every_entry_of_the_package_is_in_the_map() -> None:
    named = _named_paths()
    tops = {path.split("/", 1)[0] + ("/" if "/" in path else "") for path in named}
    entries = sorted(p for p in PACKAGE.iterdir() if p.name not in NOT_MAPPED)
    missing = [
        entry.name
        for entry in entries
        if (f"{entry.name}/" if entry.is_dir() else entry.name) not in tops
    ]
    assert not missing, f"not in ARCHITECTURE.md's table: {missing}"


def test_every_path_the_map_names_exists() -> None:
    gone = []
    for path in _named_paths():
        if "<" in path:  # a pattern such as experiments/<name>.py: some file must match it
            if not list(PACKAGE.glob(re.sub(r"<[^>]+>", "*", path))):
                gone.append(path)
        elif not (PACKAGE / path).exists():
            gone.append(path)
    assert not gone, f"named in ARCHITECTURE.md's table, not in src/descentlab: {gone}"


def test_the_map_checks_something() -> None:
    """The parser above reads the real table (so the two tests cannot pass on an empty list)."""
    named = _named_paths()
    assert "cli.py" in named and "commands/run.py" in named and len(named) > 80
