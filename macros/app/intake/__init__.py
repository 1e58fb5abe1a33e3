"""The consolidation pipeline (kexie consolidate): identify → read → validate → ledger →
rebuild sheets → per-file outcomes. ``run.IntakeRun`` is one run; the readers of each kind of
return are in ``macros.adapters.readers``; ``macros.app.consolidate`` is the use case's entry."""
