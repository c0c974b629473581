"""Progress on the terminal for long commands, drawn with rich on stderr.

The library never prints (STYLE): ``fit``, the tour and (later) sweeps report through callbacks,
and the command turns those calls into a live display built here. One :class:`ProgressDisplay`
holds counted tasks (a bar, ``i/n``, a detail text, the elapsed time); the adapters below feed it
from the trainer's :class:`~descentlab.train.fit_progress.Progress` events
(:class:`TrainProgress`), from "experiment i of n" (:class:`CountedProgress`, the tour and
``make bench``) and from trials that start and end (:class:`TrialsProgress`, for sweeps: done,
running, failed, best so far).

NOTE [quiet progress]: a display is drawn only when both stdout and stderr are terminals and the
command is not asked for ``--json`` (:func:`progress_wanted`): piped or redirected output, a log
file or a JSON consumer get no control sequences. A disabled display is a no-op that never imports
rich, so the silent path costs nothing. The live display starts at the first update after
``delay`` seconds, so a command that ends at once draws nothing.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

__all__ = [
    "CountedProgress",
    "ProgressDisplay",
    "TrainProgress",
    "TrialsProgress",
    "progress_wanted",
]


def progress_wanted(as_json: bool, streams: tuple[TextIO, ...] | None = None) -> bool:
    """True when a live display may be drawn (NOTE [quiet progress]): no ``--json`` and every
    stream in ``streams`` (default stdout and stderr) a terminal."""
    if as_json:
        return False
    for stream in streams if streams is not None else (sys.stdout, sys.stderr):
        isatty = getattr(stream, "isatty", None)
        if isatty is None or not isatty():
            return False
    return True


class ProgressDisplay:
    """Counted tasks drawn live on ``stream`` (default stderr); a no-op when not ``enabled``.

    Use as a context manager; ``add`` returns a task id for ``update``. ``delay`` seconds after
    construction pass before anything is drawn (NOTE [quiet progress]).
    """

    def __init__(self, enabled: bool, *, stream: TextIO | None = None, delay: float = 0.0) -> None:
        self.enabled = bool(enabled)
        self.stream = stream if stream is not None else sys.stderr
        self.delay = float(delay)
        self.started = time.perf_counter()
        self._progress: Any = None
        self._live = False
        self._next_id = 0
        self._pending: dict[int, dict[str, Any]] = {}
        self._ids: dict[int, Any] = {}

    def _build(self) -> Any:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=self.stream, force_terminal=True)
        return Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            refresh_per_second=8,
        )

    def add(self, description: str, total: float | None, *, detail: str = "") -> int:
        """A new task of ``total`` units (None: unknown); its id for :meth:`update`."""
        task = self._next_id
        self._next_id += 1
        if self.enabled:
            self._pending[task] = {
                "description": description, "total": total, "detail": detail, "completed": 0
            }  # fmt: skip
            if self._live:
                self._add_live(task)
        return task

    def _add_live(self, task: int) -> None:
        state = self._pending[task]
        self._ids[task] = self._progress.add_task(
            state["description"],
            total=state["total"],
            completed=state["completed"],
            detail=state["detail"],
        )

    def update(self, task: int, **changes: Any) -> None:
        """Change a task: ``completed``, ``total``, ``description`` or ``detail``."""
        if not self.enabled:
            return
        state = self._pending.get(task)
        if state is not None:
            state.update(changes)
        if not self._live and time.perf_counter() - self.started < self.delay:
            return
        self._start()
        if task in self._ids:
            self._progress.update(self._ids[task], **changes)

    def _start(self) -> None:
        if self._live:
            return
        self._progress = self._build()
        self._progress.start()
        self._live = True
        for task in self._pending:
            self._add_live(task)

    def close(self) -> None:
        """Stop the live display (the last state stays on screen)."""
        if self._live:
            self._progress.refresh()
            self._progress.stop()
            self._live = False

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TrainProgress:
    """The trainer's callback: one bar over every batch of every epoch, with the epoch, batch,
    loss and samples per second (``fit``'s ``Progress`` events)."""

    def __init__(self, display: ProgressDisplay) -> None:
        self.display = display
        self.task = display.add("train", None)

    def __call__(self, event: Any) -> None:
        total = event.epochs * event.batches
        done = (event.epoch - 1) * event.batches + event.batch
        loss = f"{event.loss:.4g}" if math.isfinite(event.loss) else "not finite"
        self.display.update(
            self.task,
            total=total,
            completed=done,
            description=f"epoch {event.epoch}/{event.epochs} batch {event.batch}/{event.batches}",
            detail=f"loss {loss}  {event.samples_per_second:,.0f} samples/s",
        )


class CountedProgress:
    """Item i of n: the tour's experiments, ``make bench``'s benchmarks. Call ``start(name)``
    before each item and ``finish()`` after the last."""

    def __init__(self, display: ProgressDisplay, noun: str, total: int) -> None:
        self.display, self.noun, self.total = display, noun, int(total)
        self.done = 0
        self.task = display.add(f"{noun} 0 of {self.total}", self.total)

    def start(self, name: str, done: int | None = None) -> None:
        """Item ``done + 1`` (default: the one after the last started) begins."""
        if done is not None:
            self.done = int(done)
        self.display.update(
            self.task,
            completed=self.done,
            description=f"{self.noun} {min(self.done + 1, self.total)} of {self.total}",
            detail=name,
        )
        self.done += 1

    def finish(self) -> None:
        self.done = self.total
        self.display.update(
            self.task, completed=self.total, description=f"{self.noun}s done", detail=""
        )


class TrialsProgress:
    """Trials of a sweep: done, running, failed and the best objective so far.

    ``started()`` when a trial begins, ``ended(status, value)`` when it ends (``status`` as the
    store has it; ``value`` its objective, None when it has none); ``minimize`` says which way
    is better."""

    FAILED = ("failed", "diverged", "interrupted")

    def __init__(self, display: ProgressDisplay, total: int | None, *, minimize: bool = True):
        self.display, self.minimize = display, minimize
        self.done = self.running = self.failed = 0
        self.best: float | None = None
        self.task = display.add("trials", total, detail=self._detail())

    def _detail(self) -> str:
        best = "-" if self.best is None else f"{self.best:.4g}"
        return f"running {self.running}  failed {self.failed}  best {best}"

    def started(self) -> None:
        self.running += 1
        self.display.update(self.task, detail=self._detail())

    def ended(self, status: str, value: float | None = None) -> None:
        self.running = max(0, self.running - 1)
        self.done += 1
        if status in self.FAILED:
            self.failed += 1
        elif value is not None and math.isfinite(value):
            better = self.best is None or (
                value < self.best if self.minimize else value > self.best
            )
            self.best = value if better else self.best
        self.display.update(self.task, completed=self.done, detail=self._detail())
