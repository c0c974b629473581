"""How a submission becomes a *spec*: the source text the worker runs, and nothing else.

The grader turns what the learner gave into a JSON-able spec with :func:`spec_for_path` or
:func:`spec_for_callable`; inside the sandbox, ``descentlab.grade.inside.namespace`` runs it. No
learner code runs in the grader's process, and the worker never sees the learner's folder: the
grader reads the files here and sends their text.

- ``solution.py``: the whole file runs as a module named ``submission``. The neighbour modules it
  imports (``import helpers`` with ``helpers.py`` or a package ``helpers/`` beside it, and what
  those import in turn) are copied into the sandbox's submission folder (NOTE [neighbour
  modules]).
- ``notebook.ipynb``: read as JSON (nbformat 4, no Jupyter needed). Lines starting with ``%`` or
  ``!`` (magics, shell) are blanked, cells starting with ``%%`` are skipped, and of the rest only
  definitions run (NOTE [notebook cells] in the namespace module). Each cell keeps its own line
  numbers: errors say ``nb.ipynb [cell 3], line 2``.
- A folder: its ``solution.py``, ``submission.py`` or ``main.py``, else its only ``.py`` file or
  notebook.
- A function object: its module's file when it has one (the function is then looked up by its
  qualified name), else its source text, with the imports, constants and helper functions it uses
  (globals or closure variables) rebuilt in front of it. Anything else it uses is missing in the
  worker and shows up as a NameError in the feedback; grade such code from its file instead.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from descentlab.validation import InputTypeError, InputValueError

__all__ = [
    "SUFFIXES",
    "LoadError",
    "find_entry",
    "frameworks_used",
    "imported_modules",
    "parse_target",
    "spec_for_callable",
    "spec_for_path",
]

SUFFIXES = (".py", ".ipynb")


class LoadError(Exception):
    """The submission could not be turned into a spec; ``kind`` and ``message`` say why."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def parse_target(target: str | Path) -> tuple[Path, str | None]:
    """Split ``"path[:function]"``; the path must be a ``.py`` or ``.ipynb`` file or a folder.

    >>> parse_target("solution.py:my_step")  # doctest: +SKIP
    (PosixPath('solution.py'), 'my_step')
    """
    text = str(target)
    function: str | None = None
    head, sep, tail = text.rpartition(":")
    if sep and tail.isidentifier() and head:
        text, function = head, tail
    path = Path(text)
    if path.is_dir():
        return path, function
    if path.suffix not in SUFFIXES:
        raise InputValueError(f"path must end in .py or .ipynb, got {str(path)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing file, got {str(path)!r}")
    return path, function


def _unit(filename: str, source: str) -> dict[str, Any]:
    return {"filename": filename, "source": source}


def _strip_magics(source: str) -> str:
    lines = source.splitlines()
    kept = ["" if line.lstrip().startswith(("%", "!")) else line for line in lines]
    return "\n".join(kept) + "\n"


def notebook_units(path: Path) -> list[dict[str, Any]]:
    """One unit per code cell of an nbformat-4 notebook, magics blanked out."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoadError(
            "bad_notebook", f"{path.name} is not a readable notebook: {error}"
        ) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise LoadError("bad_notebook", f"{path.name} has no list of cells (nbformat 4 expected)")
    units = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        if not isinstance(source, str) or source.lstrip().startswith("%%"):
            continue
        units.append(_unit(f"{path.name} [cell {number}]", _strip_magics(source)))
    return units


# NOTE [neighbour modules]: a learner's file may import modules that sit beside it. Those (and only
# those: not the rest of the folder, which may hold other learners' files or data) are copied, found
# by reading the import statements, up to these limits. When a single file is graded, a neighbour
# that itself defines a gradable function is not copied: in a folder shared by a class it is
# another learner's solution, and `import classmate` must not be a way to copy it.
MAX_NEIGHBOUR_FILES = 50
MAX_SOURCE_BYTES = 2 * 1024 * 1024
_FRAMEWORKS = {"torch": "torch", "tensorflow": "tensorflow", "keras": "tensorflow"}


def _read_source(path: Path) -> str:
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise LoadError(
            "load_raised", f"{path.name} is larger than {MAX_SOURCE_BYTES // 1024 // 1024} MiB"
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise LoadError("syntax_error", f"{path.name} is not UTF-8 text: {error}") from None


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules ``source`` imports (absolute imports; empty if unparsable)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def frameworks_used(spec: dict[str, Any]) -> list[str]:
    """The frameworks the worker warms up for this spec (NOTE [warm-up]): the ones imported, and
    ``torch.optim`` when a torch submission mentions it."""
    sources = [unit["source"] for unit in spec.get("units", [])] + list(spec["files"].values())
    found: set[str] = set()
    for source in sources:
        found |= {_FRAMEWORKS[name] for name in imported_modules(source) if name in _FRAMEWORKS}
    if "torch" in found and any("optim" in source for source in sources):
        found.add("torch.optim")
    return sorted(found)


def defined_functions(source: str) -> set[str]:
    """Names of the functions ``source`` defines at top level (empty if unparsable)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return set()
    kinds = ast.FunctionDef | ast.AsyncFunctionDef
    return {node.name for node in tree.body if isinstance(node, kinds)}


