"""One run lifecycle for every command that runs something (NOTE [every exit]).

* every file is written whole or not at all by :mod:`descentlab.atomic_files` (NOTE [atomic
  files]), which lives below this package because the figures, the index page, checkpoints and
  case files write through it too;
* :mod:`.output_folder`: the ownership rule, the folder claim and the manifest (NOTE
  [ownership], NOTE [folder claim], NOTE [run manifest]);
* :mod:`.run_lifecycle`: claim → store running → run → store final → files → release;
* :mod:`.signals`: SIGINT/SIGTERM as exceptions, held back while the last files are written.

Nothing here imports a heavy library at module level (NOTE [instant catalog]).
"""
