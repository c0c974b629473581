"""NOTE [instant catalog]: listing, help and refusing a name import no heavy library.

Asserted on the import graph (``sys.modules`` after the command), never on the time it takes.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from descentlab.experiments import EXPERIMENTS
from descentlab.experiments.catalog import CATALOG

HEAVY = ("torch", "sklearn", "scipy", "numba", "matplotlib", "pyarrow", "tensorflow")
PROBE = """
import json, sys
from descentlab.cli import main
try:
    code = main({argv!r})
except SystemExit as stop:
    code = stop.code
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


def _imports(argv: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["list"], 0), (["--help"], 0), (["run", "no-such-experiment"], 2), (["run", "--help"], 0)],
)
def test_cheap_commands_import_no_heavy_library(argv: list[str], code: int) -> None:
    outcome = _imports(argv)
    assert outcome == {"code": code, "heavy": []}


def test_the_catalog_names_every_experiment_module_and_agrees_with_it() -> None:
    for name, entry in CATALOG.items():
        experiment = EXPERIMENTS[name]
        assert (experiment.name, experiment.spec, experiment.summary) == (
            name,
            entry.spec,
            entry.summary,
        )
        assert experiment.config_type.__module__ == f"descentlab.experiments.{entry.module}"
