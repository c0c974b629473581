"""Property: a learning rate that makes a run diverge at epoch 1, 2 or the last one is a result.

For every catalogued experiment that takes a learning rate, and for ``descentlab train`` (linear
and MLP), the rates are found on tiny sizes from the run statuses alone: a rate "diverges at
epoch E" when the same configuration run for E − 1 epochs finishes and for E epochs diverges
(every trial diverged). The rates a bisection found once are kept in ``KNOWN_RATES`` and checked
by that definition before use (two runs a rate); the bisection runs again only for a case whose
known rates no longer pass (it cost minutes, the ``train`` cases most). Trajectories are
prefixes of longer ones (same seed, same batch orders), so the run over ``LAST`` epochs must
then report epoch E — the largest epoch its one stderr line names, since a run diverges when its
last trial does (NOTE [divergence report]).
Through the CLI's own ``main`` (in process: about thirty runs), with warnings as errors: exit 0,
status ``diverged`` in ``runs show --json``, results.json and every figure written, one line.

Not covered: ``loaders`` (its own engineer's; it varies loaders, not rates) and ``lr-find``,
whose rates are the range test's ramp (divergence there is its stop rule, by design) and the
suggested rate it derives; ``test_divergence_cli.py`` draws a range test that hits inf.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from descentlab.cli import main
from descentlab.experiments import get_experiment
from descentlab.experiments.common_config import apply_overrides, parse_assignments

LAST = 3
LOW = -3.0  # log10 of the smallest rate searched
PRECISION = 0.01  # decades


@dataclass(frozen=True)
class Case:
    """How to run one trainer: its CLI words, fixed settings, and how rate and epochs are set."""

    name: str
    command: tuple[str, ...]
    settings: tuple[str, ...]
    rate: Callable[[float], tuple[str, ...]]
    epochs: Callable[[int], tuple[str, ...]]
    folder: str
    high: float = 300.0  # log10 of the largest rate searched


def _set(template: str) -> Callable:
    return lambda value: ("--set", template.format(value))


def _run_case(name: str, settings: tuple[str, ...], rate=None, epochs=None) -> Case:
    return Case(
        name,
        ("run", name.split(" ")[0]),
        tuple(part for item in settings for part in ("--set", item)),
        rate or _set("lrate={!r}"),
        epochs or _set("epochs={}"),
        name.split(" ")[0],
    )


TINY = ("n_samples=20", "noise=5")
CASES = [
    _run_case("gd-onefeature", TINY),
    _run_case("lr-sweep", (*TINY, "snapshot_epochs=0,1"), rate=_set("lrates={!r}")),
    _run_case("gd-multifeature", (*TINY, "n_features=2")),
    _run_case("minibatch-sgd", (*TINY, "batch_sizes=5", "first_batches=10")),
    _run_case(
        "batch-compare",
        (
            *TINY,
            "n_features=2",
            "batch_size=5",
            "n_seeds=1",
            "repeat=1",
            "eval_budgets=0.5",
            "time_budget=0.001",
        ),
    ),
    _run_case(
        "optimizers", (*TINY, "n_features=2", "batch_size=5"), rate=_set("optimizers=sgd:lr={!r}")
    ),
    _run_case(
        "optimizers mlp",
        (*TINY, "n_features=5", "batch_size=5", "model=mlp", "layers=4", "val_fraction=0.25"),
        rate=_set("optimizers=sgd:lr={!r}"),
    ),
    _run_case("schedulers", (*TINY, "n_features=2", "batch_size=5", "schedulers=constant")),
    _run_case(
        "minima",
        ("n_starts=2", "surfaces="),
        rate=lambda r: ("--set", f"lrates={r!r}", "--set", f"show_lrate={r!r}"),
        epochs=_set("steps={}"),
    ),
    _run_case(
        "devices",
        (*TINY, "n_features=2", "batch_size=5", "devices=cpu", "repeat=1", "warmup=0"),
    ),
    *(
        Case(
            f"train {model}",
            ("train", "--model", model, "--dataset", "diabetes", "--optimizer", "sgd"),
            ("--batch-size", "100", *extra),
            lambda r: ("--lrate", repr(r)),
            lambda e: ("--epochs", str(e)),
            "train",
            30.0,  # float32 parameters: torch refuses a rate it cannot convert
        )
        for model, extra in (("linear", ()), ("mlp", ("--layers", "8", "--activation", "tanh")))
    ),
]


#: Rates the bisection (``_search``) found, a case's rate for epochs 1, 2 and ``LAST`` (rounded
#: to 6 digits, well inside their brackets); ``_rates`` checks each before use.
KNOWN_RATES: dict[str, dict[int, float]] = {
    "gd-onefeature": {1: 5.96659e225, 2: 3.878e113, 3: 9.36443e62},
    "lr-sweep": {1: 5.96659e225, 2: 3.878e113, 3: 9.36443e62},
    "gd-multifeature": {1: 3.77502e225, 2: 1.98305e113, 3: 6.59035e62},
    "minibatch-sgd": {1: 6.81979e168, 2: 1.49856e28, 3: 3393440000000000.0},
    "batch-compare": {1: 3.77502e225, 2: 1.98305e113, 3: 6.59035e62},
    "optimizers": {1: 1.19898e169, 2: 3.66472e28, 3: 6094350000000000.0},
    "optimizers mlp": {1: 2.13632e175, 2: 5.87837e37, 3: 3.83734e20},
    "schedulers": {1: 1.19898e169, 2: 3.66472e28, 3: 6094350000000000.0},
    "minima": {1: 1.74995e150, 2: 2.72393, 3: 1.80702},
    "devices": {1: 8.89337e151, 2: 744.277, 3: 32.5425},
    "train linear": {1: 8.55321e16, 2: 469.759, 3: 12.2672},
    "train mlp": {1: 1.05872e17, 2: 740.053, 3: 17.7778},
}


def _words(case: Case, lrate: float, epochs: int) -> list[str]:
    return [*case.command, *case.settings, *case.rate(lrate), *case.epochs(epochs)]


def _diverges(case: Case, lrate: float, epochs: int, scratch: Path) -> bool:
    """Whether every trial diverges within ``epochs`` epochs (the run's status), without the
    store or figures for the experiments."""
    words = _words(case, lrate, epochs)
    if case.command[0] == "train":
        from descentlab.cli import _parser
        from descentlab.commands.train import config_from_args
        from descentlab.train.session import run_training

        args = _parser().parse_args([*words, "--out", str(scratch)])
        scratch.mkdir(parents=True, exist_ok=True)
        out = Path(str(scratch)) / f"{len(list(scratch.iterdir()))}"
        return run_training(config_from_args(args), out=out).status == "diverged"
    experiment = get_experiment(case.command[1])
    overrides = parse_assignments([w for w in words[2:] if w != "--set"])
    config = apply_overrides(experiment.config_type(), overrides)
    return experiment.run(config, experiment.default_data(config)).status == "diverged"


def _boundary(case: Case, epochs: int, scratch: Path) -> float:
    """log10 of the smallest rate (to ``PRECISION``) that diverges within ``epochs`` epochs."""
    low, high = LOW, case.high
    assert _diverges(case, 10.0**high, epochs, scratch), f"{case.name}: 1e{high:g} never diverges"
    while high - low > PRECISION:
        middle = (low + high) / 2
        if _diverges(case, 10.0**middle, epochs, scratch):
            high = middle
        else:
            low = middle
    return high


def _diverges_at(case: Case, lrate: float, target: int, scratch: Path) -> bool:
    """Whether ``lrate`` diverges at epoch ``target``: within ``target`` epochs, and (past the
    first epoch) not within ``target`` − 1."""
    return _diverges(case, lrate, target, scratch) and (
        target == 1 or not _diverges(case, lrate, target - 1, scratch)
    )


@cache
def _rates(index: int, scratch: str) -> dict[int, float]:
    """For the case ``CASES[index]``: the rates of ``KNOWN_RATES`` when each still diverges at
    its epoch (checked from the run statuses, as the search would), else the search's."""
    case = CASES[index]
    folder = Path(scratch) / case.name.replace(" ", "-")
    known = KNOWN_RATES.get(case.name, {})
    if all(
        target in known and _diverges_at(case, known[target], target, folder)
        for target in (1, 2, LAST)
    ):
        return {target: known[target] for target in (1, 2, LAST)}
    return _search(index, scratch)


def _search(index: int, scratch: str) -> dict[int, float]:
    """For the case ``CASES[index]``: a rate diverging at each target epoch, between the rates
    that diverge within E epochs and those that diverge within E − 1, as near the middle (in
    log scale) as the definition holds (a rate's effect need not be monotone: on x·cos(πx) a
    larger step can land in a basin that a smaller one overshoots)."""
    case = CASES[index]
    folder = Path(scratch) / case.name.replace(" ", "-")
    bounds = {0: case.high}
    for epochs in range(1, LAST + 1):
        bounds[epochs] = _boundary(case, epochs, folder)
    rates = {}
    for target in (1, 2, LAST):
        low, high = bounds[target], bounds[target - 1]
        assert high - low > 3 * PRECISION, f"{case.name}: no room for epoch {target}"
        middle = (low + high) / 2
        grid = np.linspace(low, high, 41)[1:-1].tolist()
        candidates = sorted(grid, key=lambda e: abs(e - middle))
        rates[target] = next(
            10.0**e for e in candidates if _diverges_at(case, 10.0**e, target, folder)
        )
    return rates


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("bisection"))


