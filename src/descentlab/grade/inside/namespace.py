"""Turning a submission spec into a namespace of the learner's functions (inside the sandbox).

A spec (built by ``descentlab.grade.submission_spec`` in the grader) holds *units*: a file's
source, or one per notebook code cell, and the name of the module they run as. The learner's
neighbour modules that the submission imports were copied by the grader into the folder on
``sys.path`` first.

NOTE [notebook cells]: a notebook is a script; grading runs only what *defines* things, so training
loops, plots and ``input()`` calls in other cells never run. The same rule serves a ``.py`` file
whose top level fails or never ends (a script that reads its data file, trains and plots): its
definitions are graded, and the report says so. "Defines" is strict, because Python
runs code while defining: default values, decorators, annotations, base classes and class bodies
are all evaluated at definition time. A kept ``def`` has constant (or dotted-name) defaults, no
decorator but the builtin ``staticmethod``/``classmethod``/``property``, and its annotations are
dropped; a kept ``class`` has dotted-name bases, no keywords, and a body of kept ``def`` s, constant
assignments and docstrings. Anything else in a cell is skipped (and a notebook that rebinds those
three builtin names keeps none of its decorated definitions).
"""

from __future__ import annotations

import ast
import linecache
import sys
import types
from typing import Any

__all__ = ["build_namespace", "definitions_only"]

_SAFE_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})


def _is_constant(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _is_dotted(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _strip_annotations(arguments: ast.arguments) -> None:
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    for argument in every:
        argument.annotation = None


class _Rule:
    def __init__(self, rebound: set[str]) -> None:
        self.safe_decorators = _SAFE_DECORATORS - rebound

    def decorators_ok(self, decorators: list[ast.expr]) -> bool:
        return all(isinstance(d, ast.Name) and d.id in self.safe_decorators for d in decorators)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
        if not self.decorators_ok(node.decorator_list):
            return False
        if not all(_is_constant(d) or _is_dotted(d) for d in defaults):
            return False
        _strip_annotations(node.args)
        node.returns = None
        return True

    def assignment(self, node: ast.stmt) -> bool:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None and node.simple:
            targets = [node.target]
        else:
            return False
        return all(isinstance(t, ast.Name) for t in targets) and _is_constant(node.value)

    def class_(self, node: ast.ClassDef) -> bool:
        if node.keywords or not self.decorators_ok(node.decorator_list):
            return False
        if not all(_is_dotted(base) for base in node.bases):
            return False
        kept: list[ast.stmt] = []
        for statement in node.body:
            if self.statement(statement, in_class=True):
                if isinstance(statement, ast.AnnAssign):
                    statement = ast.Assign(
                        targets=[statement.target], value=statement.value, lineno=statement.lineno
                    )
                kept.append(statement)
        node.body = kept or [ast.Pass(lineno=node.lineno, col_offset=0)]
        return True

    def statement(self, node: ast.stmt, *, in_class: bool = False) -> bool:
        if isinstance(node, ast.Import | ast.ImportFrom):
            return not in_class
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return self.function(node)
        if isinstance(node, ast.ClassDef):
            return self.class_(node)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return True  # a docstring
        if isinstance(node, ast.Pass):
            return True
        return self.assignment(node)


def _rebound_names(trees: list[ast.Module]) -> set[str]:
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[0])
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names & _SAFE_DECORATORS


def definitions_only(trees: list[ast.Module]) -> list[ast.Module]:
    """The trees with only the statements NOTE [notebook cells] keeps (modified in place)."""
    rule = _Rule(_rebound_names(trees))
    for tree in trees:
        tree.body = [statement for statement in tree.body if rule.statement(statement)]
        ast.fix_missing_locations(tree)
    return trees


def _parse(unit: dict[str, Any]) -> ast.Module:
    filename, source = unit["filename"], unit["source"]
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    return ast.parse(source, filename=filename)


def _run_definitions(tree: ast.Module, filename: str, namespace: dict[str, Any]) -> list[str]:
    """Run a definitions-only tree statement by statement: an import of a package this machine
    lacks (a notebook's ``import tensorflow`` beside a NumPy step) skips that import only, with a
    note; the function fails later, with a NameError, only if it uses the name."""
    notes = []
    for statement in tree.body:
        code = compile(ast.Module([statement], []), filename, "exec", dont_inherit=True)
        try:
            exec(code, namespace)
        except ImportError as error:
            if not isinstance(statement, ast.Import | ast.ImportFrom):
                raise
            notes.append(f"{filename}, line {statement.lineno}: import skipped ({error})")
    return notes


def build_namespace(spec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Run the submission described by ``spec``; its global namespace and notes on imports that
    were skipped."""
    units = spec["units"]
    trees = [_parse(unit) for unit in units]
    definitions = bool(spec.get("definitions_only"))
    if definitions:
        trees = definitions_only(trees)
    module = types.ModuleType(spec.get("module") or "submission")
    module.__file__ = units[0]["filename"] if units else spec["label"]
    sys.modules[module.__name__] = module
    namespace = module.__dict__
    notes: list[str] = []
    for unit, tree in zip(units, trees, strict=True):
        if definitions:
            notes += _run_definitions(tree, unit["filename"], namespace)
        else:
            exec(compile(tree, unit["filename"], "exec", dont_inherit=True), namespace)
    return namespace, notes
