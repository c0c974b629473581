"""The grader's commands: ``descentlab check`` and ``descentlab cases generate``.

``check PATH`` grades one learner (a file, ``file.py:function``, a notebook or a learner's folder);
``check A.py B.ipynb CLASS_DIR/ --gradebook grades.csv`` (or any several targets) grades a class,
one learner per file or sub-folder (see :mod:`descentlab.grade.gradebook`).

:func:`add_parser` adds both parsers; each names its handler (``set_defaults(handler=...)``),
:func:`run_check` or :func:`run_cases`, which returns the exit code: 0 when every case passed, 1
when any failed. Bad usage (a missing file, an unknown ``--as`` name, an empty case set, existing
case files without ``--force``) raises an ``InputError`` or FileNotFoundError with a one-line
message, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from descentlab.grade.generate import SHIPPED_SEED, generate_cases
from descentlab.grade.registry import REGISTRY
from descentlab.validation import InputValueError

__all__ = ["add_parser", "run_cases", "run_check"]


def add_parser(subparsers: Any) -> None:
    """Add ``check`` and ``cases``."""
    _add_check_parser(subparsers)
    _add_cases_parser(subparsers)


def _add_check_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``check PATH[:FUNC] [--as NAME] [--cases DIR] [--json] [--html FILE] [--timeout S]``."""
    parser = subparsers.add_parser(
        "check",
        help="grade a learner's gradient step (a .py file, file.py:function or a notebook)",
        description="Grade gradient_step_onefeature / gradient_step against the shipped cases. "
        "Exit code 0: every case passed; 1: some case failed; 2: bad usage.",
    )
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="PATH[:FUNC]",
        help="solution.py, solution.py:my_step, notebook.ipynb or a learner's folder; several "
        "targets, or a class folder with --gradebook, grade a class",
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
    parser.add_argument(
        "--hidden-seed",
        type=int,
        metavar="N",
        help="seed of the hidden cases (default: drawn, and reported)",
    )
    parser.add_argument(
        "--gradebook",
        metavar="FILE.csv",
        help="grade a class: one row per learner in this CSV (not overwritten: --force)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, metavar="N", help="sandboxes graded at once (class)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing --gradebook or --html file"
    )
    parser.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "unshare"),
        default="auto",
        help="the sandbox tool (default: bubblewrap, else unshare)",
    )
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the submission's code unsandboxed, with your rights (only for code you trust)",
    )
    parser.set_defaults(handler=run_check)
    return parser


def _add_cases_parser(subparsers: Any) -> argparse.ArgumentParser:
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
    parser.set_defaults(handler=run_cases)
    return parser


def _check_new_file(path: Path, force: bool, option: str) -> None:
    """Refuse, before any grading, an output path that is a folder, an existing file (without
    ``force``) or in a folder that does not exist."""
    if path.is_dir():
        raise InputValueError(f"{option} must name a file, got the folder {path}")
    if path.exists() and not force:
        raise InputValueError(f"{option} must not name an existing file (use --force), got {path}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{option} must be in an existing folder, got {path}")


def _write_new(path: Path, text: str, force: bool, option: str = "--gradebook") -> None:
    """Write ``text`` to ``path`` atomically; an existing file is replaced only with ``force``."""
    _check_new_file(path, force, option)
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_check(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """Grade the targets; write the table (or JSON) to ``stream`` (default stdout)."""
    from descentlab.grade.grader import check  # the sandbox machinery only when grading
    from descentlab.grade.sandbox import SandboxUnavailableError

    out = sys.stdout if stream is None else stream
    sandbox = "none" if args.no_sandbox else args.sandbox
    if args.html:
        _check_new_file(Path(args.html), args.force, "--html")
    try:
        if args.gradebook or len(args.targets) > 1 or _is_class_folder(args.targets[0]):
            return _run_class(args, sandbox, out)
        report = check(
            args.targets[0],
            cases=args.cases,
            names=args.as_name,
            timeout=args.timeout,
            hidden_seed=args.hidden_seed,
            sandbox=sandbox,
        )
    except SandboxUnavailableError as error:
        raise InputValueError(str(error)) from None
    if args.html:
        _write_new(Path(args.html), report.to_html(), args.force, "--html")
    out.write(report.to_json() + "\n" if args.json else report.to_table())
    return 0 if report.passed else 1


def _is_class_folder(target: str) -> bool:
    """A folder with no entry file of its own (``solution.py``, ...) holds a class."""
    from descentlab.grade.submission_spec import LoadError, find_entry

    path = Path(target)
    if not path.is_dir():
        return False
    try:
        find_entry(path)
    except LoadError:
        return True
    return False


def _run_class(args: argparse.Namespace, sandbox: str, out: TextIO) -> int:
    from descentlab.grade.gradebook import grade_class

    if args.as_name or args.html:
        raise InputValueError(
            "--as and --html grade one learner; a class gets --gradebook and --json"
        )
    target = Path(args.gradebook) if args.gradebook else None
    if target is not None:
        _check_new_file(target, args.force, "--gradebook")
    book = grade_class(
        args.targets,
        cases=args.cases,
        hidden_seed=args.hidden_seed,
        timeout=args.timeout,
        workers=args.workers,
        sandbox=sandbox,
    )
    if target is not None:
        _write_new(target, book.to_csv(), args.force)
    if args.json:
        import json

        out.write(json.dumps(book.to_dict(), indent=2) + "\n")
    else:
        out.write(book.to_table())
    return 0 if book.passed else 1


def run_cases(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """Write the case sets; list the files written on ``stream`` (default stdout)."""
    out = sys.stdout if stream is None else stream
    from descentlab.grade.generate import CASE_SET_ENTRIES
    from descentlab.lifecycle.output_folder import prepare_output

    prepare_output(args.out, name="--out", also_ours=CASE_SET_ENTRIES)  # NOTE [ownership]
    try:
        written = generate_cases(args.out, args.seed, force=args.force)
    except FileExistsError as error:
        raise InputValueError(str(error)) from None
    for path in written:
        out.write(f"{path}\n")
    return 0
