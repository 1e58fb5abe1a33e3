"""``python -m macros``: the ``kexie`` command line without the console script."""

import sys

from macros.cli import main

sys.exit(main())
