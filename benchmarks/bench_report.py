"""How fast the interactive report of a large store is built and opens in a real browser.

A synthetic store of 1,000 runs, filled through the store API (one in ten a ``train`` run with
its per-epoch metrics, some diverged to inf; the others ``lr-sweep``-shaped runs with four
trials of 101 epochs each; the store's per-epoch commits make the filling take most of the
time), is turned into a report (``report.interactive_report``), which Debian's chromium opens
headless (Playwright, a fresh profile), as in ``tests/report/test_report_browser.py``.

Cases, the opens timed in alternating rounds after a warm-up (``harness.time_side_by_side``):

* ``build report``: store → the three files (the data gathered, JSON, files written);
* ``open empty report``: a report of no runs, the floor (chromium's page, plotly's 4.8 MB of
  JavaScript parsed, the script run);
* ``open report``: the 1,000-run report until it is interactive (the page's ``data-ready``
  mark, set once the runs table and the open sections are drawn).

Target: the 1,000-run report opens in at most 4× the time of the empty one (README "The
report" states the absolute figure measured here).

    python benchmarks/run_all.py report [--quick]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from descentlab.measure import time_repeated
from descentlab.report.interactive_report import report_data, select_runs, write_report
from descentlab.store import ResultsStore, TrialRecord
from harness import Benchmark, Case, Ratio, time_side_by_side

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OPEN_RATIO_TARGET = 4.0
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")


def fill_store(path: Path, runs: int, *, seed: int = 0) -> None:
    """``runs`` synthetic runs: one in ten a ``train`` run (10 epochs; one in five of those
    diverged), the others ``lr-sweep``-shaped (4 trials, 101 epochs)."""
    rng = np.random.default_rng(seed)
    weights = np.linspace(-2.0, 4.0, 201)
    with ResultsStore(path) as store:
        for index in range(runs):
            if index % 10 == 1:
                lrate = float(10 ** rng.uniform(-4, -1))
                config = {
                    "optimizer": OPTIMIZERS[index % 5],
                    "lrate": lrate,
                    "batch_size": int(2 ** rng.integers(4, 9)),
                    "epochs": 10,
                }
                run = store.begin_run("train", config=config, seed=index, versions={}, device="cpu")
                diverged = index % 50 == 1
                loss = np.exp(-lrate * 50 * np.arange(10)) + rng.uniform(0, 0.05, 10)
                if diverged:
                    loss[6:] = np.inf
                for epoch in range(10):
                    store.log_metrics(
                        run,
                        epoch,
                        {
                            "epoch": epoch + 1,
                            "train_loss": loss[epoch],
                            "val_loss": loss[epoch] * 1.1,
                            "lrate": lrate,
                        },
                    )
                store.complete_run(run, status="diverged" if diverged else "finished", results={})
                continue
            run = store.begin_run(
                "lr-sweep",
                config={"lrates": [0.001, 0.01, 0.1, 0.9]},
                seed=index,
                versions={},
                device="cpu",
            )
            trials = []
            for lrate in (0.001, 0.01, 0.1, 0.9):
                w = 3.0 - 2.0 * (1 - (1 - 2 * lrate) ** np.arange(101))
                trials.append(
                    TrialRecord(
                        f"lrate={lrate}",
                        {"lrate": lrate},
                        "finished",
                        {"weight": w, "loss": (w - 1) ** 2 + 1},
                    )
                )
            plot_data = {
                "curve_weights": weights,
                "curve_losses": (weights - 1) ** 2 + 1,
                "optimum": [1.0, 1.0],
            }
            store.complete_run(
                run, status="finished", results={}, trials=trials, plot_data=plot_data
            )


def build(store_path: Path, folder: Path) -> Path:
    with ResultsStore.open_readonly(store_path) as store:
        data = report_data(store, select_runs(store))
    return write_report(folder, data, title="benchmark")


def run(quick: bool, smoke: bool = False) -> Benchmark:
    from playwright.sync_api import sync_playwright

    runs = 40 if smoke else 1000
    repeat = 1 if smoke else 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        root = Path(scratch)
        fill_store(root / "runs.sqlite", runs)
        ResultsStore(root / "empty.sqlite").close()
        (root / "big").mkdir()
        (root / "empty").mkdir()
        building = time_repeated(lambda: build(root / "runs.sqlite", root / "big"), repeat=repeat)
        empty_index = build(root / "empty.sqlite", root / "empty")
        big_index = root / "big" / "index.html"
        size = big_index.stat().st_size
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(root / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True
            )

            def opener(index: Path):
                def open_page() -> None:
                    page = context.new_page()
                    page.goto(index.as_uri())
                    page.wait_for_selector('body[data-ready="1"]', timeout=120_000)
                    page.close()

                return open_page

            opens = time_side_by_side(
                {"open empty report": opener(empty_index), "open report": opener(big_index)},
                repeat=repeat,
            )
            context.close()
    cases = [
        Case(
            f"build report ({runs} runs)",
            building.median,
            runs / building.median,
            "runs/s",
            building.as_dict() | {"index_bytes": size},
        ),
        *(
            Case(
                f"{name} ({runs if name == 'open report' else 0} runs)",
                t.median,
                60.0 / t.median,
                "opens/min",
                t.as_dict(),
            )
            for name, t in opens.items()
        ),
    ]
    ratio = opens["open report"].median / opens["open empty report"].median
    return Benchmark(
        "report",
        f"{runs} runs, headless chromium, median of {repeat}",
        cases,
        [
            Ratio(
                "open 1000-run report / open empty report",
                ratio,
                OPEN_RATIO_TARGET,
                higher_is_better=False,
                meaning=f"the {runs}-run report is interactive within {OPEN_RATIO_TARGET:g}× the "
                "floor of chromium + plotly",
            )
        ],
    )
