"""How a submission becomes code the worker can run: files, notebooks and live functions.

The grader (parent side) turns what the learner gave into a JSON-able *spec* with
:func:`spec_for_path` or :func:`spec_for_callable`; the worker (child side) turns the spec into a
namespace with :func:`build_namespace`. Nothing here runs learner code in the grader's process.

- ``solution.py``: the whole file runs as a module named ``submission``; its folder is put first on
  ``sys.path`` so it can import its neighbours.
- ``notebook.ipynb``: read as JSON (nbformat 4, no Jupyter needed). Lines starting with ``%`` or
  ``!`` (magics, shell) are blanked, cells starting with ``%%`` are skipped, and of the rest only
  imports, ``def``/``class`` statements and assignments of literal constants run (NOTE [notebook
  cells]). Each cell keeps its own line numbers: errors say ``nb.ipynb [cell 3], line 2``.
- A function object: by reference (module name and qualified name) when its module can be imported,
  else from its source text, with the imports, constants and helper functions it uses (globals
  or closure variables) rebuilt in front of it. Anything else it uses is missing in the worker and
  shows up as a NameError in the feedback; grade such code from its file instead.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import linecache
import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "LoadError",
    "build_namespace",
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
    """Split ``"path[:function]"``; the path must exist and end in ``.py`` or ``.ipynb``.

    >>> parse_target("solution.py:my_step")  # doctest: +SKIP
    (PosixPath('solution.py'), 'my_step')
    """
    text = str(target)
    function: str | None = None
    head, sep, tail = text.rpartition(":")
    if sep and tail.isidentifier() and head:
        text, function = head, tail
    path = Path(text)
    if path.suffix not in SUFFIXES:
        raise ValueError(f"path must end in .py or .ipynb, got {str(path)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing file, got {str(path)!r}")
    return path, function


def _unit(filename: str, source: str, *, definitions_only: bool = False) -> dict[str, Any]:
    return {"filename": filename, "source": source, "definitions_only": definitions_only}


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
        units.append(
            _unit(f"{path.name} [cell {number}]", _strip_magics(source), definitions_only=True)
        )
    return units


def spec_for_path(path: Path, function: str | None = None) -> dict[str, Any]:
    """The worker spec for a ``.py`` file or a notebook."""
    path = path.resolve()
    if path.suffix == ".ipynb":
        units = notebook_units(path)
    else:
        try:
            units = [_unit(str(path), path.read_text(encoding="utf-8"))]
        except UnicodeDecodeError as error:
            raise LoadError("syntax_error", f"{path.name} is not UTF-8 text: {error}") from None
    return {"label": path.name, "directory": str(path.parent), "units": units, "function": function}


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
        return {
            "label": f"{func.__module__}.{func.__qualname__}",
            "directory": None,
            "module": func.__module__,
            "function": func.__qualname__,
        }
    if not isinstance(func, types.FunctionType):
        raise TypeError(f"func_or_path must be a function or a path, got {type(func).__name__}")
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        raise ValueError(
            f"func_or_path must be a function whose source can be read, got {name} (source "
            "unavailable); save it in a .py file and grade the file"
        ) from None
    preamble = "\n".join(_preamble(func, {name}))
    filename = f"<function {name}>"
    return {
        "label": f"{name}()",
        "directory": None,
        "units": [_unit(filename, preamble + "\n" + source)],
        "function": name,
    }


# -- the worker side ------------------------------------------------------------------------------
def _keep(statement: ast.stmt) -> bool:
    """NOTE [notebook cells]: a notebook is a script; grading runs only what defines things, so
    training loops, plots and ``input()`` calls in other cells never run."""
    if isinstance(statement, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef):
        return True
    if isinstance(statement, ast.AsyncFunctionDef):
        return True
    if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if all(isinstance(t, ast.Name) for t in targets):
            try:
                ast.literal_eval(statement.value)
            except ValueError:
                return False
            return True
    return False


def _compile(unit: dict[str, Any]) -> types.CodeType:
    filename, source = unit["filename"], unit["source"]
    if not Path(filename).is_file():
        lines = source.splitlines(keepends=True)
        linecache.cache[filename] = (len(source), None, lines, filename)
    tree = ast.parse(source, filename=filename)
    if unit.get("definitions_only"):
        tree.body = [statement for statement in tree.body if _keep(statement)]
    return compile(tree, filename, "exec", dont_inherit=True)


def build_namespace(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the submission described by ``spec`` and return its global namespace (worker side)."""
    if spec.get("directory"):
        sys.path.insert(0, spec["directory"])
    if "module" in spec:
        import importlib

        module = importlib.import_module(spec["module"])
        return {spec["function"]: _walk(module, spec["function"])}
    module = types.ModuleType("submission")
    module.__file__ = spec["units"][0]["filename"] if spec["units"] else spec["label"]
    sys.modules["submission"] = module
    namespace = module.__dict__
    for unit in spec["units"]:
        exec(_compile(unit), namespace)
    return namespace


def _walk(module: types.ModuleType, qualname: str) -> Any:
    target: Any = module
    for part in qualname.split("."):
        target = getattr(target, part)
    return target
