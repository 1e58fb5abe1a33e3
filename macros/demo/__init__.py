"""The demo campaign of ``kexie demo``: its data, the simulated returns and the steps.

Modules
-------
* ``campaign`` — ``demo_campaign()``: seed 000's 献策 campaign with a roster of Dandong units,
  seed 004's tasks and seed 003's targets (also what the tests build);
* ``texts`` and ``returns`` — pure and seeded: titles, bodies, authors, and the plan of who
  returns what and when (the same plan every run);
* ``run`` — ``run_demo(out)``: a fresh workbook in ``out``, then each step of ``run.STEPS``;
* one module per step: ``validate``, ``forms`` (forms issued and returns simulated into
  ``收件箱``), ``word_returns`` (what arrives besides forms: a .docx, a Word 97 .doc with two
  计策 in tables, a document nobody can place, a text note), ``consolidate``, ``tally``, ``review`` (a review round by sample experts: assignment,
  score forms, returns, results; data in ``review_data``), ``reports``, ``certificates`` (荣誉证书 and 会员证 with sample
  members and drawn portraits).

Adding a step
-------------
A step is one function ``demo_step(ctx: run.DemoContext) -> None`` that works on ``ctx.master``
as of ``ctx.today`` and records what it made: ``ctx.outputs.append((中文标签, path))`` for files
and folders, ``ctx.notes.append("…")`` for one-line Chinese summaries (both are printed by
``kexie demo``). Put it in its own module (here or beside the feature) and add one line to
``run.STEPS`` where it belongs in the order (forms before returns, returns before
consolidation, tallies before documents). Use ``ctx.forms_dir``, ``ctx.inbox`` and
``ctx.reports_dir`` for the folders, so the ribbon finds the same layout beside a workbook.
"""
