"""One rank of the equivalence test, run by torchrun: trains every case of ``problems.py`` as
this rank and, on rank 0, saves the parameters to the file named by the first argument."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))

from problems import CASES, train

from descentlab.train.distributed import process_group
from descentlab.train.launch import ranks_from_environment


def main() -> None:
    ranks = ranks_from_environment(os.environ, timeout=60)
    with process_group(ranks, torch.device("cpu")):
        results = {"/".join(case): train(case, ranks) for case in CASES}
    if ranks.writer:
        torch.save(results, sys.argv[1])


if __name__ == "__main__":
    main()