def _neighbours(
    directory: Path,
    sources: list[str],
    exclude: set[Path],
    refuse: frozenset[str] = frozenset(),
    skipped: list[str] | None = None,
) -> dict[str, str]:
    """The neighbour modules imported by ``sources``; a module defining a name in ``refuse`` (a
    gradable function: another learner's solution, when a class shares a folder) is left out and
    its name added to ``skipped``."""
    files: dict[str, str] = {}
    pending = [name for source in sources for name in imported_modules(source)]
    seen: set[str] = set()
    while pending and len(files) < MAX_NEIGHBOUR_FILES:
        name = pending.pop()
        if name in seen or not name.isidentifier():
            continue
        seen.add(name)
        module, package = directory / f"{name}.py", directory / name
        found: list[Path] = []
        if module.is_file() and module.resolve() not in exclude:
            found = [module]
        elif (package / "__init__.py").is_file() and package.resolve() not in exclude:
            found = sorted(package.rglob("*.py"))[:MAX_NEIGHBOUR_FILES]
        for path in found:
            source = _read_source(path)
            if refuse & defined_functions(source):
                if skipped is not None:
                    skipped.append(path.name)
                continue
            files[path.relative_to(directory).as_posix()] = source
            pending.extend(imported_modules(source))
    return files


def find_entry(folder: Path) -> Path:
    """The file to grade in a learner's folder (see the module docstring)."""
    for name in ("solution.py", "submission.py", "main.py"):
        if (folder / name).is_file():
            return folder / name
    candidates = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    if len(candidates) == 1:
        return candidates[0]
    listed = ", ".join(p.name for p in candidates) or "none"
    raise LoadError(
        "no_entry",
        f"{folder.name}/ must hold solution.py, submission.py, main.py or exactly one .py or "
        f".ipynb file, got {listed}",
    )


def spec_for_path(
    path: Path,
    function: str | None = None,
    *,
    exclude: set[Path] | frozenset[Path] = frozenset(),
    gradable: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The worker spec for a ``.py`` file, a notebook or a learner's folder; ``exclude`` lists
    files never copied as neighbours (the other learners' files of a class). For a single file
    (not a folder), a neighbour that defines one of the ``gradable`` names is not copied either
    (NOTE [neighbour modules]): a learner whose solution spans several files submits the folder."""
    path = path.resolve()
    refuse = gradable
    if path.is_dir():
        path = find_entry(path)
        refuse = frozenset()
    if path.suffix == ".ipynb":
        units = notebook_units(path)
        definitions = True
    else:
        units = [_unit(path.name, _read_source(path))]
        definitions = False
    skipped: list[str] = []
    files = _neighbours(
        path.parent, [u["source"] for u in units], {*exclude, path}, refuse, skipped
    )
    return {
        "skipped_neighbours": skipped,
        "label": path.name,
        "module": "submission",
        "units": units,
        "definitions_only": definitions,
        "function": function,
        "files": files,
    }


# -- functions given as objects -------------------------------------------------------------------
def _importable(func: Callable[..., Any]) -> bool:
    module = sys.modules.get(getattr(func, "__module__", None) or "")
    qualname = getattr(func, "__qualname__", "")
    if module is None or module.__name__ == "__main__" or "<locals>" in qualname:
        return False
    if getattr(module, "__file__", None) is None:
        return False
    target: Any = module
    for part in qualname.split("."):
        target = getattr(target, part, None)
    return target is func


def _names_used(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_used(const)
    return names


def _is_constant(value: Any) -> bool:
    if isinstance(value, bool | int | float | complex | str | bytes | type(None)):
        return True
    return isinstance(value, tuple) and all(_is_constant(v) for v in value)


def _used_values(func: types.FunctionType) -> dict[str, Any]:
    """The globals and closure variables ``func`` refers to, by name."""
    values = {
        name: func.__globals__[name]
        for name in _names_used(func.__code__)
        if name in func.__globals__
    }
    for name, cell in zip(func.__code__.co_freevars, func.__closure__ or (), strict=True):
        with contextlib.suppress(ValueError):
            values[name] = cell.cell_contents
    return values


def _preamble(func: types.FunctionType, seen: set[str]) -> list[str]:
    """Source lines that rebuild what ``func`` uses: imports, constants, helper functions."""
    lines: list[str] = []
    for name, value in sorted(_used_values(func).items()):
        if name in seen:
            continue
        seen.add(name)
        if isinstance(value, types.ModuleType):
            lines.append(f"import {value.__name__} as {name}")
        elif _is_constant(value):
            lines.append(f"{name} = {value!r}")
        elif isinstance(value, types.FunctionType) and not _importable(value):
            lines.extend(_preamble(value, seen))
            lines.append(textwrap.dedent(inspect.getsource(value)))
        elif getattr(value, "__module__", None) and getattr(value, "__name__", None):
            lines.append(f"from {value.__module__} import {value.__name__} as {name}")
    return lines


def spec_for_callable(func: Callable[..., Any]) -> dict[str, Any]:
    """The worker spec for a function object (see the module docstring)."""
    name = getattr(func, "__name__", type(func).__name__)
    if _importable(func):
        module = sys.modules[func.__module__]
        path = Path(str(module.__file__))
        if path.suffix == ".py" and path.is_file():
            source = _read_source(path)
            files = _neighbours(path.parent, [source], {path.resolve()})
            return {
                "label": f"{func.__module__}.{func.__qualname__}",
                "module": func.__module__.rpartition(".")[2],
                "units": [_unit(path.name, source)],
                "definitions_only": False,
                "function": func.__qualname__,
                "files": files,
            }
    if not isinstance(func, types.FunctionType):
        raise InputTypeError(
            f"func_or_path must be a function or a path, got {type(func).__name__}"
        )
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        raise InputValueError(
            f"func_or_path must be a function whose source can be read, got {name} (source "
            "unavailable); save it in a .py file and grade the file"
        ) from None
    preamble = "\n".join(_preamble(func, {name}))
    return {
        "label": f"{name}()",
        "module": "submission",
        "units": [_unit(f"<function {name}>", preamble + "\n" + source)],
        "definitions_only": False,
        "function": name,
        "files": {},
    }
