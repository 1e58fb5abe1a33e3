"""Named points where a test may kill kexie on purpose, to prove a crash there loses nothing.

``crash_point("before-replace")`` does nothing unless the environment variable
``KEXIE_TEST_CRASH_AT`` names that phase; then the process kills itself at once (SIGKILL where
there is one, else an immediate exit), exactly as a power cut or a scheduler's time limit would.
The phases, in the order a consolidation passes them:

* ``locked``          — the run lock is held, nothing read yet;
* ``recording``       — a file was just added to the ledger's open (uncommitted) batch;
* ``recorded``        — every file is in the ledger, the master not yet rebuilt;
* ``before-replace``  — the new master is written beside the old one, not yet swapped in;
* ``after-replace``   — the new master is in place, the ledger's run record not yet written.

Only tests set the variable (tests/test_crash_safety.py).
"""

from __future__ import annotations

import os
import signal

ENV = "KEXIE_TEST_CRASH_AT"
PHASES = ("locked", "recording", "recorded", "before-replace", "after-replace")


def crash_point(phase: str) -> None:
    if os.environ.get(ENV) != phase:
        return
    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(137)  # pragma: no cover - no SIGKILL (Windows)
