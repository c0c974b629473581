"""NOTE [notebook cells]: a notebook's cells keep only definitions, and defining runs nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from descentlab.grade.inside.namespace import build_namespace, definitions_only


def _kept(source: str) -> str:
    return ast.unparse(definitions_only([ast.parse(source)])[0])


@pytest.mark.parametrize(
    "source",
    [
        "def f(x, _=open('/tmp/x', 'w')):\n    return x",
        "@evil\ndef f(x):\n    return x",
        "@functools.lru_cache(maxsize=open('/tmp/x'))\ndef f(x):\n    return x",
        "class A(make_base()):\n    pass",
        "class A(metaclass=Meta):\n    pass",
        "@register\nclass A:\n    pass",
        "x = compute()",
        "print('hi')",
        "for i in range(3):\n    train()",
        "with open('f') as h:\n    pass",
    ],
)
def test_code_that_runs_at_definition_time_is_dropped(source: str) -> None:
    assert _kept(source) == ""


def test_code_in_class_bodies_and_annotations_never_runs() -> None:
    kept = _kept(
        "class A:\n"
        "    side = open('/tmp/x', 'w')\n"
        "    limit = 3\n"
        "    def f(self, x: open('/tmp/y', 'w')) -> print('r'):\n"
        "        return x\n"
    )
    assert "open" not in kept and "print" not in kept
    assert "limit = 3" in kept and "def f(self, x):" in kept


def test_plain_definitions_and_builtin_decorators_are_kept() -> None:
    source = (
        "import numpy as np\n"
        "RATE = 0.1\n"
        "def f(X, y, w, lrate=0.1, dtype=np.float64):\n    return w\n"
        "class Step:\n    @staticmethod\n    def run(x):\n        return x\n"
    )
    assert _kept(source).count("def ") == 2 and "RATE = 0.1" in _kept(source)


def test_a_notebook_that_rebinds_staticmethod_keeps_no_decorated_definition() -> None:
    source = (
        "def staticmethod(f):\n    return open('/tmp/x', 'w')\n@staticmethod\ndef g():\n    pass"
    )
    assert "def g" not in _kept(source)


def test_defining_a_kept_notebook_runs_no_side_effect(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    cells = [
        f"def f(x, _=open({str(canary)!r}, 'w')):\n    return x\n",
        f"class A:\n    x = open({str(canary)!r}, 'w')\n",
        "def g(X, y, weight, lrate):\n    return weight, 0.0\n",
    ]
    spec = {
        "label": "nb.ipynb",
        "units": [{"filename": f"nb.ipynb [cell {i}]", "source": c} for i, c in enumerate(cells)],
        "definitions_only": True,
        "module": "submission_notebook_rule",
    }
    namespace, notes = build_namespace(spec)
    assert "g" in namespace and "A" in namespace and not canary.exists() and notes == []
