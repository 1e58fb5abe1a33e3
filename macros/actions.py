"""The buttons of the ribbon tab 科协工作台, as the command registry defines them.

Kept for code that imports ``macros.actions.ACTIONS``: each entry is a
:class:`macros.commands.Button` (id, label, group, description, ``command`` and its command
line ``cli``). Define buttons in macros/commands/table.py, never here.
"""

from __future__ import annotations

from macros.commands import BUTTONS, Button

Action = Button
ACTIONS: tuple[Button, ...] = BUTTONS


def action(action_id: str) -> Button:
    for a in ACTIONS:
        if a.id == action_id:
            return a
    raise KeyError(action_id)
