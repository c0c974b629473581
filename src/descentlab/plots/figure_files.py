"""Saving figures as PNG and SVG, byte-for-byte reproducible."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

__all__ = ["FigureFile", "new_figure", "save_figure"]


@dataclass(frozen=True)
class FigureFile:
    name: str
    caption: str
    png: Path
    svg: Path

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "caption": self.caption,
            "png": str(self.png),
            "svg": str(self.svg),
        }


def new_figure(
    width: float, height: float, *, ncols: int = 1, nrows: int = 1
) -> tuple[Figure, list]:
    """A pyplot-free figure (no global state, no display) and its axes as a flat list."""
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False)
    return figure, [ax for row in axes for ax in row]


def save_figure(figure: Figure, folder: Path, name: str, caption: str) -> FigureFile:
    """Write ``name.png`` and ``name.svg``; fixed metadata so equal runs give equal bytes.

    Each file is written atomically (NOTE [atomic files]): matplotlib draws into a temporary file
    in ``folder``, which then replaces the target. savefig is given the format, since the
    temporary file's name does not end in ``.png``/``.svg``.
    """
    from descentlab.atomic_files import write_file

    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    write_file(
        png, lambda out: figure.savefig(out, format="png", dpi=120, metadata={"Software": None})
    )
    with matplotlib.rc_context({"svg.hashsalt": "descentlab"}):
        write_file(
            svg,
            lambda out: figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None}),
        )
    return FigureFile(name, caption, png, svg)
