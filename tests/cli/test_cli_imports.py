"""NOTE [instant catalog]: listing, help and refusing a name import no heavy library, and a
NumPy-backend run imports only what it uses.

Asserted on the import graph (``sys.modules`` after the command, run in a fresh interpreter),
never on the time it takes (``benchmarks/bench_cli.py`` measures that). What is fair: every
command may import NumPy (the input checks of ``validation`` work on arrays), nothing else of
weight; a NumPy-backend run may add matplotlib (it draws its figures) and Pillow under it, never
torch, TensorFlow, scikit-learn, SciPy, numba, pandas or pyarrow.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from descentlab.experiments import EXPERIMENTS
from descentlab.experiments.catalog import CATALOG

DRAWING = ("matplotlib", "PIL")
COMPUTING = ("torch", "tensorflow", "sklearn", "scipy", "numba", "pandas", "pyarrow")
HEAVY = (*COMPUTING, *DRAWING)
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


def _last_json_line(args: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _imports(argv: list[str]) -> dict:
    return _last_json_line(["-c", PROBE.format(argv=argv, heavy=HEAVY)])


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


def test_a_numpy_backend_run_imports_no_torch_no_tensorflow_and_no_sklearn(tmp_path) -> None:
    outcome = _imports(["run", "gd-onefeature", "--out", str(tmp_path), "--set", "epochs=5"])
    assert outcome["code"] == 0
    assert set(outcome["heavy"]) <= set(DRAWING) and "matplotlib" in outcome["heavy"]
    assert "tensorflow" not in outcome["heavy"] and "torch" not in outcome["heavy"]
    results = json.loads((tmp_path / "gd-onefeature" / "results.json").read_text())
    assert results["backend_max_abs_diff"] is None  # NOTE [numpy runs stay numpy]


def test_a_refused_run_draws_nothing_and_imports_no_matplotlib(tmp_path) -> None:
    outcome = _imports(["run", "gd-onefeature", "--out", str(tmp_path), "--set", "lrate=-1"])
    assert outcome == {"code": 2, "heavy": []}


@pytest.mark.slow  # imports torch
def test_a_torch_backend_run_compares_the_backends(tmp_path) -> None:
    argv = ["run", "gd-onefeature", "--out", str(tmp_path), "--backend", "torch"]
    outcome = _imports([*argv, "--set", "epochs=5"])
    assert outcome["code"] == 0 and "torch" in outcome["heavy"]
    results = json.loads((tmp_path / "gd-onefeature" / "results.json").read_text())
    assert results["backend_max_abs_diff"] < 1e-9


@pytest.mark.slow  # imports TensorFlow
def test_a_tf_backend_run_imports_no_torch_and_prints_no_tensorflow_line(tmp_path) -> None:
    """NOTE [quiet tensorflow]: TensorFlow's start-up lines and warnings never reach the user, and
    a tf run compares with the NumPy reference alone (NOTE [numpy runs stay numpy])."""
    argv = ["run", "gd-onefeature", "--out", str(tmp_path), "--backend", "tf", "--set", "epochs=5"]
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=3600,  # NOTE [hang guard]
        check=True,
    )
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["code"] == 0 and "tensorflow" in outcome["heavy"]
    assert "torch" not in outcome["heavy"]
    assert done.stderr == ""
    results = json.loads((tmp_path / "gd-onefeature" / "results.json").read_text())
    assert results["backend_max_abs_diff"] < 1e-9


@pytest.mark.parametrize(
    ("statement", "allowed"),
    [
        ("import descentlab", ()),  # NOTE [lazy package]: not even NumPy
        ("from descentlab import GD, batch, minibatchSGD; import numpy", ("numpy",)),
        ("from descentlab.data import regression_data; regression_data(20, 1, noise=1.0, "
         "random_state=0)", ("numpy",)),
    ],
)  # fmt: skip
def test_the_library_imports_what_a_call_uses(statement: str, allowed: tuple[str, ...]) -> None:
    probe = (
        f"import json, sys; {statement}; "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set((*HEAVY, 'numpy'))!r})))"
    )
    assert _last_json_line(["-c", probe]) == sorted(allowed)
