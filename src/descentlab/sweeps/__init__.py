"""Sweeps (SPEC §4): a TOML file names a run, fixed settings and a space; Optuna searches it
(grid, random, TPE; median and successive-halving pruners), every trial an ordinary run in the
results store linked to its sweep; resumable, with any number of workers sharing the study.

* :mod:`.sweep_file`: the file, read and checked (NOTE [sweep identity]);
* :mod:`.study`: the Optuna study, its storage and dead workers' trials (NOTE [study storage],
  NOTE [dead trials], NOTE [grid queue]);
* :mod:`.trial_run`: one trial as a run (NOTE [pruned trials]); :mod:`.vectorised_group`: the
  trials as one batched computation by ``descentlab.vectorised``;
* :mod:`.worker`: the loop of one worker (NOTE [worker runs]); :mod:`.results`: a stored sweep
  read back, its table and figures.

Nothing here imports Optuna at module level.
"""

from descentlab.sweeps.sweep_file import SweepSpec, load_sweep, parse_sweep
from descentlab.sweeps.worker import SweepReport, run_sweep_worker

__all__ = ["SweepReport", "SweepSpec", "load_sweep", "parse_sweep", "run_sweep_worker"]
