"""How a run shows itself in Jupyter (``_repr_html_``): headline and figures, inline."""

from __future__ import annotations

import base64

import pytest

from descentlab.report.notebook_view import run_html

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 24


def test_figures_are_embedded_and_text_escaped(tmp_path):
    figure = tmp_path / "curve.png"
    figure.write_bytes(PNG)
    page = run_html(
        "lr-sweep (run 1, finished)",
        "lrate 0.9: <oscillates>",
        [{"name": "curve", "caption": "loss & epoch", "png": str(figure)}],
    )
    assert "<h4>lr-sweep (run 1, finished)</h4>" in page
    assert "lrate 0.9: &lt;oscillates&gt;" in page and "loss &amp; epoch" in page
    assert f"data:image/png;base64,{base64.b64encode(PNG).decode()}" in page


def test_a_missing_figure_is_named_not_raised(tmp_path):
    page = run_html("t", "h", [{"name": "gone", "png": str(tmp_path / "gone.png")}])
    assert "gone: figure not available" in page and "<img" not in page


@pytest.mark.slow
def test_a_run_report_renders_its_headline_and_figures(tmp_path):
    import descentlab

    report = descentlab.run_experiment("gd-onefeature", out=tmp_path, overrides={"epochs": 5})
    page = report._repr_html_()
    assert report.headline() in page and f"(run {report.run_ids[0]}, finished)" in page
    assert page.count("data:image/png;base64,") == len(report.figures) > 0


def test_run_experiment_refuses_overrides_that_are_not_a_dict(tmp_path):
    import descentlab
    from descentlab.validation import InputTypeError

    with pytest.raises(InputTypeError, match=r"overrides must be a dict of config fields, got"):
        descentlab.run_experiment("gd-onefeature", out=tmp_path, overrides=["epochs=5"])
    assert not any(tmp_path.iterdir())
