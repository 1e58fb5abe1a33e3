"""The command registry: every ``kexie`` command defined once (macros/commands/table.py).

Each :class:`~macros.commands.spec.Command` holds its name, Chinese help, typed options
(:class:`~macros.commands.spec.Option`: name, type, required, help, choices with Chinese
aliases), its use case and, optionally, its ribbon buttons
(:class:`~macros.commands.spec.Button`: id, label, group, description, fixed option values,
folders beside the workbook). From this one table are built:

* the command line — :func:`macros.cli.build_parser` adds one sub-parser per command;
* the ribbon dispatcher — :mod:`macros.ribbon` runs a button's command on the open book;
* the ribbon's list of buttons (:data:`BUTTONS`, also ``macros.actions.ACTIONS``) and the
  button list of the 说明 sheet.

A use case never receives a workbook path: a command with ``workbook=True`` is called as
``run(engine, **options)`` with the engine its shell opened (a FileEngine on the file named on
the command line, an XlwingsEngine over the open book in Excel), so no shell can hand it the
wrong workbook. Options arrive typed (dates, paths, lists of document kinds…).

Adding a command
----------------
Native: write ``def my_command(engine, *, out: Path, today: date | None = None) ->
CommandResult`` in its ``macros/app/`` module and add one ``Command("name", "中文帮助",
run="macros.app.my_module:my_command", workbook=True, options=(Option("--out", "…",
type=path_type, required=True), TODAY))`` to ``COMMANDS`` in table.py; add
``buttons=(Button("id", "标签", "组", "说明"),)`` and the matching button in workbook/ribbon.xml
to put it on the ribbon. The use case is named by reference and imported when the command runs:
never import a use case module in table.py (a test checks that building the command line
loads no pandas, openpyxl, docx, matplotlib or reportlab). What an option needs to parse or
show (choices, their titles) must come from a light data module, as macros.app.report_kinds.

Legacy (a module exposing ``add_arguments(parser)`` and ``command(args) -> CommandResult``, as
the mail, review, certificates and doctor commands were written): add one line to ``COMMANDS``
naming the module by its dotted name, imported only when the sub-command is parsed or its help
shown::

    legacy("mail", "macros.app.mail", "收发报送邮件"),

The CLI then builds its sub-parser with the module's ``add_arguments`` and calls
``module.command(args)`` (``args.engine`` is None: such a command opens its own files, e.g. with
``macros.app.workbook.open_engine(args)``). To put it on the ribbon, give the entry buttons whose
``argv`` are the words after the command name — ``{master}`` is the workbook, ``{forms}``,
``{inbox}``, ``{reports}`` the folders beside it (created when missing)::

    legacy("mail", "macros.app.mail", "收发报送邮件", buttons=(
        Button("mail", "收取邮件", "报送", "收取报送邮件，附件存入收件箱并汇总", argv=("{master}", "{inbox}")),
    )),

and add the matching button to workbook/ribbon.xml. The button's ``args.engine`` is then the
open book, so ``open_engine(args)`` works on it rather than on the file Excel holds.
"""

from macros.commands.spec import Button, Choice, Command, Option, legacy
from macros.commands.table import BUTTON_COMMAND, BUTTONS, BY_NAME, COMMANDS, KIND_CHOICES, ribbon_guide

__all__ = ["BUTTONS", "BUTTON_COMMAND", "BY_NAME", "COMMANDS", "KIND_CHOICES", "Button", "Choice", "Command",
           "Option", "legacy", "ribbon_guide"]
