"""One run's life, the same for ``run``, ``tour``, ``train`` and the coming sweeps.

resolve config (the caller) → :class:`RunLifecycle` claims the output folder (NOTE [folder
claim]) and opens the store → :meth:`~RunLifecycle.begin` stores the run ``running`` → the
caller runs it → :meth:`~RunLifecycle.complete` stores the final status, results and trials in
one transaction → :meth:`~RunLifecycle.write_files` draws the figures and writes
``config.json``, ``results.json`` and the manifest, each atomically (NOTE [atomic files]) →
leaving the ``with`` block releases the folder.

NOTE [every exit]: whatever ends the run, the store and the folder agree afterwards.

* an exception between ``begin`` and ``complete`` → the run is ``failed`` with the reason;
* SIGINT/SIGTERM (:class:`~.signals.Interrupted`, any ``KeyboardInterrupt``) → ``interrupted``;
* the store cannot take the results (a full disk) → :class:`StoreWriteError` naming the store,
  after trying to mark the run ``failed``;
* a file cannot be written (a full disk) → :class:`~descentlab.atomic_files.OutputWriteError`
  naming the file; the run keeps its stored status and results, its message says which file is
  missing and how to redraw, and the manifest stays incomplete;
* an interruption while the final files are written waits for them (NOTE [interrupts]);
* SIGKILL → the kernel drops the folder lock; the manifest says incomplete; the store's next
  writer marks the run ``interrupted`` from its pid and host.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from descentlab.atomic_files import OutputWriteError, write_text
from descentlab.lifecycle import signals
from descentlab.lifecycle.output_folder import (
    FolderClaim,
    PreviousRun,
    claim_folder,
    prepare_output,
)
from descentlab.validation import InputError, InputValueError

__all__ = ["STORE_NAME", "RunFiles", "RunLifecycle", "StoreWriteError"]

STORE_NAME = "runs.sqlite"

#: A hook told where the run stands (``claimed``, ``begun``, ``completed``, ``figures``,
#: ``files``); the command line uses it for its test-only pauses, nothing else needs it.
StageHook = Callable[[str], None]


class StoreWriteError(InputValueError):
    """The results store could not take a write (a full disk, a read-only file); names it."""


@dataclass(frozen=True)
class RunFiles:
    """The files a finished run left in its folder."""

    figures: list[Any]
    config: Path
    results: Path


def _store_error(path: Path, error: Exception) -> StoreWriteError:
    return StoreWriteError(f"store must be writable, got {str(path)!r} ({error})")


class RunLifecycle:
    """Claim ``out/<folder_name>/`` and open the store; use as a context manager.

    ``keep`` names files of the previous run that survive the claim (a training checkpoint).
    ``resume_hint`` is appended to the reason of a failed or interrupted run. ``sweep`` (sweep
    id, Optuna trial number, parameters) links the run to a sweep's trial.
    """

    def __init__(
        self,
        out: str | Path,
        folder_name: str,
        *,
        store_path: str | Path | None = None,
        keep: tuple[str, ...] = (),
        on_stage: StageHook | None = None,
        sweep: tuple[int, int, dict[str, Any]] | None = None,
    ) -> None:
        self.root = prepare_output(out)
        self.sweep = sweep  # a sweep trial's link, stored with the run (NOTE [sweep link])
        self.store_path = Path(store_path) if store_path else self.root / STORE_NAME
        self._on_stage = on_stage
        self.claim: FolderClaim = claim_folder(self.root / folder_name, keep=keep)
        self.folder = self.claim.folder
        self.run_id: int | None = None
        self.experiment: str | None = None
        self.resume_hint = ""
        self.notices: list[str] = []
        self._stored = False
        self._hold: contextlib.AbstractContextManager | None = None
        try:
            from descentlab.store import ResultsStore

            self.store = ResultsStore(self.store_path)
        except BaseException:
            self.claim.release()
            raise
        self.stage("claimed")

    @property
    def previous(self) -> PreviousRun | None:
        """What the folder held before this run claimed it."""
        return self.claim.previous

    def stage(self, name: str) -> None:
        if self._on_stage is not None:
            self._on_stage(name)

    # -- the steps -----------------------------------------------------------------------------
    def begin(self, experiment: str, **run: Any) -> int:
        """Store the run ``running`` (committed at once); returns its id. ``run`` holds the
        keywords of ``ResultsStore.begin_run`` (config, seed, versions, device, label)."""
        try:
            run_id = self.store.begin_run(experiment, sweep=self.sweep, **run)
        except (sqlite3.Error, OSError) as error:
            raise _store_error(self.store_path, error) from None
        self._adopt(run_id, experiment)
        return run_id

    def adopt(self, run_id: int, experiment: str) -> None:
        """Continue a stored run (``train --resume``) as this lifecycle's run."""
        self._adopt(run_id, experiment)

    def _adopt(self, run_id: int, experiment: str) -> None:
        self.run_id, self.experiment = run_id, experiment
        self.claim.set_run(run_id, experiment)
        self.stage("begun")

    def complete(
        self,
        *,
        status: str,
        results: dict[str, Any],
        trials: Sequence[Any] = (),
        plot_data: dict[str, Any] | None = None,
        message: str | None = None,
    ) -> list[int]:
        """Store the final status, results and trials in one transaction; returns trial ids."""
        run_id = self._require_run()
        # NOTE [interrupts]: held back from here until the last file is written, so a signal
        # between the stored results and the files cannot leave a finished run without files.
        self._hold_interrupts()
        try:
            ids = self.store.complete_run(
                run_id,
                status=status,
                results=results,
                trials=trials,
                plot_data=plot_data,
                message=message,
            )
            self._stored = True
        except (sqlite3.Error, OSError) as error:
            self._mark(f"failed: the results could not be stored: {error}", interrupted=False)
            self._stored = True  # marked (or unmarkable): nothing more to record
            self._release_interrupts(error)
            raise _store_error(self.store_path, error) from None
        except BaseException as error:
            self._release_interrupts(error)
            raise
        self.stage("completed")
        return ids

    def write_files(
        self,
        *,
        config: dict[str, Any],
        results: dict[str, Any],
        draw: Callable[[Path], list[Any]] | None = None,
    ) -> RunFiles:
        """Draw the figures and write ``config.json``, ``results.json`` and the complete manifest,
        each atomically, with interruptions held back until they are all written."""
        from descentlab.store.jsonsafe import dumps

        run_id = self._require_run()
        writing = "the figures"
        self._hold_interrupts()
        try:
            try:
                self.stage("figures")
                if draw is None:
                    from descentlab.plots import draw_experiment

                    figures = draw_experiment(self.store.load_experiment(run_id), self.folder)
                else:
                    figures = draw(self.folder)
                writing = "config.json and results.json"
                self.stage("files")
                config_path = write_text(
                    self.folder / "config.json", dumps(config, indent=2) + "\n"
                )
                results_path = write_text(
                    self.folder / "results.json", dumps(results, indent=2) + "\n"
                )
                self.claim.finish()
            except BaseException as error:
                self._release_interrupts(error)
                raise
            self._release_interrupts()  # raises a signal held back meanwhile
        except OutputWriteError as error:
            self._note(f"files incomplete: {error}; {self._redraw_hint()}")
            error.args = (f"{error}; {self._redraw_hint()}",)
            raise
        except KeyboardInterrupt as error:
            signum = getattr(error, "signum", 2)
            if self.claim.complete:  # held back until every file was written
                raise signals.Interrupted(signum, "the run and its files are complete") from None
            note = f"interrupted while writing {writing}; {self._redraw_hint()}"
            self._note(f"files incomplete: {note}")
            raise signals.Interrupted(signum, note) from None
        return RunFiles(figures, config_path, results_path)

    # -- the exits -----------------------------------------------------------------------------
    def __enter__(self) -> RunLifecycle:
        # NOTE [file ledger]: every file written into the folder while the run holds it (the
        # checkpoints too) is listed in the manifest before it is written.
        self._recording = self.claim.recording()
        self._recording.__enter__()
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, tb: object) -> None:
        try:
            if error is not None and self.run_id is not None and not self._stored:
                if isinstance(error, KeyboardInterrupt):
                    reason = str(error) or "interrupted (SIGINT)"
                    if not reason.startswith("interrupted"):
                        reason = f"interrupted: {reason}"
                    self._mark(reason + self.resume_hint, interrupted=True)
                else:
                    self._mark(
                        f"failed: {type(error).__name__}: {error}{self.resume_hint}",
                        interrupted=False,
                    )
        finally:
            try:
                self.store.close()
            finally:
                self._recording.__exit__(None, None, None)
                self.claim.release()
                self._release_interrupts(error)

    def _hold_interrupts(self) -> None:
        if self._hold is None:
            self._hold = signals.deferred()
            self._hold.__enter__()

    def _release_interrupts(self, error: BaseException | None = None) -> None:
        """End the held stretch; without ``error``, a signal held back is raised now."""
        hold, self._hold = self._hold, None
        if hold is None:
            return
        if error is None:
            hold.__exit__(None, None, None)
        else:  # the error goes on; a signal held back meanwhile is dropped
            hold.__exit__(type(error), error, error.__traceback__)

    def _mark(self, reason: str, *, interrupted: bool) -> None:
        """Store the run's end as ``interrupted`` or ``failed``; never raises (the original
        error is the one to report)."""
        run_id = self.run_id
        if run_id is None:
            return
        try:
            with signals.deferred():
                if interrupted:
                    self.store.interrupt_run(run_id, reason)
                else:
                    self.store.fail_run(run_id, reason)
                self._stored = True
        except (sqlite3.Error, OSError, InputError):
            pass

    def _note(self, message: str) -> None:
        if self.run_id is None:
            return
        with contextlib.suppress(sqlite3.Error, OSError, InputError):
            self.store.note_run(self.run_id, message)

    def _redraw_hint(self) -> str:
        return f"the results are stored: redraw with `descentlab runs plot {self.run_id}`"

    def _require_run(self) -> int:
        if self.run_id is None:
            raise RuntimeError("begin() or adopt() must come first")
        return self.run_id
