"""A sweep file (TOML), read and checked: what to run, the fixed settings, the space, the search.

::

    run = "train"                 # "train" or any experiment (descentlab list)
    sampler = "tpe"               # grid | random | tpe
    n_trials = 12                 # random and tpe only: the grid's size decides for "grid"
    pruner = "median"             # none | median | halving ("train" sweeps only)
    objective = "final.val_loss"  # a number in the run's results (dotted path)
    direction = "minimize"        # minimize | maximize
    seed = 0                      # the sampler's seed
    vectorize = false             # train the trials as one batched computation

    [fixed]                       # settings every trial shares, as `--set` takes them
    model = "mlp"
    layers = "16,8"
    epochs = 5

    [space]                       # one dimension each
    lrate = "loguniform:low=1e-4:high=1e-1"   # loguniform | uniform | int (:log=true)
    batch_size = "16,64"                      # a list: the grid's values, or a choice
    seed = "0,1"                              # seeds are a dimension like any other

Values are written in the one value syntax of ``--set`` (NOTE [value syntax] in
:mod:`descentlab.values`): a list's items are separated by ``,`` (``layers = "16,8"`` in
``[fixed]``; in ``[space]``, a list of sequence values joins each one's numbers with ``/``:
``layers = "64/32,16/8"``), a distribution is a spec ``name:key=value:…``. TOML numbers, booleans
and arrays are read as the same text would be. For ``train``, a key that is not a ``TrainConfig``
field but a hyperparameter of the (fixed) optimizer (``momentum``, ``weight_decay``) goes into its
options. Every error names the key (``space.lrate``) and exits 2 from the command line.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from descentlab.validation import (
    InputError,
    InputValueError,
    check_choice,
    check_positive_int,
    check_seed,
)
from descentlab.values import (
    ITEM_SEPARATOR,
    PART_SEPARATOR,
    format_value,
    kinds_of_dataclass,
    kinds_of_defaults,
    parse_field,
    parse_hyperparameter,
    parse_spec,
)

__all__ = [
    "DIRECTIONS",
    "DISTRIBUTIONS",
    "PRUNERS",
    "SAMPLERS",
    "Dimension",
    "SweepSpec",
    "load_sweep",
    "parse_sweep",
]

SAMPLERS = ("grid", "random", "tpe")
PRUNERS = ("none", "median", "halving")
DIRECTIONS = ("minimize", "maximize")
DISTRIBUTIONS: dict[str, dict[str, Any]] = {
    "loguniform": {"low": float, "high": float},
    "uniform": {"low": float, "high": float},
    "int": {"low": int, "high": int, "log": bool},
}
_TOP = ("run", "name", "sampler", "n_trials", "pruner", "objective", "direction", "seed",
        "vectorize", "fixed", "space")  # fmt: skip
_TRAIN = "train"


@dataclass(frozen=True)
class Dimension:
    """One axis of the space: a list of ``choices`` or a ``distribution`` over [low, high]."""

    name: str
    choices: tuple[Any, ...] = ()
    distribution: str = ""
    low: float = 0.0
    high: float = 0.0
    log: bool = False

    def as_json(self) -> dict[str, Any]:
        if self.choices:
            return {"choices": [_jsonable(c) for c in self.choices]}
        return {"distribution": self.distribution, "low": self.low, "high": self.high,
                "log": self.log}  # fmt: skip

    def texts(self) -> list[str]:
        """The choices as the value syntax writes them (Optuna's categorical values)."""
        return [format_value(c) for c in self.choices]


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep file. ``fixed`` holds parsed values; ``settings`` turns one trial's
    parameters into the keyword values of the run (a ``TrainConfig`` or experiment overrides)."""

    target: str
    name: str
    fixed: dict[str, Any]
    space: tuple[Dimension, ...]
    sampler: str
    n_trials: int
    pruner: str
    objective: str
    direction: str
    seed: int
    vectorize: bool
    source: str = ""
    option_keys: tuple[str, ...] = ()

    def resolved(self) -> dict[str, Any]:
        """Everything that decides which trials run and how, as JSON (NOTE [sweep identity])."""
        return {
            "run": self.target,
            "fixed": {k: _jsonable(v) for k, v in self.fixed.items()},
            "space": {d.name: d.as_json() for d in self.space},
            "sampler": self.sampler,
            "pruner": self.pruner,
            "objective": self.objective,
            "direction": self.direction,
            "seed": self.seed,
            "vectorize": self.vectorize,
        }

    def content_key(self) -> str:
        """The SHA-256 of the resolved content, keys sorted (NOTE [sweep identity] in
        :mod:`descentlab.sweeps.worker`). Comments,
        key order and spelling (``1e-3`` or ``0.001``) do not change it; ``name`` and
        ``n_trials`` are left out, so a larger ``n_trials`` continues the same sweep."""
        text = json.dumps(self.resolved(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def grid_size(self) -> int:
        size = 1
        for dimension in self.space:
            size *= len(dimension.choices)
        return size

    def grid_points(self) -> list[dict[str, str]]:
        """Every combination of the choices, as texts (the grid's trials, in file order)."""
        names = [d.name for d in self.space]
        return [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(d.texts() for d in self.space))
        ]

    def value_of(self, name: str, text_or_number: Any) -> Any:
        """A trial parameter as the run takes it: a choice's text back to its value."""
        dimension = next(d for d in self.space if d.name == name)
        if dimension.choices:
            return dimension.choices[dimension.texts().index(str(text_or_number))]
        return text_or_number

    def settings(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The run's keyword values for one trial: fixed settings overridden by ``params``,
        optimizer hyperparameters gathered into ``optimizer_options`` (``train``)."""
        values = {**self.fixed, **{k: self.value_of(k, v) for k, v in params.items()}}
        if self.target != _TRAIN:
            return values
        options = {k: values.pop(k) for k in list(values) if k in self.option_keys}
        if options:
            values["optimizer_options"] = tuple(sorted(options.items()))
        return values


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check the sweep file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputValueError(f"sweep file must exist, got {str(path)!r}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputValueError(
            f"sweep file must be readable text, got {str(path)!r} ({error})"
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputValueError(f"sweep file must be TOML, got {str(path)!r} ({error})") from None
    return parse_sweep(document, source=str(path))


def parse_sweep(document: Mapping[str, Any], *, source: str = "") -> SweepSpec:
    """Check a sweep file's parsed TOML ``document``; every error names the key."""
    unknown = [k for k in document if k not in _TOP]
    if unknown:
        raise InputValueError(
            f"sweep file keys must be among {', '.join(_TOP)}, got {unknown[0]!r}"
        )
    target = document.get("run")
    if not isinstance(target, str) or not target:
        raise InputValueError(f"run must be 'train' or an experiment name, got {target!r}")
    if target != _TRAIN:
        from descentlab.experiments.catalog import CATALOG

        check_choice("run", target, (_TRAIN, *CATALOG))
    sampler = _text(document, "sampler", "grid", SAMPLERS)
    pruner = _text(document, "pruner", "none", PRUNERS)
    if pruner != "none" and target != _TRAIN:
        raise InputValueError(
            f"pruner must be 'none' for run {target!r} (only 'train' reports each epoch), "
            f"got {pruner!r}"
        )
    direction = _text(document, "direction", "minimize", DIRECTIONS)
    seed = check_seed("seed", document.get("seed", 0))
    vectorize = document.get("vectorize", False)
    if not isinstance(vectorize, bool):
        raise InputValueError(f"vectorize must be true or false, got {vectorize!r}")
    name = document.get("name", Path(source).stem if source else target)
    if not isinstance(name, str) or not name.strip():
        raise InputValueError(f"name must be a non-empty text, got {name!r}")

    kinds, option_kinds = _kinds(target, document.get("fixed", {}))
    fixed = {
        key: _parse_fixed(f"fixed.{key}", raw, kinds, option_kinds)
        for key, raw in _table(document, "fixed").items()
    }
    space_table = _table(document, "space")
    if not space_table:
        raise InputValueError("space must name at least one dimension, got an empty [space]")
    space = tuple(
        _parse_dimension(key, raw, kinds, option_kinds) for key, raw in space_table.items()
    )
    both = sorted(set(fixed) & set(space_table))
    if both:
        raise InputValueError(f"fixed.{both[0]} must not also be in [space], got it in both")

    n_trials_raw = document.get("n_trials")
    if sampler == "grid":
        ranged = [d.name for d in space if not d.choices]
        if ranged:
            raise InputValueError(
                f"space.{ranged[0]} must be a list for sampler 'grid', got a distribution "
                "(use sampler = 'random' or 'tpe' with n_trials)"
            )
        if n_trials_raw is not None:
            size = 1
            for d in space:
                size *= len(d.choices)
            raise InputValueError(
                f"n_trials must be left out for sampler 'grid' (the grid has {size} points), "
                f"got {n_trials_raw!r}"
            )
        n_trials = 0
    else:
        if n_trials_raw is None:
            raise InputValueError(f"n_trials must be set for sampler {sampler!r}, got none")
        n_trials = check_positive_int("n_trials", n_trials_raw)

    objective = document.get("objective")
    if objective is None and target == _TRAIN:
        val = fixed.get("val_fraction", 0.2)
        objective = "final.val_loss" if val else "final.train_loss"
    if objective is None:
        raise InputValueError(
            f"objective must be set for run {target!r} (a dotted path to a number in its "
            "results.json, e.g. final_loss), got none"
        )
    if not isinstance(objective, str) or not objective.strip():
        raise InputValueError(
            f"objective must be a dotted path to a number in the run's results "
            f"(final.val_loss), got {objective!r}"
        )
    spec = SweepSpec(
        target=target,
        name=name.strip(),
        fixed=fixed,
        space=space,
        sampler=sampler,
        n_trials=n_trials,
        pruner=pruner,
        objective=objective.strip(),
        direction=direction,
        seed=seed,
        vectorize=vectorize,
        source=source,
        option_keys=tuple(option_kinds),
    )
    _check_configs(spec)
    return spec


def _text(document: Mapping[str, Any], key: str, default: str, choices: tuple[str, ...]) -> str:
    value = document.get(key, default)
    check_choice(key, value, choices)
    return value


def _table(document: Mapping[str, Any], key: str) -> dict[str, Any]:
    table = document.get(key, {})
    if not isinstance(table, dict):
        raise InputValueError(f"{key} must be a table ([{key}]), got {table!r}")
    return table


def _kinds(target: str, fixed: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The kinds of the run's settings, and (``train``) of the fixed optimizer's
    hyperparameters, keyed by name."""
    if target != _TRAIN:
        from descentlab.experiments import get_experiment

        return kinds_of_dataclass(get_experiment(target).config_type), {}
    from descentlab.optim import OPTIMIZERS, hyperparameters
    from descentlab.train.train_config import TrainConfig

    kinds = kinds_of_dataclass(TrainConfig)
    kinds["layers"] = tuple[int, ...]  # Optional in the dataclass: a list of widths here
    for name in ("optimizer_options", "schedule_options"):
        kinds.pop(name)
    optimizer = fixed.get("optimizer", TrainConfig.optimizer) if isinstance(fixed, dict) else ""
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        return kinds, {}
    options = kinds_of_defaults(hyperparameters(optimizer))
    options.pop("lr", None)  # the run's lrate
    return kinds, {k: v for k, v in options.items() if k not in kinds}


def _key_kind(where: str, key: str, kinds: dict, option_kinds: dict) -> Any:
    if key in kinds:
        return kinds[key]
    if key in option_kinds:
        return option_kinds[key]
    if key in ("optimizer_options", "schedule_options"):
        raise InputValueError(
            f"{where} must be written as the hyperparameter itself (momentum = 0.9), got {key!r}"
        )
    names = ", ".join([*kinds, *option_kinds])
    raise InputValueError(f"{where} must be a setting of the run ({names}), got {key!r}")


def _as_text(where: str, raw: Any, *, item_separator: str) -> str:
    """A TOML value as the value syntax writes it: arrays joined by ``item_separator``."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool | int | float):
        return format_value(raw)
    if (
        isinstance(raw, list)
        and raw
        and all(isinstance(item, bool | int | float | str) for item in raw)
    ):
        return item_separator.join(format_value(item) for item in raw)
    raise InputValueError(
        f"{where} must be a text, a number, true/false or a list of them, got {raw!r}"
    )


def _parse_fixed(where: str, raw: Any, kinds: dict, option_kinds: dict) -> Any:
    key = where.split(".", 1)[1]
    kind = _key_kind(where, key, kinds, option_kinds)
    text = _as_text(where, raw, item_separator=ITEM_SEPARATOR)
    try:
        if key in option_kinds:
            return parse_hyperparameter(key, text, kind)
        return parse_field(key, text, kind)
    except InputError as error:
        raise type(error)(f"{where}: {error}") from None


def _parse_dimension(key: str, raw: Any, kinds: dict, option_kinds: dict) -> Dimension:
    where = f"space.{key}"
    kind = _key_kind(where, key, kinds, option_kinds)
    if isinstance(raw, list):
        texts = [_as_text(f"{where}[{i}]", item, item_separator=PART_SEPARATOR)
                 for i, item in enumerate(raw)]  # fmt: skip
    else:
        text = _as_text(where, raw, item_separator=ITEM_SEPARATOR)
        head = text.split(":", 1)[0].strip()
        if ":" in text and head in DISTRIBUTIONS:
            return _distribution(where, key, text, kind)
        texts = [t.strip() for t in text.split(ITEM_SEPARATOR)]
    if not texts or any(not t for t in texts):
        raise InputValueError(
            f"{where} must be items separated by ',' with none left out, or a distribution "
            f"({', '.join(DISTRIBUTIONS)}:low=...:high=...), got {raw!r}"
        )
    try:
        choices = tuple(parse_hyperparameter(key, t, kind) for t in texts)
    except InputError as error:
        raise type(error)(f"{where}: {error}") from None
    if len(set(map(format_value, choices))) != len(choices):
        raise InputValueError(f"{where} must list each value once, got {raw!r}")
    return Dimension(key, choices=choices)


def _distribution(where: str, key: str, text: str, kind: Any) -> Dimension:
    try:
        spec = parse_spec(where, text, DISTRIBUTIONS)
    except InputError as error:
        raise type(error)(f"{where}: {error}") from None
    missing = [k for k in ("low", "high") if k not in spec.given]
    if missing:
        raise InputValueError(f"{where} must set {missing[0]}, got {text!r}")
    low, high = spec.given["low"], spec.given["high"]
    if not low < high:
        raise InputValueError(f"{where} must have low < high, got low={low} high={high}")
    if spec.name == "loguniform" and low <= 0:
        raise InputValueError(f"{where} must have low > 0 for loguniform, got low={low}")
    if spec.name == "int" and kind not in (int, None):
        raise InputValueError(f"{where} must be a float distribution for {key}, got {text!r}")
    if spec.name != "int" and kind is int:
        raise InputValueError(f"{where} must be int:low=...:high=... for {key}, got {text!r}")
    log = spec.name == "loguniform" or bool(spec.given.get("log", False))
    return Dimension(key, distribution=spec.name, low=low, high=high, log=log)


def _corners(spec: SweepSpec) -> list[dict[str, Any]]:
    """Trial parameters that together touch every choice and both ends of every range."""
    if spec.sampler == "grid" and spec.grid_size() <= 256:
        return spec.grid_points()
    corners: list[dict[str, Any]] = []
    width = max(len(d.choices) or 2 for d in spec.space)
    for i in range(width):
        point: dict[str, Any] = {}
        for d in spec.space:
            if d.choices:
                point[d.name] = d.texts()[i % len(d.choices)]
            else:
                value = d.low if i % 2 == 0 else d.high
                point[d.name] = int(value) if d.distribution == "int" else value
        corners.append(point)
    return corners


def _check_configs(spec: SweepSpec) -> None:
    """Build the run's config for trials touching every value, so a bad combination is
    refused before anything runs (the config dataclasses check themselves)."""
    for params in _corners(spec):
        values = spec.settings(params)
        try:
            if spec.target == _TRAIN:
                from descentlab.train.train_config import TrainConfig

                TrainConfig(**values)
            else:
                from descentlab.experiments.runner import resolve_config

                resolve_config(spec.target, values)
        except InputError as error:
            shown = ", ".join(f"{k}={v}" for k, v in params.items())
            raise type(error)(f"{error} (in the trial {shown})") from None
