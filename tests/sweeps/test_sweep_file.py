"""The sweep file: the space in the one value syntax, checks naming the key, the identity."""

from __future__ import annotations

import pytest
from tests.sweeps.conftest import cli, write_sweep

from descentlab.sweeps import load_sweep, parse_sweep
from descentlab.validation import InputValueError

BASE = {"run": "train", "fixed": {"model": "linear", "device": "cpu"}}


def _spec(**document):
    return parse_sweep({**BASE, **document})


def test_grid_of_lists_in_the_set_syntax_and_as_toml_arrays():
    spec = _spec(space={"lrate": "1e-3,0.01", "batch_size": [16, 64], "seed": "0,1"})
    assert [d.choices for d in spec.space] == [(0.001, 0.01), (16, 64), (0, 1)]
    assert spec.grid_size() == 8
    assert spec.grid_points()[0] == {"lrate": "0.001", "batch_size": "16", "seed": "0"}
    assert spec.objective == "final.val_loss"  # the default of train with validation data


def test_distributions_and_optimizer_hyperparameters():
    spec = _spec(
        sampler="tpe",
        n_trials=5,
        fixed={"model": "linear", "device": "cpu", "optimizer": "sgd"},
        space={"lrate": "loguniform:low=1e-4:high=0.1", "momentum": "uniform:low=0:high=0.9",
               "batch_size": "int:low=8:high=64:log=true"},
    )  # fmt: skip
    lrate, momentum, batch = spec.space
    assert (lrate.distribution, lrate.low, lrate.high, lrate.log) == ("loguniform", 1e-4, 0.1, True)
    assert (momentum.distribution, momentum.log) == ("uniform", False)
    assert (batch.distribution, batch.low, batch.high, batch.log) == ("int", 8, 64, True)
    settings = spec.settings({"lrate": 0.01, "momentum": 0.5, "batch_size": 16})
    assert settings["optimizer_options"] == (("momentum", 0.5),)
    assert settings["lrate"] == 0.01 and settings["batch_size"] == 16


def test_sequence_valued_choices_join_numbers_with_slash():
    spec = parse_sweep(
        {"run": "train", "fixed": {"device": "cpu", "epochs": 2}, "space": {"layers": "8/4,16"}}
    )
    assert spec.space[0].choices == ((8, 4), (16,))
    assert spec.settings({"layers": "8/4"})["layers"] == (8, 4)


def test_identity_ignores_spelling_order_name_and_n_trials():
    one = _spec(sampler="random", n_trials=3, space={"lrate": "0.001,0.01", "seed": "0,1"})
    two = parse_sweep(
        {"space": {"seed": [0, 1], "lrate": [1e-3, 1e-2]}, "name": "other", "n_trials": 9,
         "sampler": "random", "fixed": {"device": "cpu", "model": "linear"}, "run": "train"}
    )  # fmt: skip
    assert one.content_key() == two.content_key()
    three = _spec(sampler="random", n_trials=3, space={"lrate": "0.001,0.02", "seed": "0,1"})
    assert three.content_key() != one.content_key()


BAD = [
    ({"space": {"lrate": "0.1"}, "colour": 1}, r"sweep file keys must be among .*got 'colour'"),
    ({"run": "nothing", "space": {"lrate": "0.1"}}, r"run must be one of"),
    ({"space": {}}, r"space must name at least one dimension"),
    ({"space": {"lrates": "0.1"}}, r"space.lrates must be a setting of the run .*got 'lrates'"),
    ({"space": {"lrate": "0.1,,0.2"}}, r"space.lrate must be items separated by ','"),
    ({"space": {"lrate": "0.1,x"}}, r"space.lrate: lrate must be a number, got 'x'"),
    ({"space": {"lrate": "0.1,0.1"}}, r"space.lrate must list each value once"),
    ({"space": {"lrate": "loguniform:low=0:high=1"}, "sampler": "tpe", "n_trials": 2},
     r"space.lrate must have low > 0 for loguniform"),
    ({"space": {"lrate": "uniform:low=1:high=0.5"}, "sampler": "tpe", "n_trials": 2},
     r"space.lrate must have low < high"),
    ({"space": {"lrate": "uniform:low=0.1:high=1:width=2"}, "sampler": "tpe", "n_trials": 2},
     r"space.lrate key must be one of low, high"),
    ({"space": {"lrate": "loguniform:low=1e-3:high=1"}}, r"space.lrate must be a list for sampler 'grid'"),
    ({"space": {"lrate": "0.1"}, "n_trials": 3}, r"n_trials must be left out for sampler 'grid'"),
    ({"space": {"lrate": "0.1"}, "sampler": "random"}, r"n_trials must be set for sampler 'random'"),
    ({"space": {"lrate": "0.1"}, "sampler": "random", "n_trials": 0}, r"n_trials must be"),
    ({"space": {"lrate": "0.1"}, "sampler": "annealing"}, r"sampler must be one of"),
    ({"space": {"lrate": "0.1"}, "pruner": "hyperband"}, r"pruner must be one of"),
    ({"space": {"lrate": "0.1"}, "fixed": {"epochs": "many"}}, r"fixed.epochs: epochs must be an integer"),
    ({"space": {"lrate": "0.1"}, "fixed": {"lrate": 0.2}}, r"fixed.lrate must not also be in \[space\]"),
    ({"space": {"lrate": "0.1,-1"}}, r"lrate must be .*positive.* \(in the trial lrate=-1.0\)"),
    ({"space": {"lrate": "0.1"}, "vectorize": "yes"}, r"vectorize must be true or false"),
    ({"space": {"momentum": "0.1,0.5"}}, r"space.momentum must be a setting of the run"),
]  # fmt: skip


@pytest.mark.parametrize(("document", "message"), BAD)
def test_bad_files_are_refused_naming_the_key(document, message):
    with pytest.raises(InputValueError, match=message):
        parse_sweep({**BASE, **document})


def test_an_experiment_sweep_names_its_objective():
    with pytest.raises(InputValueError, match=r"objective must be set for run 'gd-onefeature'"):
        parse_sweep({"run": "gd-onefeature", "space": {"lrate": "0.1"}})


def test_experiment_sweeps_need_no_pruner():
    with pytest.raises(InputValueError, match=r"pruner must be 'none' for run 'gd-onefeature'"):
        parse_sweep({"run": "gd-onefeature", "pruner": "median", "space": {"lrate": "0.1"}})
    spec = parse_sweep(
        {"run": "gd-onefeature", "objective": "final_loss", "space": {"lrate": "0.1,0.5"}}
    )
    assert spec.settings({"lrate": "0.5"}) == {"lrate": 0.5}


def test_not_toml_and_missing_files(tmp_path):
    with pytest.raises(InputValueError, match=r"sweep file must exist"):
        load_sweep(tmp_path / "none.toml")
    with pytest.raises(InputValueError, match=r"sweep file must be TOML"):
        load_sweep(write_sweep(tmp_path, "run = [\n"))


def test_the_cli_refuses_a_bad_file_with_one_line_and_exit_2(tmp_path):
    path = write_sweep(tmp_path, 'run = "train"\n[space]\nlrate = "0.1,fast"\n')
    result = cli("sweep", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "descentlab: error: space.lrate: lrate must be a number, got 'fast'"
    ]
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_storage_urls_are_stored_and_printed_without_their_password():
    from descentlab.sweeps.study import redacted

    assert redacted("postgresql://ann:secret@db.example:5432/lab") == (
        "postgresql://ann:***@db.example:5432/lab"
    )
    assert redacted("sqlite:////tmp/x/optuna.sqlite") == "sqlite:////tmp/x/optuna.sqlite"
