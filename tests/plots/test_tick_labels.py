"""Plain-text log tick labels say what matplotlib's mathtext labels say (NOTE [plain log
labels])."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.ticker import LogFormatterSciNotation

from descentlab.plots.diverged import set_log_scale
from descentlab.plots.figure_files import new_figure
from descentlab.plots.tick_labels import PlainLogFormatter, plain_text, set_scale


@pytest.mark.parametrize(
    ("mathtext", "plain"),
    [
        (r"$\mathdefault{10^{3}}$", "10³"),
        (r"$\mathdefault{10^{-12}}$", "10⁻¹²"),
        (r"$\mathdefault{2\times10^{-2}}$", "2×10⁻²"),
        (r"$\mathdefault{-10^{4}}$", "\N{MINUS SIGN}10⁴"),
        (r"$\mathdefault{2^{5}}$", "2⁵"),
        (r"$\mathdefault{0}$", "0"),
        ("", ""),
        (r"$\mathdefault{10^{0.50}}$", r"$\mathdefault{10^{0.50}}$"),  # another shape: kept
        (r"$\alpha$", r"$\alpha$"),
    ],
)
def test_plain_text(mathtext: str, plain: str) -> None:
    assert plain_text(mathtext) == plain


@given(
    low=st.floats(-30, 30),
    decades=st.floats(0.05, 12),
    base=st.sampled_from([2.0, 10.0]),
    minor=st.booleans(),
)
def test_labels_are_matplotlibs_in_plain_text(
    low: float, decades: float, base: float, minor: bool
) -> None:
    _figure, (ax,) = new_figure(4, 3)
    ax.plot([0, 1], [base**low, base ** (low + decades)])
    set_scale(ax, "y", "log", base=base)
    axis = ax.yaxis
    ours = axis.get_minor_formatter() if minor else axis.get_major_formatter()
    locator = axis.get_minor_locator() if minor else axis.get_major_locator()
    theirs = LogFormatterSciNotation(base, labelOnlyBase=ours.labelOnlyBase)
    theirs.set_axis(axis)
    ticks = locator()
    assert isinstance(ours, PlainLogFormatter)
    expected = [plain_text(label) for label in theirs.format_ticks(ticks)]
    assert ours.format_ticks(ticks) == expected
    assert not any("$" in label for label in expected)


def test_set_log_scale_labels_in_plain_text() -> None:
    _figure, (ax,) = new_figure(4, 3)
    ax.plot([0, 1, 2], [1e-3, 1.0, 1e3])
    set_log_scale(ax)
    assert isinstance(ax.yaxis.get_major_formatter(), PlainLogFormatter)
    assert isinstance(ax.yaxis.get_minor_formatter(), PlainLogFormatter)
    assert not isinstance(ax.xaxis.get_major_formatter(), PlainLogFormatter)


def test_symlog_labels_are_matplotlibs_in_plain_text() -> None:
    _figure, (ax,) = new_figure(4, 3)
    ax.plot([-1000, 1000], [0, 1])
    set_scale(ax, "x", "symlog", linthresh=10)
    ours = ax.xaxis.get_major_formatter()
    theirs = LogFormatterSciNotation(10)
    theirs.set_axis(ax.xaxis)
    ticks = ax.xaxis.get_major_locator()()
    assert isinstance(ours, PlainLogFormatter)
    assert ours.format_ticks(ticks) == [plain_text(label) for label in theirs.format_ticks(ticks)]
    assert "\N{MINUS SIGN}10³" in ours.format_ticks(ticks)
