"""The command-line seams: one module per command family, each adding its parsers to the
``descentlab`` command with ``add_parser(subparsers)`` and naming the function that runs it with
``set_defaults(handler=...)``.

:mod:`descentlab.cli` owns only the top-level parser and the exit codes; it calls
``args.handler(args)``, which returns the exit code. A handler reads the test-only stage hook from
``args.on_stage`` (set by the CLI, absent when a test builds its own parser).

NOTE [instant commands]: ``--help`` and ``list`` build every parser, so these modules import no
heavy library at module level (torch, scikit-learn, numba, matplotlib, pyarrow): a handler
imports what its command uses when it runs (``tests/cli/test_cli_imports.py``).
"""

import json
import sys
from collections.abc import Iterable
from typing import Any

DEFAULT_OUT = "descentlab-out"

__all__ = ["DEFAULT_OUT", "print_report"]


def print_report(
    report: Any, notices: Iterable[str], *, as_json: bool, summary: str, files: str
) -> int:
    """What a finished run prints: its notices on stderr (one line each, divergence included),
    then either the ``--json`` object or the one-line summary and where its files are."""
    for notice in notices:
        print(f"descentlab: {notice}", file=sys.stderr)
    if as_json:
        print(json.dumps(report.as_json(), allow_nan=False))
    else:
        print(summary)
        print(f"{files} in {report.folder}")
    return 0
