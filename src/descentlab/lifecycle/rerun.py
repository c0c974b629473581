"""What a re-run needs to know about the run it repeats, and how its results compare.

``descentlab rerun ID`` and ``descentlab run --config FILE`` repeat a stored run. The run they
repeat is an :class:`Original`: its experiment, its resolved config as stored, and — when they
are known — its results, metrics, library versions and device. The re-run is a new run in the
store whose config says which run it repeats (``rerun_of``, NOTE [rerun link]); afterwards
:func:`compare_runs` says whether its results are the original's bits.

NOTE [rerun link]: the link lives in the new run's stored config as ``rerun_of`` (``{"run": id,
"source": store or config file}``), not in a store column: no schema change, and a re-run's own
``config.json`` carries it too. Config readers ignore the key (it is provenance, not a setting).

NOTE [measured, not computed]: some results are wall-clock or memory measurements (train's
``seconds`` per epoch, ``batch-compare``'s time budgets, the loader timings). They differ on
every run by nature, so :func:`compare_runs` counts them apart and leaves them out of the verdict:
a key naming time, seconds, a speed-up, memory or bytes marks the value and everything below it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from descentlab.validation import InputValueError

__all__ = [
    "LINK_KEY",
    "Comparison",
    "Original",
    "check_data_file",
    "compare_runs",
    "original_from_file",
    "original_from_store",
    "provenance_warnings",
    "stored_metrics",
]

LINK_KEY = "rerun_of"
RUN_LABEL = "(run)"  # the label of a run's own metrics beside its trials' labels

_MEASURED = re.compile(
    r"(^|_)(time|times|seconds|second|speedup|memory|bytes|rss|elapsed|wall)(_|$)|_s$|_ms$"
)


@dataclass(frozen=True)
class Original:
    """The run a re-run repeats. ``results`` and ``metrics`` (trial label → metric name →
    series) are ``None`` when unknown; so are ``versions`` and ``device`` (a config file read
    without its stored run)."""

    experiment: str
    config: dict[str, Any]
    origin: str
    run_id: int | None = None
    source: str = ""
    results: dict[str, Any] | None = None
    metrics: dict[str, dict[str, list[float]]] | None = None
    versions: dict[str, str] | None = None
    device: str | None = None

    def link(self) -> dict[str, Any]:
        """The ``rerun_of`` entry of the re-run's config (NOTE [rerun link])."""
        return {"run": self.run_id, "source": self.source}


def stored_metrics(store: Any, run_id: int) -> dict[str, dict[str, list[float]]]:
    """The run's own metrics (label ``RUN_LABEL``) and each trial's, by label."""
    series = {RUN_LABEL: store.metrics(run_id)}
    for trial in store.children(run_id):
        series[trial.label] = store.metrics(trial.id)
    return {label: {k: v.tolist() for k, v in m.items()} for label, m in series.items()}


def original_from_store(store_path: Path, run_id: int) -> Original:
    """Run ``run_id`` of the store at ``store_path``, read without writing."""
    from descentlab.store import ResultsStore

    if not store_path.is_file():
        raise InputValueError(
            f"store must be an existing results file, got {str(store_path)!r} (nothing to rerun)"
        )
    with ResultsStore.open_readonly(store_path) as store:
        run = store.get_run(run_id)
        if run.parent_id is not None:
            raise InputValueError(
                f"run id must be a top-level run, got {run_id}, a trial of run {run.parent_id} "
                f"(rerun {run.parent_id})"
            )
        finished = run.status in ("finished", "diverged")
        return Original(
            experiment=run.experiment,
            config=run.config,
            origin=f"run {run_id}",
            run_id=run_id,
            source=str(store_path.resolve()),
            results=run.results if finished else None,
            metrics=stored_metrics(store, run_id) if finished else None,
            versions=run.versions,
            device=run.device,
        )


