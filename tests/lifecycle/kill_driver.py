"""Kill real ``descentlab`` commands at random moments, many times, cheaply.

Run as ``python kill_driver.py OUT TRIALS SEED``. The heavy imports happen once here; each trial
forks children that run ``descentlab.cli.main`` (the real command line, signal handlers and
all), and SIGKILLs them after a seeded random delay. After each trial every file in the run
folders must parse. Prints one JSON object: the children's pids and how they ended, and any
torn file found.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

import matplotlib.backends.backend_agg
import matplotlib.backends.backend_svg  # noqa: F401  (imported once, before the forks)

from descentlab import cli
from descentlab.experiments import get_experiment
from descentlab.experiments.runner import run_experiment  # noqa: F401
from descentlab.train.session import run_training  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parent))
from folder_checks import check_folder

get_experiment("gd-onefeature")


def spawn(argv: list[str]) -> int:
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            code = cli.main(argv)
        except BaseException:
            code = 3
        os._exit(code)
    return pid


def reap(pid: int) -> str:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "killed"
    return f"exit {os.WEXITSTATUS(status)}"


def main() -> None:
    out, trials, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    run = ["run", "gd-onefeature", "--set", "epochs=5", "--out", str(out)]
    train = ["train", "--model", "linear", "--epochs", "3", "--out", str(out)]
    kinds = {
        "run": [run],
        "train": [train],
        "batch": [run, [*run[:-2], "--seed", "1", "--out", str(out)], train],
    }
    # Warm this process first (lazy imports, data sets, the first figure's fonts) with one run
    # of each kind in a folder and store of their own: each forked child then spends its time on
    # the run itself, so the runs, and the random delays spread over their length, are shorter.
    with (
        tempfile.TemporaryDirectory(prefix="warm-up-") as warm,
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        for argv in (run, train):
            assert cli.main([*argv[:-1], warm]) == 0
    # One unkilled run of each kind tells how long a run lasts here.
    took = {}
    for kind in ("run", "train"):
        started = time.monotonic()
        assert reap(spawn(kinds[kind][0])) == "exit 0"
        took[kind] = time.monotonic() - started
    took["batch"] = max(took.values())
    children, torn, resume_train = [], [], False
    for trial in range(trials):
        kind = ("run", "train", "batch")[trial % 3]
        argvs = [list(a) for a in kinds[kind]]
        for argv in argvs:
            if argv[0] == "train" and resume_train:
                argv.append("--resume")
        pids = [spawn(argv) for argv in argvs]
        time.sleep(rng.uniform(0.0, 0.9 * took[kind]))
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid, argv in zip(pids, argvs, strict=True):
            ended = reap(pid)
            children.append({"trial": trial, "pid": pid, "argv": argv[:2], "ended": ended})
            if argv[0] == "train":
                resume_train = ended == "killed" and (out / "train" / "checkpoint.pt").exists()
        for folder in ("gd-onefeature", "train"):
            if (out / folder).is_dir():
                try:
                    check_folder(out / folder)
                except Exception as error:  # a torn file: reported, the trials go on
                    torn.append(f"trial {trial} {folder}: {type(error).__name__}: {error}")
    # One more writer opens the store (and marks what the killed runs left).
    last = spawn(run)
    children.append({"trial": trials, "pid": last, "argv": run[:2], "ended": reap(last)})
    print(json.dumps({"children": children, "torn": torn, "took": took}))


if __name__ == "__main__":
    main()
