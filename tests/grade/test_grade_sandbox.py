"""NOTE [sandbox]: learner code runs in namespaces made by bubblewrap or unshare; without one,
``check`` refuses unless told to run unsandboxed, and the report says which it was."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from descentlab.grade import check
from descentlab.grade import sandbox as sandbox_module
from descentlab.grade.sandbox import SandboxUnavailableError, resolve_sandbox

CORRECT_STEP = """
import numpy as np

def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    return weight + lrate * (2 / len(X)) * (X.T @ residual), np.mean(residual ** 2)
"""


def _submission(tmp_path: Path, body: str, name: str = "solution.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_ci_machines_have_bubblewrap_and_unshare() -> None:
    """CI installs bubblewrap (README set-up); a missing tool must fail here, not skip."""
    assert shutil.which("bwrap"), "bubblewrap is not installed: apt-get install bubblewrap"
    assert resolve_sandbox("auto") == "bwrap"
    assert resolve_sandbox("unshare") == "unshare"


def test_without_a_sandbox_check_refuses_unless_told(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sandbox_module, "_available", lambda kind: False)
    target = _submission(tmp_path, CORRECT_STEP)
    with pytest.raises(SandboxUnavailableError, match="--no-sandbox"):
        check(target, names="gradient_step", hidden_seed=1)
    report = check(target, names="gradient_step", hidden_seed=1, sandbox="none")
    assert report.passed and report.sandbox == "none"
    assert "unsandboxed" in report.to_table()
    assert report.to_dict()["sandbox"] == "none"


@pytest.mark.parametrize("kind", ["bwrap", "unshare"])
def test_the_learner_sees_no_package_no_cases_and_no_home(kind: str, tmp_path: Path) -> None:
    probe = """
    import os, sys
    import numpy as np

    def gradient_step(X, y, weight, lrate):
        seen = []
        try:
            import descentlab  # noqa: F401
            seen.append("descentlab")
        except ImportError:
            pass
        for path in (os.path.expanduser("~root"), "/work", "/home", "/etc/passwd", {repo!r},
                     {folder!r}):
            if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
                seen.append(path)
        if os.getppid() > 1 or os.environ.get("DESCENTLAB_SECRET"):
            seen.append("parent or environment")
        assert not seen, seen
        residual = y - X @ weight
        return weight + lrate * (2 / len(X)) * (X.T @ residual), np.mean(residual ** 2)
    """
    repo = str(Path(__file__).resolve().parents[2])
    target = _submission(tmp_path, probe.format(repo=repo, folder=str(tmp_path)))
    report = check(target, names="gradient_step", hidden_seed=2, sandbox=kind, load_timeout=60)
    assert report.passed, report.to_table()
    assert report.sandbox == kind


def test_an_in_place_change_is_seen_whatever_the_learner_does_to_numpy(tmp_path: Path) -> None:
    target = _submission(
        tmp_path,
        """
        import numpy as np
        np.array_equal = lambda *a, **k: True
        np.allclose = lambda *a, **k: True

        def gradient_step(X, y, weight, lrate):
            residual = y - X @ weight
            weight -= lrate * (-2 / len(X)) * (X.T @ residual)
            return weight.copy(), np.mean(residual ** 2)
        """,
    )
    report = check(target, names="gradient_step", hidden_seed=3)
    assert not report.passed
    assert "modified_input" in report.issue_codes, report.to_table()


def test_an_in_place_change_is_reported_even_when_the_call_raises(tmp_path: Path) -> None:
    target = _submission(
        tmp_path,
        """
        def gradient_step(X, y, weight, lrate):
            weight *= 2
            raise ValueError("gave up")
        """,
    )
    report = check(target, names="gradient_step", hidden_seed=3)
    assert {"raised", "modified_input"} <= report.issue_codes


def test_hidden_cases_are_drawn_per_grading_and_reproducible_from_the_seed(tmp_path: Path) -> None:
    target = _submission(tmp_path, CORRECT_STEP)
    first = check(target, names="gradient_step")
    again = check(target, names="gradient_step", hidden_seed=first.hidden_seed)
    assert first.hidden_seed is not None and first.to_dict()["hidden_seed"] == first.hidden_seed
    assert [c.id for c in first.functions[0].cases] == [c.id for c in again.functions[0].cases]
    other = check(target, names="gradient_step", hidden_seed=first.hidden_seed + 1)
    assert other.passed and first.passed


def test_torch_built_inside_the_function_is_warmed_up_before_the_clock(tmp_path: Path) -> None:
    """NOTE [warm-up]: torch.optim's first step imports seconds of code; the time limit must
    measure the learner's call, not that."""
    target = _submission(
        tmp_path,
        """
        import numpy as np
        import torch

        def gradient_step(X, y, weight, lrate):
            layer = torch.nn.Linear(X.shape[1], 1, bias=False, dtype=torch.float64)
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(weight.T))
            optimizer = torch.optim.SGD(layer.parameters(), lr=lrate)
            loss = torch.nn.MSELoss()(layer(torch.from_numpy(X)), torch.from_numpy(y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return layer.weight.detach().numpy().T.copy(), loss.item()
        """,
    )
    report = check(target, names="gradient_step", hidden_seed=4, timeout=1.0, load_timeout=90)
    assert report.passed, report.to_table()


def test_a_neighbour_module_is_copied_but_the_folder_is_not_visible(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(
        "import numpy as np\n\ndef mse(r):\n    return np.mean(r ** 2)\n", encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("private", encoding="utf-8")
    target = _submission(
        tmp_path,
        """
        import os
        from helpers import mse

        def gradient_step(X, y, weight, lrate):
            assert sorted(os.listdir(os.path.dirname(__import__("helpers").__file__))) == [
                "helpers.py"
            ]
            residual = y - X @ weight
            return weight + lrate * (2 / len(X)) * (X.T @ residual), mse(residual)
        """,
    )
    report = check(target, names="gradient_step", hidden_seed=5)
    assert report.passed, report.to_table()


def test_a_classmates_solution_is_not_copied_as_a_neighbour(tmp_path: Path) -> None:
    (tmp_path / "classmate.py").write_text(CORRECT_STEP, encoding="utf-8")
    target = _submission(tmp_path, "from classmate import gradient_step\n", name="copier.py")
    report = check(target, names="gradient_step", hidden_seed=6)
    assert not report.passed and "not_defined" in report.issue_codes
    assert any("classmate.py" in note for note in report.notes)
    assert any("No module named 'classmate'" in note for note in report.notes)
    folder = tmp_path / "own"
    folder.mkdir()
    (folder / "solution.py").write_text("from steps import gradient_step\n", encoding="utf-8")
    (folder / "steps.py").write_text(CORRECT_STEP, encoding="utf-8")
    assert check(folder, names="gradient_step", hidden_seed=6).passed


def test_a_script_whose_top_level_fails_is_graded_on_its_definitions(tmp_path: Path) -> None:
    """NOTE [notebook cells]: a learner's script that reads its own data file at the top, trains
    and plots is graded on its functions, and the report says what happened."""
    target = _submission(
        tmp_path,
        CORRECT_STEP
        + "\nimport no_such_package_for_descentlab\n"
        + "DATA = np.loadtxt('my-data.csv')\nprint(gradient_step(DATA, DATA, DATA, 0.1))\n",
    )
    report = check(target, names="gradient_step", hidden_seed=7)
    assert report.passed, report.to_table()
    assert any("ModuleNotFoundError" in note and "definitions" in note for note in report.notes)
    assert any("import skipped" in note for note in report.notes)
    assert "definitions" in report.to_table()
