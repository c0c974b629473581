"""The ``descentlab`` command: the top-level parser and mapping errors to exit codes, nothing else.

Each command lives in :mod:`descentlab.commands` (one module per command family), which adds its
parsers and names its handler; :func:`main` calls ``args.handler(args)``.

Exit codes say whose move it is (NOTE [input errors] in ``validation``):
- 0: success (a diverged run is a result, also 0; ``check`` returns 1 when a case failed).
- 2: bad input: an ``InputError`` (or FileNotFoundError, or an argparse usage error): one line
  on stderr naming the flag or argument, never a traceback.
- 1, environment: an OSError the machine raised (disk full, read-only file system, a store that
  cannot be written: ``StoreWriteError``): one line naming the file and the reason; not a bug.
- 1, defect: any other exception is a bug in descentlab: one line with a bug-report hint. A
  programming ``TypeError``/``ValueError`` lands here, never disguised as bad input.
- 130 / 143: interrupted by SIGINT / SIGTERM (NOTE [interrupts] in ``lifecycle.signals``: the
  handlers are installed here, and only here).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from descentlab.validation import InputError

_BUG_HINT = "a bug in descentlab: please report it with the command that caused it"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    from descentlab.commands import grade, report, rerun, run, runs, sweep, train

    parser = _Parser(prog="descentlab", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for commands in (run, rerun, runs, report, grade, train, sweep):  # the order of --help
        commands.add_parser(sub)
    return parser


def _stage_hook() -> Callable[[str], None] | None:
    """A test-only pause at one stage of a run: ``DESCENTLAB_TEST_PAUSE=STAGE:SECONDS`` prints
    ``descentlab-test-stage: STAGE`` on stderr and sleeps, so a test can signal a run at a known
    point (stages in ``lifecycle.run_lifecycle``). Read here, in the CLI, and nowhere else."""
    setting = os.environ.get("DESCENTLAB_TEST_PAUSE", "")
    if ":" not in setting:
        return None
    wanted, _, seconds = setting.partition(":")

    def pause(stage: str) -> None:
        if stage == wanted:
            import time

            print(f"descentlab-test-stage: {stage}", file=sys.stderr, flush=True)
            time.sleep(float(seconds))

    return pause


def _environment_line(error: OSError) -> str:
    """One line for an OSError of the machine: the file(s) and the reason, no bug hint."""
    reason = error.strerror or str(error) or type(error).__name__
    files = [str(name) for name in (error.filename, error.filename2) if name is not None]
    where = f"{' -> '.join(repr(name) for name in files)}: " if files else ""
    return f"descentlab: error: {where}{reason} (an error of the environment, not of descentlab)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    from descentlab.lifecycle import signals

    signals.install()
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.version:
            from descentlab import __version__

            print(f"descentlab {__version__}")
            return 0
        if args.command is None:
            parser.print_help()
            return 2
        args.on_stage = _stage_hook()
        args.argv = list(sys.argv[1:] if argv is None else argv)  # torchrun re-runs it
        return args.handler(args)
    except (InputError, FileNotFoundError) as error:
        print(f"descentlab: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as error:
        stop = error if isinstance(error, signals.Interrupted) else signals.Interrupted()
        print(f"descentlab: {stop}", file=sys.stderr)
        return stop.exit_code
    except OSError as error:  # StoreWriteError too: the environment's, not a defect
        print(_environment_line(error), file=sys.stderr)
        return 1
    except Exception as error:  # last resort: one line, never a traceback
        print(
            f"descentlab: unexpected error: {type(error).__name__}: {error} ({_BUG_HINT})",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
