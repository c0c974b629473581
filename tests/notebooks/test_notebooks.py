"""The notebooks in ``notebooks/``: stored without outputs, and executed top to bottom by a kernel
of this very environment (``sys.executable``, the descentlab the tests import), as CI runs them.

The kernel is described in a kernelspec written into a temporary folder, so no kernel the machine
has registered (another Python, another descentlab) can be picked instead; the notebook's working
folder is a temporary one, so its runs land there.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

import descentlab

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ("tour.ipynb", "grading.ipynb")


def test_the_notebooks_are_stored_without_outputs():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)
    for name in NAMES:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (name, cell.source)


def kernel_manager(root: Path):
    """A kernel manager whose only kernel is this interpreter with this descentlab."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    source = str(Path(descentlab.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH", "")) if p)
    spec = root / "kernels" / "descentlab-here"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "descentlab (tests)",
                "language": "python",
                "env": {"PYTHONPATH": path, "IPYTHONDIR": str(root / "ipython"),
                        "MPLBACKEND": "module://matplotlib_inline.backend_inline"},
            }
        )
    )  # fmt: skip
    specs = KernelSpecManager(kernel_dirs=[str(root / "kernels")])
    return KernelManager(kernel_name="descentlab-here", kernel_spec_manager=specs)


def execute(name: str, root: Path):
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    work = root / "work"
    work.mkdir()
    client = NotebookClient(
        notebook,
        km=kernel_manager(root),
        timeout=300,
        allow_errors=False,
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()
    return notebook, work


def outputs(notebook, kind: str) -> list[str]:
    return [
        output["data"][kind]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if kind in output.get("data", {})
    ]


@pytest.mark.slow
def test_tour_notebook_runs_and_shows_its_figures(tmp_path):
    notebook, work = execute("tour.ipynb", tmp_path)
    pages = outputs(notebook, "text/html")
    experiments = ("lr-sweep", "minibatch-sgd", "minima", "schedulers", "optimizers", "loaders")
    for experiment in experiments:
        (page,) = [p for p in pages if f"<h4>{experiment} (run " in p]
        assert "data:image/png;base64," in page and "finished" in page
        assert (work / "notebook-out" / experiment / "manifest.json").is_file()
    assert outputs(notebook, "image/png"), "the GD figure is drawn inline"


@pytest.mark.slow
def test_grading_notebook_grades_the_learners_function(tmp_path):
    notebook, _ = execute("grading.ipynb", tmp_path)
    pages = outputs(notebook, "text/html")
    assert len(pages) == 2  # the two grade reports, as HTML
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert "yours: True, the late loss: False" in printed
