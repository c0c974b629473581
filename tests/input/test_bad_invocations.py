"""A sweep of bad invocations: every one exits 2 with one stderr line naming the flag or key.

The table runs ``descentlab.cli.main`` in this process (the parsing, checks and exit-code mapping
of the console script, without a process start per case); ``test_cli_regressions`` runs the
issue's cases through real processes. Every case here is refused before any run starts.
"""

from __future__ import annotations

import typing

import pytest

from descentlab.cli import main
from descentlab.experiments import get_experiment
from descentlab.experiments.catalog import CATALOG
from descentlab.experiments.common_config import config_fields

# Bad text for a field of each type; the message must name the field.
BAD_TEXT = {
    int: ("-1", "abc", "99999999999999999999", "", "\u2603"),
    float: ("nan", "inf", "-inf", "abc", "", "1e999"),
    bool: ("maybe",),
    tuple: ("abc", "nan", "-1"),
}
# Fields left out of the generated cases: names and paths have their own cases below; the
# activation's name is checked only where an MLP uses it; a float field whose -1 is allowed.
SKIPPED = {"data", "target", "features", "backend", "activation", "model", "device", "dtype"}


def _set_cases() -> list[tuple[tuple[str, ...], str]]:
    cases = []
    for name in CATALOG:
        for key, kind in config_fields(get_experiment(name).config_type).items():
            if key in SKIPPED:
                continue
            origin = tuple if typing.get_origin(kind) is tuple else kind
            for text in BAD_TEXT.get(origin, ()):
                cases.append((("run", name, "--set", f"{key}={text}"), key))
    return cases


OTHER_CASES: list[tuple[tuple[str, ...], str]] = [
    (("run", "gd-onefeature", "--seed", "9223372036854775808"), "seed"),
    (("run", "gd-onefeature", "--seed", "-1"), "seed"),
    (("run", "gd-onefeature", "--set", "epochs=1000000000000000"), "epochs"),
    (("run", "gd-multifeature", "--set", "n_features=1000000000000"), "n_features"),
    (
        ("run", "minibatch-sgd", "--set", "batch_sizes=1", "--set", "epochs=10000000000000"),
        "epochs",
    ),
    (("run", "minima", "--set", "n_starts=10000000000000"), "n_starts"),
    (("run", "loaders", "--set", "repeat=100000000000000000"), "repeat"),
    (("run", "lr-sweep", "--set", "snapshot_epochs=0,101"), "snapshot_epochs"),
    (("run", "lr-sweep", "--set", "snapshot_epochs="), "snapshot_epochs"),
    (("run", "optimizers", "--set", "model=mlp", "--set", "activation=\u2603"), "activation"),
    (("run", "optimizers", "--set", "model=cnn"), "model"),
    (("run", "lr-find", "--set", "device=tpu"), "device"),
    (("run", "devices", "--set", "dtype=float8"), "dtype"),
    (("run", "gd-onefeature", "--set", "backend=jax"), "backend"),
    (("run", "gd-onefeature", "--set", "features=a,b"), "features"),
    (("run", "gd-onefeature", "--features", "a"), "features"),
    (("run", "gd-onefeature", "--target", "y"), "--target"),
    (("run", "gd-onefeature", "--set", "target=\u2603"), "target"),
    (("run", "gd-onefeature", "--set", "nokey=1"), "--set"),
    (("run", "gd-onefeature", "--set", "=1"), "--set"),
    (("run", "gd-onefeature", "--data", "missing.csv"), "data"),
    (("run", "gd-onefeature", "--data", "notes.txt"), "data"),
    (("run", "no-such-experiment"), "experiment"),
    (("run", "gd-onefeature", "--seed", "x"), "--seed"),
    (("train", "--seed", "9223372036854775808"), "seed"),
    (("train", "--seed", "-1"), "seed"),
    (("train", "--epochs", "99999999999999999999"), "epochs"),
    (("train", "--epochs", "10000000000000"), "--epochs"),
    (("train", "--batch-size", "0"), "batch_size"),
    (("train", "--batch-size", "99999999999999999999"), "batch_size"),
    (("train", "--layers", "100000000"), "--layers"),
    (("train", "--layers", "64,,32"), "layers"),
    (("train", "--layers", "99999999999999999999"), "layers"),
    (("train", "--lrate", "nan"), "lrate"),
    (("train", "--lrate", "-1"), "lrate"),
    (("train", "--val-fraction", "1"), "val_fraction"),
    (("train", "--patience", "-1"), "patience"),
    (("train", "--checkpoint-every", "99999999999999999999"), "checkpoint_every"),
    (("train", "--optimizer", "x"), "optimizer"),
    (("train", "--optimizer-set", "betas=x"), "betas"),
    (("train", "--schedule-set", "gamma=1"), "--schedule-set"),
    (("train", "--dataset", "missing.csv"), "data"),
    (("train", "--target", "y"), "target"),
    (("train", "--device", "tpu"), "device"),
    (("check", "x.py", "--hidden-seed", "9223372036854775808"), "hidden_seed"),
    (("check", "x.py", "--hidden-seed", "-1"), "hidden_seed"),
    (("check", "x.py", "--timeout", "nan"), "timeout"),
    (("cases", "generate", "--out", "cases", "--seed", "-1"), "seed"),
    (("runs", "show", "1"), "store"),
    (("runs", "show", "x"), "id"),
    (("runs", "export", "1", "--format", "xml"), "--format"),
]
CASES = _set_cases() + OTHER_CASES
# Refused once the data or the optimizer is built, after the output folder is prepared (the
# run lifecycle's order); still exit 2 naming the argument.
AFTER_THE_FOLDER = {"--data", "--dataset", "--target", "--optimizer-set"}


def test_the_sweep_is_wide():
    assert len(CASES) >= 60
    assert {argv[0] for argv, _ in CASES} >= {"run", "train", "check", "cases", "runs"}
    assert {argv[1] for argv, _ in CASES if argv[0] == "run"} >= set(CATALOG)


@pytest.mark.parametrize(("argv", "name"), CASES, ids=[" ".join(a)[:80] for a, _ in CASES])
def test_bad_invocation_exits_2_naming_it(argv, name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("a,b\n1,2\n")
    args = [*argv, "--out", "out"] if argv[0] in ("run", "train") else list(argv)
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's own usage errors
        code = stop.code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err and "unexpected error" not in err
    # a list key may be named by its entry: "lrate must be …" for lrates=nan
    assert name in lines[0] or name.removesuffix("s") in lines[0], lines[0]
    if not AFTER_THE_FOLDER & set(argv):
        assert not (tmp_path / "out").exists()  # refused before any folder or store
