"""``python -m macros`` runs the kexie command line (works even when ``kexie.exe`` is not on PATH)."""

import sys

from macros.cli import main

sys.exit(main())
