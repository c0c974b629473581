"""Run every ``benchmarks/bench_*.py`` (or the ones named), print a table and write JSON.

    python benchmarks/run_all.py                 # full sizes (minutes)
    python benchmarks/run_all.py --quick         # small sizes, figures worth a glance (a minute)
    python benchmarks/run_all.py --smoke         # the smallest sizes: the scripts run (seconds)
    python benchmarks/run_all.py loader trainer  # only bench_loader.py and bench_trainer.py
    python benchmarks/run_all.py grade           # the grader: one learner and a class
    python benchmarks/run_all.py cli             # how fast the command line answers
    python benchmarks/run_all.py report          # a 1,000-run report built, opened in chromium

The JSON goes to ``--out`` (default ``bench-out/``, a folder descentlab owns: NOTE [ownership]),
as ``results.json`` with the machine, library versions and every case and ratio. A benchmark's
``run(quick, smoke=False)`` picks its sizes: full, ``quick``, or with ``smoke`` the smallest that
still exercise every case (what the test suite runs; its figures mean nothing). The exit code is
0 even when a target is not met: the table says so; ``--strict`` makes it 1. A benchmark that
raises (e.g. ``bench_grade`` where no sandbox can be made) is reported with its error, the others
still run, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from descentlab.commands.progress_display import (  # noqa: E402
    CountedProgress,
    ProgressDisplay,
    progress_wanted,
)
from descentlab.lifecycle.output_folder import prepare_output  # noqa: E402
from descentlab.provenance import device_description, library_versions  # noqa: E402
from harness import Benchmark, format_table  # noqa: E402


def cuda_devices() -> list[str]:
    import torch

    if not torch.cuda.is_available():
        return []
    return [device_description(f"cuda:{index}") for index in range(torch.cuda.device_count())]


def discover(names: list[str]) -> list[Path]:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not names:
        return scripts
    known = {path.stem.removeprefix("bench_"): path for path in scripts}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"benchmark must be one of {sorted(known)}, got {unknown}")
    return [known[name] for name in names]


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument(
        "--smoke", action="store_true", help="the smallest sizes: checks the scripts, in seconds"
    )
    parser.add_argument("--out", default="bench-out", help="folder for results.json")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args(argv)
    out = prepare_output(args.out)
    results: list[Benchmark] = []
    failed: dict[str, str] = {}
    started = time.perf_counter()
    scripts = discover(args.names)
    # benchmark i of n, only on a terminal (NOTE [quiet progress]); while it is drawn, rich
    # prints what goes to stdout and stderr above its live line
    with ProgressDisplay(progress_wanted(False)) as display:
        counted = CountedProgress(display, "benchmark", len(scripts))
        for path in scripts:
            name = path.stem.removeprefix("bench_")
            counted.start(name)
            try:
                module = load(path)
                smoke = args.smoke
                bench = module.run(quick=True, smoke=True) if smoke else module.run(args.quick)
            except Exception as error:  # one broken benchmark must not hide the others' figures
                failed[name] = f"{type(error).__name__}: {error}"
                print(f"== {name}: FAILED: {failed[name]}", file=sys.stderr, flush=True)
                continue
            results.append(bench)
            print(format_table([bench]), flush=True)
        counted.finish()
    payload = {
        "quick": args.quick or args.smoke,
        "smoke": args.smoke,
        "devices": [device_description("cpu"), *cuda_devices()],
        "versions": library_versions(),
        "seconds": time.perf_counter() - started,
        "benchmarks": [bench.as_dict() for bench in results],
        "failed": failed,
    }
    (out / "results.json").write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {out / 'results.json'}")
    missed = [r.name for bench in results for r in bench.ratios if not r.met]
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
