"""Saving figures as PNG and SVG, byte-for-byte reproducible."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

__all__ = ["PNG_DPI", "FigureFile", "new_figure", "save_figure"]

PNG_DPI = 120

#: The settings of the SVG: ids from a fixed salt (equal runs, equal bytes), and no layout engine
#: chosen from the user's rc when the figure's own is switched off (NOTE [one layout]).
_FIXED_SVG = {
    "svg.hashsalt": "descentlab",
    "figure.autolayout": False,
    "figure.constrained_layout.use": False,
}


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

    Each file is written atomically (NOTE [atomic files]): the image goes into a temporary file
    in ``folder``, which then replaces the target. The writers are given the format, since the
    temporary file's name does not end in ``.png``/``.svg``.

    NOTE [one layout]: ``savefig`` lays a constrained figure out in a draw of its own before the
    draw that renders, and does so for each format; the layout (the extent of every text) is the
    costliest part of a draw. So the figure is drawn once onto an Agg canvas at the PNG's dpi,
    the layout happening inside that draw, the PNG is written from that canvas's pixels (what
    ``savefig`` itself does after its draws), and the SVG is drawn with the layout switched off,
    keeping the positions just worked out: one layout and two renders instead of two layouts
    and four draws.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.image import imsave

    from descentlab.atomic_files import write_file

    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    screen_dpi = figure.dpi
    canvas = FigureCanvasAgg(figure)
    figure.dpi = PNG_DPI
    canvas.draw()
    figure.dpi = screen_dpi
    write_file(
        png,
        lambda out: imsave(
            out,
            canvas.buffer_rgba(),
            format="png",
            origin="upper",
            dpi=PNG_DPI,
            metadata={"Software": None},
        ),
    )
    with matplotlib.rc_context(_FIXED_SVG):
        figure.set_layout_engine(None)  # None, not "none": no layout draw before the render
        write_file(
            svg,
            lambda out: figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None}),
        )
    return FigureFile(name, caption, png, svg)
