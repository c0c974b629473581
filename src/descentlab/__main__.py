"""``python -m descentlab``: the command line."""

import sys

from descentlab.cli import main

sys.exit(main())
