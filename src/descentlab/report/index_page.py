"""The tour's ``index.html``: every figure with a one-line caption, readable offline."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from descentlab.atomic_files import write_text

__all__ = ["write_index"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; }
h1 { margin-bottom: 0.2em; }
section { margin: 2.5em 0; border-top: 1px solid #ddd; padding-top: 1em; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.95em; color: #444; }
.meta { color: #666; font-size: 0.9em; }
"""


def write_index(root: Path, sections: Sequence[dict[str, Any]], *, title: str) -> Path:
    """Write ``root/index.html``; each section has ``experiment``, ``summary``, ``spec``,
    ``status``, ``run_id``, ``folder`` and ``figures`` (``name``, ``caption``, ``png``, ``svg``)."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{len(sections)} experiments. Every figure is also an SVG; each '
        "experiment folder holds its resolved <code>config.json</code> and "
        "<code>results.json</code>, and <code>runs.sqlite</code> holds every run.</p>",
    ]
    for section in sections:
        folder = os.path.relpath(section["folder"], root)
        parts.append(f'<section id="{html.escape(section["experiment"])}">')
        parts.append(
            f"<h2>{html.escape(section['experiment'])} <small>(SPEC {html.escape(section['spec'])})"
            "</small></h2>"
        )
        parts.append(
            f'<p>{html.escape(section["summary"])} <span class="meta">Run '
            f"{section['run_id']}, status {html.escape(section['status'])}; "
            f'<a href="{html.escape(folder)}/config.json">config</a>, '
            f'<a href="{html.escape(folder)}/results.json">results</a>.</span></p>'
        )
        for figure in section["figures"]:
            png = html.escape(os.path.relpath(figure["png"], root))
            svg = html.escape(os.path.relpath(figure["svg"], root))
            caption = html.escape(figure["caption"])
            parts.append(
                f'<figure><a href="{svg}"><img src="{png}" alt="{caption}"></a>'
                f"<figcaption>{caption}</figcaption></figure>"
            )
        parts.append("</section>")
    parts.append("</body></html>")
    path = root / "index.html"
    return write_text(path, "\n".join(parts) + "\n")  # NOTE [atomic files]
