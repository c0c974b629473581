"""SIGINT and SIGTERM as exceptions, and short stretches where they wait.

NOTE [interrupts]: only the command line installs handlers (:func:`install`); a library caller
keeps its own. The handlers raise :class:`Interrupted` (a ``KeyboardInterrupt``, exit code
128 + the signal number: 130 for SIGINT, 143 for SIGTERM) in the main thread, so the run
lifecycle sees an interruption as an exception and stores the run ``interrupted``. Inside
:func:`deferred` (storing the final status, writing the last files, about a second) the first
signal is held back and raised when the block ends, so a run is never left "finished" with half
its files; a second signal in the same stretch is raised at once (the user insists).
Without the command line's handlers, :func:`deferred` defers nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Interrupted", "deferred", "install"]

_NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}


class Interrupted(KeyboardInterrupt):
    """The process was asked to stop by ``signum``; ``exit_code`` is 128 + ``signum``."""

    def __init__(self, signum: int = signal.SIGINT, note: str = "") -> None:
        self.signum = int(signum)
        self.note = note
        super().__init__(self.describe())

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def signal_name(self) -> str:
        return _NAMES.get(self.signum, f"signal {self.signum}")

    def describe(self) -> str:
        return f"interrupted ({self.signal_name})" + (f": {self.note}" if self.note else "")

    def __str__(self) -> str:
        return self.describe()


class _State:
    depth = 0
    pending: int | None = None
    installed = False


def _handler(signum: int, frame: FrameType | None) -> None:
    if _State.depth > 0 and _State.pending is None:
        _State.pending = signum
        return
    raise Interrupted(signum)


def install() -> None:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` (the command line only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in _NAMES:
        signal.signal(signum, _handler)
    _State.installed = True


@contextmanager
def deferred() -> Iterator[None]:
    """Hold back the first SIGINT/SIGTERM until the block ends (NOTE [interrupts])."""
    _State.depth += 1
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        _State.depth -= 1
        if _State.depth == 0 and _State.pending is not None:
            signum, _State.pending = _State.pending, None
            if not failed:
                raise Interrupted(signum)
