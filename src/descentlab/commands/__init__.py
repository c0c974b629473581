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

DEFAULT_OUT = "descentlab-out"

__all__ = ["DEFAULT_OUT"]
