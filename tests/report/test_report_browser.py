"""The interactive report in a real browser: Debian's chromium, headless, driven by Playwright.

One browser for the module (a fresh profile), one report built by the real CLI from real runs.
The page must load with no console error and fetch nothing but its own files; every control must
change the data plotly draws (read from each plot's ``data``), the runs table must sort and
filter, and each section's screenshot must be more than a blank page.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest

from descentlab.report.interactive_report import write_report
from descentlab.report.sweep_views import Sweep, SweepTrial, sweep_view

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
RUNS = [
    ["run", "gd-onefeature"],
    ["run", "lr-sweep"],
    ["run", "minima", "--set", "n_starts=5", "--set", "steps=40", "--set", "surface_steps=60",
     "--set", "lrates=0.05,0.1,0.7"],
    ["run", "optimizers", "--set", "epochs=4", "--set", "optimizers=sgd:lr=0.05,adam:lr=0.05"],
    ["train", "--epochs", "3", "--lrate", "0.01", "--optimizer", "adam"],
    ["train", "--epochs", "3", "--lrate", "0.001", "--optimizer", "sgd"],
    ["run", "gd-onefeature", "--set", "lrate=50", "--set", "epochs=400"],  # diverges
]  # fmt: skip


def cli(*args: str, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "descentlab", *args, "--out", str(out), "--json"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Real runs into one store, then ``descentlab report`` of them all."""
    root = tmp_path_factory.mktemp("report")
    out = root / "out"
    ids = {}
    for args in RUNS:
        payload = cli(*args, out=out)
        key = args[1] if args[0] == "run" else "train"
        ids.setdefault(key, []).append(payload.get("run_ids", [payload.get("run_id")])[0])
    done = subprocess.run(
        [sys.executable, "-m", "descentlab", "report", "--store", str(out / "runs.sqlite"),
         "--out", str(root / "report")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {"index": root / "report" / "index.html", "root": root, "ids": ids}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not Path(CHROMIUM).is_file() or shutil.which("chromium") is None:
        pytest.fail(
            f"chromium is not installed at {CHROMIUM}: the report is tested in a real browser, "
            "and `make system-tools` installs it (apt-get install chromium)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


class Visit:
    """A page opened on a report, recording console errors and every request it makes."""

    def __init__(self, browser, index: Path, allowed: Path) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(request_route) -> None:
            url = request_route.request.url
            self.requests.append(url)
            parsed = urlparse(url)
            own = parsed.scheme == "file" and Path(unquote(parsed.path)).is_relative_to(allowed)
            if own:
                request_route.continue_()
            else:
                self.foreign.append(url)
                request_route.abort()

        self.page.route("**/*", route)
        self.page.goto(index.as_uri())
        self.page.wait_for_selector('body[data-ready="1"]', timeout=60_000)

    def data(self, selector: str) -> list[dict]:
        """What plotly draws in the plot at ``selector``: per trace its name and point count,
        and the points themselves."""
        return self.page.eval_on_selector(
            selector,
            "el => el.data.map(t => ({name: t.name || '', type: t.type || 'scatter', "
            "x: Array.from(t.x || []), y: Array.from(t.y || [])}))",
        )

    def choose(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)


@pytest.fixture(scope="module")
def visit(browser, report) -> Visit:
    opened = Visit(browser, report["index"], report["root"])
    yield opened
    opened.page.close()


def non_blank(png: bytes) -> float:
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)
    return float(pixels.std())


def test_the_page_loads_offline_with_no_errors(visit: Visit, report: dict) -> None:
    assert visit.errors == []
    assert visit.foreign == []
    names = {Path(unquote(urlparse(u).path)).name for u in visit.requests}
    assert {"index.html", "plotly.min.js", "report.js"} <= names
    assert visit.page.evaluate("typeof Plotly") == "object"


def test_runs_table_sorts_and_filters(visit: Visit) -> None:
    page = visit.page

    def ids() -> list[int]:
        rows = page.eval_on_selector_all("#runs-table tbody tr", "r => r.map(x => x.dataset.run)")
        return [int(x) for x in rows]

    first = ids()
    assert first == sorted(first) and len(first) == len(RUNS)
    page.click('#runs-table th[data-key="id"]')
    assert ids() == sorted(first, reverse=True)
    page.click('#runs-table th[data-key="experiment"]')
    experiments = page.eval_on_selector_all(
        "#runs-table tbody tr td:nth-child(2)", "c => c.map(x => x.textContent)"
    )
    assert experiments == sorted(experiments)
    visit.choose('[data-control="runs-experiment"]', "train")
    assert len(ids()) == 2
    visit.choose('[data-control="runs-experiment"]', "")
    visit.choose('[data-control="runs-status"]', "diverged")
    assert len(ids()) == 1
    visit.choose('[data-control="runs-status"]', "")
    page.fill('[data-control="runs-text"]', "lrate=50")
    assert len(ids()) == 1
    page.fill('[data-control="runs-text"]', "")
    assert len(ids()) == len(RUNS)


def test_curves_controls_change_the_plotted_data(visit: Visit, report: dict) -> None:
    section = f"#run-{report['ids']['optimizers'][0]}"
    plot = f'{section} [data-view="curves"] .plot'
    before = visit.data(plot)
    assert len(before) == 2 and all(len(t["y"]) > 1 for t in before)
    visit.choose(f'{section} [data-view="curves"] [data-control="metric"]', "batch_loss")
    after = visit.data(plot)
    assert [len(t["y"]) for t in after] != [len(t["y"]) for t in before]
    toggle = visit.page.locator(f'{section} [data-view="curves"] .toggles input').first
    toggle.uncheck()
    assert len(visit.data(plot)) == 1
    toggle.check()
    visit.choose(f'{section} [data-view="curves"] [data-control="filter:optimizer"]', '"adam"')
    (only,) = visit.data(plot)
    assert only["name"].startswith("adam")
    visit.page.locator(f'{section} [data-view="curves"] [data-control="log"]').click()
    layout_type = visit.page.eval_on_selector(plot, "el => el.layout.yaxis.type")
    assert layout_type in ("log", "linear")


def test_train_runs_are_compared_by_their_settings(visit: Visit) -> None:
    plot = '#train [data-view="curves"] .plot'
    assert len(visit.data(plot)) == 2
    visit.choose('#train [data-control="filter:optimizer"]', '"sgd"')
    (only,) = visit.data(plot)
    assert "optimizer=sgd" in only["name"] and "sgd" in visit.page.inner_text("#train .toggles")
    visit.choose('#train [data-control="metric"]', "val_loss")
    (val,) = visit.data(plot)
    assert val["y"] != only["y"]


def test_paths_choice_and_step_slider_and_play_change_the_path(visit: Visit, report: dict) -> None:
    section = f"#run-{report['ids']['lr-sweep'][0]}"
    plot = f'{section} [data-view="paths"] .plot'
    full = visit.data(plot)
    path = next(t for t in full if t["name"].startswith("lrate=0.001"))
    assert len(path["x"]) == 101
    visit.choose(f'{section} [data-view="paths"] [data-control="choice"]', "3")
    other = next(t for t in visit.data(plot) if t["name"].startswith("lrate=0.9"))
    assert other["x"] != path["x"]
    slider = f'{section} [data-view="paths"] [data-control="step"]'
    visit.page.eval_on_selector(
        slider, "s => { s.value = 5; s.dispatchEvent(new Event('input')); }"
    )
    stepped = next(t for t in visit.data(plot) if t["name"].startswith("lrate=0.9"))
    assert len(stepped["x"]) == 6 and stepped["x"] == other["x"][:6]
    visit.page.eval_on_selector(
        slider, "s => { s.value = 0; s.dispatchEvent(new Event('input')); }"
    )
    visit.page.click(f'{section} [data-view="paths"] [data-control="play"]')
    visit.page.wait_for_function(f"document.querySelector('{slider}').value > 20", timeout=20_000)
    visit.page.click(f'{section} [data-view="paths"] [data-control="play"]')  # pause
    assert len(next(t for t in visit.data(plot) if t["name"].startswith("lrate=0.9"))["x"]) > 20


def test_minima_curve_and_surfaces_animate(visit: Visit, report: dict) -> None:
    section = f"#run-{report['ids']['minima'][0]}"
    curve, surface = visit.page.locator(f'{section} [data-view="paths"]').all()

    def traces(box) -> list[int]:
        return box.locator(".plot").evaluate("el => el.data.map(t => Array.from(t.x || []).length)")

    before = traces(curve)
    curve.locator('[data-control="choice"]').select_option("2")  # lrate 0.7: diverges
    assert traces(curve) != before
    assert (
        visit.page.eval_on_selector(
            f"{section} [data-view=paths] .plot", "el => el.data[0].type || 'scatter'"
        )
        == "scatter"
    )
    kinds = surface.locator(".plot").evaluate("el => el.data.map(t => t.type || 'scatter')")
    assert kinds[0] == "contour"
    first = surface.locator(".plot").evaluate("el => JSON.stringify(el.data[0].z)")
    surface.locator('[data-control="choice"]').select_option("1")
    assert surface.locator(".plot").evaluate("el => JSON.stringify(el.data[0].z)") != first
    surface.locator('[data-control="step"]').evaluate(
        "s => { s.value = 3; s.dispatchEvent(new Event('input')); }"
    )
    lengths = traces(surface)
    assert max(lengths[1:-2]) <= 4


def test_a_diverged_run_draws_without_errors(visit: Visit, report: dict) -> None:
    section = f"#run-{report['ids']['gd-onefeature'][1]}"
    (trace,) = [
        t
        for t in visit.data(f'{section} [data-view="paths"] .plot')
        if t["name"].startswith("numpy")
    ]
    assert None in trace["y"]
    assert visit.errors == []


def test_every_section_screenshot_is_not_blank(visit: Visit) -> None:
    sections = visit.page.locator("#runs, details.section").all()
    assert len(sections) == len(RUNS)  # the table, 6 experiment runs and one train section
    for section in sections:
        assert non_blank(section.screenshot()) > 10


def test_sweep_views_render_and_follow_their_selects(browser, tmp_path: Path) -> None:
    trials = [
        SweepTrial({"lrate": lr, "batch_size": b}, (lr - 0.1) ** 2 + 0.001 * b, "finished")
        for lr in (0.01, 0.1, 0.3)
        for b in (16, 64)
    ] + [SweepTrial({"lrate": 3.0, "batch_size": 16}, None, "diverged")]
    data = {"runs": [], "sections": [], "open_sections": 1,
            "sweeps": [sweep_view(Sweep("grid", "val_loss", trials))]}  # fmt: skip
    index = write_report(tmp_path, data, title="sweep")
    visit = Visit(browser, index, tmp_path)
    try:
        assert visit.errors == [] and visit.foreign == []
        scatter = '[data-view="sweep"] [data-plot="objective"]'
        heat = '[data-view="sweep"] [data-plot="heatmap"]'
        (points,) = visit.data(scatter)
        assert sorted(set(points["x"])) == [16, 64]
        visit.choose('[data-control="sweep-param"]', "lrate")
        assert sorted(set(visit.data(scatter)[0]["x"])) == [0.01, 0.1, 0.3]
        z = visit.page.eval_on_selector(heat, "el => el.data[0].z")
        assert len(z) == 4 and len(z[0]) == 2  # y: lrate, x: batch_size
        assert z[-1] == [None, None]  # lrate 3.0 diverged: an empty row, not a number
        visit.choose('[data-control="heat-x"]', "lrate")
        visit.choose('[data-control="heat-y"]', "batch_size")
        assert visit.page.eval_on_selector(heat, "el => el.data[0].z.length") == 2
        assert non_blank(visit.page.locator("#sweeps").screenshot()) > 10
    finally:
        visit.page.close()
