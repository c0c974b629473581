"""Log-axis tick labels as plain text: ``10⁻²`` instead of mathtext ``$10^{-2}$``.

NOTE [plain log labels]: matplotlib labels a log axis with mathtext (``$\\mathdefault{10^{-2}}$``),
and the first mathtext label of a process builds the mathtext parser (pyparsing) and its font
set: about a third of the drawing time of a one-figure run such as ``gd-onefeature``.
:class:`PlainLogFormatter` chooses exactly the ticks and numbers matplotlib's own
``LogFormatterSciNotation`` chooses and writes them with Unicode superscripts, ``×`` and the
minus sign, which the default font (DejaVu Sans) holds; a label of any other shape (none that
matplotlib writes today) stays mathtext, so no label is ever lost.
"""

from __future__ import annotations

import re
from typing import Any

import matplotlib
from matplotlib.ticker import LogFormatterMathtext, LogFormatterSciNotation

__all__ = ["PlainLogFormatter", "plain_text", "set_scale"]

_MATH = re.compile(r"\$\\mathdefault\{(?P<body>[^{}]*(?:\{-?\d+\})?)\}\$")
_POWER = re.compile(r"\^\{(?P<exponent>-?\d+)\}$")
_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def plain_text(label: str) -> str:
    """``label`` (a ``LogFormatterSciNotation`` label) as plain text, or unchanged when it has
    a shape other than ``[-]mantissa[\\times]base^{exponent}``."""
    whole = _MATH.fullmatch(label)
    if whole is None:
        return label
    body = whole["body"]
    power = _POWER.search(body)
    if power is not None:
        body = body[: power.start()] + power["exponent"].translate(_SUPERSCRIPTS)
    body = body.replace(r"\times", "×")
    if re.search(r"[\\{}^$]", body):
        return label
    if matplotlib.rcParams["axes.unicode_minus"]:
        body = body.replace("-", "\N{MINUS SIGN}")
    return body


class PlainLogFormatter(LogFormatterSciNotation):
    """``LogFormatterSciNotation`` whose labels are plain text (NOTE [plain log labels])."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return plain_text(super().__call__(x, pos))


def _plain(formatter: Any) -> Any:
    if not isinstance(formatter, LogFormatterMathtext) or isinstance(formatter, PlainLogFormatter):
        return formatter
    return PlainLogFormatter(
        formatter._base,
        labelOnlyBase=formatter.labelOnlyBase,
        minor_thresholds=formatter.minor_thresholds,
        linthresh=formatter._linthresh,
    )


def set_scale(ax: Any, axis: str, scale: str, **options: Any) -> None:
    """``ax.set_xscale``/``set_yscale`` (``axis`` ``"x"`` or ``"y"``) with plain-text log labels
    (NOTE [plain log labels])."""
    (ax.set_xscale if axis == "x" else ax.set_yscale)(scale, **options)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(_plain(target.get_major_formatter()))
    target.set_minor_formatter(_plain(target.get_minor_formatter()))
