"""Grading a whole class: many submissions, one sandbox each, a gradebook as CSV and JSON.

NOTE [warm pool]: starting a sandbox and importing NumPy (and PyTorch, for a torch submission)
costs far more than grading a gradient step, so sandboxes are made ahead: while ``workers``
submissions are graded, the sandboxes of the next ones start and warm up in the background (at
most ``2 × workers`` alive at once). A sandbox serves exactly one learner and is thrown away with
its private folder afterwards, so no learner's process, files or imports are seen by the next.
Every learner is graded on the same cases: the public ones and the hidden ones of one seed, drawn
once for the class (or given), so grading the same folder again with the same seed gives the same
points, verdicts and diagnoses (only the times differ).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from descentlab.grade.grade_report import GradeReport
from descentlab.grade.grader import (
    DEFAULT_MEMORY_MB,
    CaseSets,
    GradingOptions,
    cpu_seconds_for,
    grade_session,
    lookup_names,
    submission_spec,
)
from descentlab.grade.inside.channel import ChannelTimeoutError
from descentlab.grade.registry import REGISTRY
from descentlab.grade.sandbox import Limits, resolve_sandbox, worker_command
from descentlab.grade.submission_spec import SUFFIXES, frameworks_used
from descentlab.grade.worker import (
    Prepared,
    Session,
    WorkerCrashedError,
    prepare_root,
    start_worker,
)
from descentlab.validation import InputValueError, check_positive_int

__all__ = ["Gradebook", "LearnerRow", "expand_targets", "grade_class"]


@dataclass(frozen=True)
class LearnerRow:
    """One learner's line of the gradebook."""

    learner: str
    passed: bool
    points: float
    max_points: float
    verdicts: dict[str, str]
    diagnosis: tuple[str, ...]
    issues: tuple[str, ...]
    errors: tuple[str, ...]
    seconds: float

    @classmethod
    def from_report(cls, learner: str, report: GradeReport, seconds: float) -> LearnerRow:
        graded = {f.name: f for f in report.functions}
        verdicts = {}
        for name in REGISTRY:
            function = graded.get(name)
            if function is None:
                verdicts[name] = "missing"
            elif function.error is not None:
                verdicts[name] = function.error.code
            else:
                verdicts[name] = "pass" if function.passed else "fail"
        return cls(
            learner=learner,
            passed=report.passed,
            points=report.points,
            max_points=report.max_points,
            verdicts=verdicts,
            diagnosis=tuple(sorted(report.diagnosis)),
            issues=tuple(sorted(report.issue_codes)),
            errors=tuple(f"{i.code}: {i.message.splitlines()[0]}" for i in report.errors),
            seconds=seconds,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "passed": self.passed,
            "points": self.points,
            "max_points": self.max_points,
            "verdicts": self.verdicts,
            "diagnosis": list(self.diagnosis),
            "issues": list(self.issues),
            "errors": list(self.errors),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Gradebook:
    """The result of :func:`grade_class`: one row and one full report per learner."""

    rows: tuple[LearnerRow, ...]
    reports: tuple[GradeReport, ...]
    hidden_seed: int
    sandbox: str
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> dict[str, Any]:
        """Learners, pass rate, mean points and the most common diagnoses and issues."""
        count = len(self.rows)
        diagnoses = Counter(name for row in self.rows for name in row.diagnosis)
        issues = Counter(code for row in self.rows for code in row.issues)
        return {
            "learners": count,
            "passed": sum(row.passed for row in self.rows),
            "pass_rate": (sum(row.passed for row in self.rows) / count) if count else 0.0,
            "mean_points": (sum(row.points for row in self.rows) / count) if count else 0.0,
            "max_points": max((row.max_points for row in self.rows), default=0.0),
            "common_diagnoses": diagnoses.most_common(5),
            "common_issues": issues.most_common(5),
            "seconds": round(self.seconds, 3),
        }

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(row.passed for row in self.rows)

    def to_csv(self) -> str:
        """One row per learner: points, a verdict and points per function, diagnosis, time."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        names = list(REGISTRY)
        writer.writerow(
            ["learner", "passed", "points", "max_points"]
            + [f"{n}_verdict" for n in names]
            + [f"{n}_points" for n in names]
            + ["diagnosis", "issues", "errors", "seconds"]
        )
        for row, report in zip(self.rows, self.reports, strict=True):
            per_function = {f.name: f.points for f in report.functions}
            writer.writerow(
                [row.learner, row.passed, f"{row.points:g}", f"{row.max_points:g}"]
                + [row.verdicts[n] for n in names]
                + [f"{per_function.get(n, 0.0):g}" for n in names]
                + [";".join(row.diagnosis), ";".join(row.issues), " | ".join(row.errors)]
                + [f"{row.seconds:.3f}"]
            )
        return out.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {
            "hidden_seed": self.hidden_seed,
            "sandbox": self.sandbox,
            "summary": self.summary,
            "learners": [
                {**row.to_dict(), "report": report.to_dict()}
                for row, report in zip(self.rows, self.reports, strict=True)
            ],
        }

    def to_table(self) -> str:
        """One line per learner, then the summary."""
        width = max([len(r.learner) for r in self.rows] + [7])
        lines = [f"descentlab check: {len(self.rows)} learners, hidden seed {self.hidden_seed}"]
        if self.sandbox == "none":
            lines.append("warning: the submissions' code ran unsandboxed (--no-sandbox)")
        for row in self.rows:
            verdicts = " ".join(f"{n}={v}" for n, v in row.verdicts.items())
            diagnosis = f"  [{', '.join(row.diagnosis)}]" if row.diagnosis else ""
            lines.append(
                f"{row.learner:<{width}}  {'PASS' if row.passed else 'FAIL'}  "
                f"{row.points:g}/{row.max_points:g}  {verdicts}{diagnosis}"
            )
        summary = self.summary
        lines.append("")
        lines.append(
            f"{summary['passed']}/{summary['learners']} learners passed "
            f"({100 * summary['pass_rate']:.0f} %), mean {summary['mean_points']:.1f}/"
            f"{summary['max_points']:g} points, {summary['seconds']:.1f} s"
        )
        if summary["common_diagnoses"]:
            common = ", ".join(f"{n} x{c}" for n, c in summary["common_diagnoses"])
            lines.append(f"most common mistakes: {common}")
        return "\n".join(lines) + "\n"


def expand_targets(targets: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The learners' submissions: a file is one learner; a folder is a class folder whose
    ``.py`` and ``.ipynb`` files and sub-folders are one learner each (sorted by name)."""
    if isinstance(targets, str | os.PathLike):
        targets = [targets]
    found: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            entries = sorted(
                p
                for p in path.iterdir()
                if not p.name.startswith((".", "_"))
                and ((p.is_file() and p.suffix in SUFFIXES) or p.is_dir())
            )
            found.extend(entries)
        elif path.is_file():
            if path.suffix not in SUFFIXES:
                raise InputValueError(
                    f"targets must be .py or .ipynb files or folders, got {str(path)!r}"
                )
            found.append(path)
        else:
            raise FileNotFoundError(f"targets must exist, got {str(path)!r}")
    if not found:
        raise InputValueError("targets must hold at least one submission, got none")
    return list(dict.fromkeys(found))


def _labels(paths: list[Path]) -> list[str]:
    names = [p.name for p in paths]
    counts = Counter(names)
    return [f"{p.parent.name}/{p.name}" if counts[p.name] > 1 else p.name for p in paths]


class _Pool:
    """Sandboxes made ahead of need (NOTE [warm pool]); :meth:`close` ends every sandbox that was
    made but not used (after an error or Ctrl-C) and removes its folder."""

    def __init__(
        self, kind: str, limits: Limits, memory_mb: int | None, load_timeout: float, size: int
    ) -> None:
        self.kind = kind
        self.limits = limits
        self.memory_mb = memory_mb
        self.load_timeout = load_timeout
        self.alive = threading.Semaphore(size)
        self.closing = threading.Event()
        self.executor = ThreadPoolExecutor(max_workers=max(1, size // 2), thread_name_prefix="warm")
        self.futures: list[Future[Prepared]] = []
        self.taken: set[int] = set()

    def _make(self, warm: list[str]) -> Prepared:
        while not self.alive.acquire(timeout=0.1):
            if self.closing.is_set():
                raise CancelledError
        root = prepare_root()
        command = worker_command(self.kind, root, self.limits)
        try:
            process = start_worker(
                command,
                self.limits,
                memory_mb=self.memory_mb,
                warm=warm,
                timeout=self.load_timeout,
            )
        except (ChannelTimeoutError, WorkerCrashedError):
            process = None  # the session starts one itself and reports what happens
        return Prepared(root, command, process)

    def prepare(self, warm: list[str]) -> int:
        self.futures.append(self.executor.submit(self._make, warm))
        return len(self.futures) - 1

    def take(self, ticket: int) -> Prepared:
        self.taken.add(ticket)
        return self.futures[ticket].result()

    def release(self) -> None:
        self.alive.release()

    def close(self) -> None:
        self.closing.set()
        self.executor.shutdown(wait=True, cancel_futures=True)
        for ticket, future in enumerate(self.futures):
            if ticket in self.taken or future.cancelled() or future.exception() is not None:
                continue
            prepared = future.result()
            if prepared.process is not None:
                prepared.process.kill()
            shutil.rmtree(prepared.root, ignore_errors=True)


def grade_class(
    targets: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    cases: str | os.PathLike[str] | None = None,
    hidden_seed: int | None = None,
    timeout: float = 5.0,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    load_timeout: float | None = None,
    workers: int = 2,
    sandbox: str = "auto",
) -> Gradebook:
    """Grade every learner's submission among ``targets`` (see :func:`expand_targets`).

    Each learner is graded like :func:`descentlab.grade.check` (every registered function), in a
    sandbox of their own, ``workers`` at a time, all on the public cases and the hidden cases of
    one ``hidden_seed`` (drawn once when not given). A learner's file is never copied as another
    learner's neighbour module. Raises ValueError/FileNotFoundError for bad arguments and
    SandboxUnavailableError; every learner's problems are in their row and report.
    """
    import time

    workers = check_positive_int("workers", workers)
    options = GradingOptions.checked(timeout, memory_mb, load_timeout, hidden_seed, sandbox, cases)
    timeout, memory_mb, load_timeout = options.timeout, options.memory_mb, options.load_timeout
    hidden_seed, sandbox = options.hidden_seed, options.sandbox
    paths = expand_targets(targets)
    kind = resolve_sandbox(sandbox)
    sets = CaseSets(cases, hidden_seed)
    for name in REGISTRY:
        sets.get(name)
    others = frozenset(p.resolve() for p in paths)
    specs = [submission_spec(path, exclude=others) for path in paths]
    limits = Limits(cpu_seconds=cpu_seconds_for(timeout, load_timeout))
    pool = _Pool(kind, limits, memory_mb, load_timeout, size=2 * workers)
    context = {"hidden_seed": hidden_seed, "sandbox": kind}
    every = tuple(REGISTRY)  # a missing function scores zero in a gradebook
    start = time.perf_counter()
    prepared = [
        pool.prepare(frameworks_used(spec)) if spec is not None else None for spec, *_ in specs
    ]

    def grade_one(index: int) -> tuple[GradeReport, float]:
        spec, label, explicit, issue = specs[index]
        began = time.perf_counter()
        if spec is None:
            report = GradeReport(label, (), errors=(issue,) if issue else (), **context)
            return report, time.perf_counter() - began
        ticket = prepared[index]
        assert ticket is not None
        ready = pool.take(ticket)
        try:
            with Session(
                spec,
                lookup_names(explicit, every),
                sandbox=kind,
                memory_mb=memory_mb,
                load_timeout=load_timeout,
                limits=limits,
                prepared=ready,
            ) as session:
                report = grade_session(
                    session, sets, label, explicit, every, timeout, load_timeout, context
                )
        finally:
            pool.release()
        return report, time.perf_counter() - began

    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade") as graders:
            results = list(graders.map(grade_one, range(len(paths))))
    finally:
        pool.close()
    labels = _labels(paths)
    rows = tuple(
        LearnerRow.from_report(label, report, seconds)
        for label, (report, seconds) in zip(labels, results, strict=True)
    )
    reports = tuple(report for report, _ in results)
    return Gradebook(rows, reports, hidden_seed, kind, time.perf_counter() - start)