def _read_json(path: Path, name: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputValueError(f"{name} must be an existing file, got {str(path)!r}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputValueError(
            f"{name} must be a readable JSON file, got {str(path)!r} ({error})"
        ) from None


def original_from_file(
    path: str | Path, experiment: str | None, store_path: Path, known: tuple[str, ...]
) -> Original:
    """The run a ``config.json`` describes.

    The experiment is ``experiment`` when given, else the one the ``manifest.json`` beside the
    file names, else the folder's name (``OUT/<experiment>/config.json``). When the manifest's
    run is in the store at ``store_path`` with this very config, that stored run is the original
    (results, metrics, versions, device); else the ``results.json`` beside the file, when the
    manifest says the run completed, gives the results.
    """
    path = Path(path)
    config = _read_json(path, "--config")
    if not isinstance(config, dict):
        raise InputValueError(
            f"--config must hold a JSON object of settings, got {type(config).__name__} in "
            f"{str(path)!r}"
        )
    manifest_path = path.parent / "manifest.json"
    manifest = _read_json(manifest_path, "manifest") if manifest_path.is_file() else {}
    manifest = manifest if isinstance(manifest, dict) else {}
    named = manifest.get("experiment") or path.parent.name
    if experiment is None:
        if named not in known:
            raise InputValueError(
                f"experiment must be given with --config outside OUT/<experiment>/, got "
                f"{str(path)!r} (name it: descentlab run EXPERIMENT --config FILE)"
            )
        experiment = named
    run_id = manifest.get("run_id") if named == experiment else None
    if isinstance(run_id, int) and store_path.is_file():
        stored = _matching_stored_run(store_path, run_id, experiment, config)
        if stored is not None:
            return stored
    results = None
    if manifest.get("complete") and named == experiment:
        results_path = path.parent / "results.json"
        if results_path.is_file():
            results = _read_json(results_path, "results.json")
    return Original(
        experiment=experiment,
        config=config,
        origin=f"{path}" if run_id is None else f"run {run_id} ({path})",
        run_id=run_id if isinstance(run_id, int) else None,
        source=str(path.resolve()),
        results=results if isinstance(results, dict) else None,
    )


def _matching_stored_run(
    store_path: Path, run_id: int, experiment: str, config: dict[str, Any]
) -> Original | None:
    from descentlab.validation import InputError

    try:
        stored = original_from_store(store_path, run_id)
    except InputError:  # not this store's run, or not a store: the file alone decides
        return None
    written = {k: v for k, v in config.items() if k != "run_id"}
    if stored.experiment != experiment or stored.config != written:
        return None
    return stored


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_data_file(description: Any, origin: str) -> None:
    """Refuse to repeat a run on a user's data file that is gone or changed.

    ``description`` is the stored ``Dataset.describe()`` (its ``source`` the resolved path,
    ``sha256`` the fingerprint); built-in data (no fingerprint) passes.
    """
    if not isinstance(description, dict) or not description.get("sha256"):
        return
    source, expected = str(description.get("source")), str(description["sha256"])
    path = Path(source)
    if not path.is_file():
        raise InputValueError(
            f"data file {source!r} must still exist to rerun {origin}, got no file there "
            "(moved or deleted)"
        )
    try:
        found = _file_digest(path)
    except OSError as error:
        raise InputValueError(
            f"data file {source!r} must be readable to rerun {origin}, got {error.strerror}"
        ) from None
    if found != expected:
        raise InputValueError(
            f"data file {source!r} must be unchanged since {origin} (sha256 {expected[:16]}…), "
            f"got sha256 {found[:16]}… (its contents changed)"
        )


def provenance_warnings(original: Original, versions: dict[str, str], device: str) -> list[str]:
    """Why the bits may differ: library versions or the device other than the original's."""
    if original.versions is None:
        return [
            f"the library versions and device of {original.origin} are unknown (a config file "
            "without its stored run): the bits may differ"
        ]
    warnings = []
    # a library the original did not record (runs stored before it was listed) is no evidence
    # of a difference; one recorded on both sides is compared
    changed = [
        f"{name} {original.versions[name]} → {versions[name]}"
        for name in sorted(set(original.versions) & set(versions))
        if original.versions[name] != versions[name]
    ]
    if changed:
        warnings.append(
            f"library versions differ from {original.origin}'s ({'; '.join(changed)}): "
            "the bits may differ"
        )
    if original.device is not None and original.device != device:
        warnings.append(
            f"the device differs from {original.origin}'s ({original.device} → {device}): "
            "the bits may differ"
        )
    return warnings


@dataclass
class Comparison:
    """The re-run's results against the original's, value by value (NOTE [measured, not
    computed]). ``identical`` is None when the original's results are unknown."""

    compared: int = 0
    differing: int = 0
    measured: int = 0
    largest: float = 0.0
    where: str = ""
    mismatched: list[str] = field(default_factory=list)
    known: bool = True

    @property
    def identical(self) -> bool | None:
        if not self.known:
            return None
        return self.differing == 0 and not self.mismatched

    def as_json(self) -> dict[str, Any]:
        return {
            "identical": self.identical,
            "compared": self.compared,
            "differing": self.differing,
            "largest_difference": self.largest if self.differing else 0.0,
            "where": self.where or None,
            "mismatched": self.mismatched[:10],
            "measured_not_compared": self.measured,
        }

    def sentence(self, origin: str) -> str:
        if self.identical is None:
            return f"the results of {origin} are not known: nothing to compare"
        skipped = f"; {self.measured} measured times/sizes not compared" if self.measured else ""
        if self.identical:
            return f"results bit-identical to {origin}'s ({self.compared} values{skipped})"
        parts = []
        if self.differing:
            parts.append(
                f"{self.differing} of {self.compared} values differ, the largest by "
                f"{self.largest:.6g} at {self.where}"
            )
        if self.mismatched:
            parts.append(f"not comparable at {', '.join(self.mismatched[:3])}")
        return f"results differ from {origin}'s: {'; '.join(parts)}{skipped}"


def _leaves(value: Any, path: str, measured: bool) -> Iterator[tuple[str, Any, bool]]:
    if isinstance(value, dict):
        for key, item in value.items():
            below = measured or bool(_MEASURED.search(str(key)))
            yield from _leaves(item, f"{path}.{key}" if path else str(key), below)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]", measured)
    else:
        yield path, value, measured


def _same_bits(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a.hex() == b.hex() or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def compare_runs(original: dict[str, Any] | None, new: dict[str, Any]) -> Comparison:
    """Compare two ``{"results": …, "metrics": …}`` trees bit for bit (``original`` None:
    unknown). A leaf that is a number in both is compared by its bits; any other difference in
    structure is listed as not comparable."""
    comparison = Comparison(known=original is not None)
    if original is None:
        return comparison
    old = dict(_pairs(original))
    for path, value, measured in _leaves(new, "", False):
        if measured:
            comparison.measured += 1
            continue
        if path not in old:
            comparison.mismatched.append(path)
            continue
        before = old.pop(path)
        comparison.compared += 1
        if _same_bits(before, value):
            continue
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (before, value)
        )
        if not numbers:
            comparison.mismatched.append(path)
            continue
        comparison.differing += 1
        gap = abs(float(before) - float(value))
        if not comparison.where or gap > comparison.largest or math.isnan(gap):
            comparison.largest, comparison.where = gap, path
    comparison.mismatched.extend(path for path in old)  # in the original only
    return comparison


def _pairs(tree: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for path, value, measured in _leaves(tree, "", False):
        if not measured:
            yield path, value
