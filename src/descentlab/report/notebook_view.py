"""How a run's results object shows itself in Jupyter: its headline and its figures, inline.

``RunReport`` and ``TrainReport`` answer ``_repr_html_`` with :func:`run_html`: the figures the
run wrote (PNG files) embedded as ``data:`` URIs, so the cell's output stands alone (a saved
notebook still shows them after the run folder is gone) and nothing here imports matplotlib.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["run_html"]


def _figure(figure: Mapping[str, str]) -> str:
    caption = html.escape(str(figure.get("caption") or figure.get("name", "")))
    try:
        data = Path(figure["png"]).read_bytes()
    except (KeyError, OSError) as error:
        reason = html.escape(getattr(error, "strerror", None) or "no PNG file")
        return f"<p><em>{caption}: figure not available ({reason})</em></p>"
    encoded = base64.b64encode(data).decode("ascii")
    return (
        '<figure style="margin:0.5em 0">'
        f'<img src="data:image/png;base64,{encoded}" alt="{caption}" style="max-width:100%"/>'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def run_html(title: str, headline: str, figures: Iterable[Mapping[str, str]]) -> str:
    """A run as HTML: ``title`` as a heading, ``headline`` (the CLI's one-line summary), then
    every figure with its caption."""
    parts = [
        f"<h4>{html.escape(title)}</h4>",
        f"<p>{html.escape(headline)}</p>",
        *(_figure(figure) for figure in figures),
    ]
    return '<div class="descentlab-run">' + "".join(parts) + "</div>"
