"""The grader's command-line seam: ``descentlab check`` and ``descentlab cases generate``.

The CLI adds the two parsers with :func:`add_check_parser` and :func:`add_cases_parser`; each sets
``run`` (via ``set_defaults``) to :func:`run_check` or :func:`run_cases`, which return the exit
code: 0 when every case passed, 1 when any failed. Bad usage (a missing file, an unknown ``--as``
name, an empty case set, existing case files without ``--force``) raises ValueError,
FileNotFoundError or TypeError with a one-line message, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from descentlab.grade.generate import SHIPPED_SEED, generate_cases
from descentlab.grade.grader import check
from descentlab.grade.registry import REGISTRY

__all__ = ["add_cases_parser", "add_check_parser", "run_cases", "run_check"]


def add_check_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``check PATH[:FUNC] [--as NAME] [--cases DIR] [--json] [--html FILE] [--timeout S]``."""
    parser = subparsers.add_parser(
        "check",
        help="grade a learner's gradient step (a .py file, file.py:function or a notebook)",
        description="Grade gradient_step_onefeature / gradient_step against the shipped cases. "
        "Exit code 0: every case passed; 1: some case failed; 2: bad usage.",
    )
    parser.add_argument(
        "target", metavar="PATH[:FUNC]", help="solution.py, solution.py:my_step or notebook.ipynb"
    )
    parser.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        choices=sorted(REGISTRY),
        help="the function FUNC implements (when its name and arguments do not tell)",
    )
    parser.add_argument("--cases", metavar="DIR", help="a case directory (default: shipped)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--html", metavar="FILE", help="also write a standalone HTML report")
    parser.add_argument(
        "--timeout", type=float, default=5.0, metavar="S", help="time limit per case (default 5)"
    )
    parser.set_defaults(run=run_check)
    return parser


def add_cases_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``cases generate --out DIR [--seed N] [--force]``."""
    parser = subparsers.add_parser("cases", help="write grader case sets")
    actions = parser.add_subparsers(dest="cases_action", required=True, metavar="ACTION")
    generate = actions.add_parser(
        "generate", help="write public and hidden case files from the reference implementation"
    )
    generate.add_argument("--out", required=True, metavar="DIR", help="the case directory")
    generate.add_argument(
        "--seed",
        type=int,
        default=SHIPPED_SEED,
        metavar="N",
        help=f"case seed (default {SHIPPED_SEED}, the shipped cases)",
    )
    generate.add_argument("--force", action="store_true", help="overwrite existing case files")
    parser.set_defaults(run=run_cases)
    return parser


def run_check(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """Grade ``args.target``; write the table (or JSON) to ``stream`` (default stdout)."""
    out = sys.stdout if stream is None else stream
    report = check(args.target, cases=args.cases, names=args.as_name, timeout=args.timeout)
    if args.html:
        Path(args.html).write_text(report.to_html(), encoding="utf-8")
    out.write(report.to_json() + "\n" if args.json else report.to_table())
    return 0 if report.passed else 1


def run_cases(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """Write the case sets; list the files written on ``stream`` (default stdout)."""
    out = sys.stdout if stream is None else stream
    try:
        written = generate_cases(args.out, args.seed, force=args.force)
    except FileExistsError as error:
        raise ValueError(str(error)) from None
    for path in written:
        out.write(f"{path}\n")
    return 0
