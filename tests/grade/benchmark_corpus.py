"""Grade every corpus submission on the shipped cases and print the wall time of each.

Run from the repository root with ``src`` on the path: ``python tests/grade/benchmark_corpus.py``.
It uses the grader's default limits (5 s per case, ``max(20 s, 4 × 5 s)`` to load), except for the
entry whose table row sets a short load limit. The budget is 5 s per submission; a runaway one
(an endless loop) costs two time limits by design (NOTE [runaway submissions]).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from grade_corpus import entries, grade


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for entry in entries():
            start = time.perf_counter()
            report = grade(entry, Path(scratch), timeout=5.0, load_timeout=None)
            seconds = time.perf_counter() - start
            rows.append((seconds, entry["target"], report.n_cases, report.passed))
    for seconds, target, n_cases, passed in sorted(rows, reverse=True):
        verdict = "pass" if passed else "fail"
        print(f"{seconds:6.2f} s  {n_cases:3d} cases  {verdict}  {target}")
    times = sorted(seconds for seconds, *_ in rows)
    print(f"median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s, {len(times)} submissions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