@pytest.mark.slow
@pytest.mark.parametrize("target", [1, 2, LAST])
@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.name for c in CASES])
def test_a_rate_diverging_at_an_epoch_is_a_result(index, target, scratch, tmp_path, capsys):
    case = CASES[index]
    lrate = _rates(index, scratch)[target]
    capsys.readouterr()
    out = tmp_path / "out"
    code = main([*_words(case, lrate, LAST), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    (line,) = lines
    assert "Warning" not in line
    epochs = [int(e) for e in re.findall(r"epoch (\d+)", line)]
    assert epochs and max(epochs) == target, line
    assert re.search(r"lrate [0-9.e+-]+", line) and "step " in line, line
    named = {float(r) for r in re.findall(r"lrate ([0-9.e+-]+)", line)}
    assert any(math.isclose(r, lrate, rel_tol=1e-5) for r in named) or case.name == "schedulers"

    assert main(["runs", "--out", str(out), "show", "1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["run"]["status"] == "diverged"
    folder = out / case.folder
    json.loads((folder / "results.json").read_text())
    pngs = sorted(folder.glob("*.png"))
    assert pngs and all(p.stat().st_size > 0 for p in pngs)
    assert all(p.with_suffix(".svg").stat().st_size > 0 for p in pngs)


def test_the_cases_cover_every_experiment_with_a_rate():
    from descentlab.experiments.catalog import CATALOG

    covered = {c.command[1] for c in CASES if c.command[0] == "run"}
    # keras-dense: a float32 Keras run per bisection step would cost minutes; its divergence
    # line is checked in tests/experiments/test_keras_dense.py
    assert covered == set(CATALOG) - {"loaders", "lr-find", "keras-dense"}
    assert set(KNOWN_RATES) == {c.name for c in CASES}
    assert dataclasses.is_dataclass(CASES[0])
