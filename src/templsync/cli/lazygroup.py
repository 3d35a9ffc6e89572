"""A click group whose commands are imported when they are named (click's lazy-loading pattern).

The group lists each of its lazy commands once, ``name -> module``; the module defines
``register(group)``, which adds the command of that name to the group. Running a command, or
asking for its ``--help``, imports its module alone: ``templsync sync`` loads ``cli/sync.py``
and none of the other command modules. The group's own ``--help`` and shell completion import
every module, as they show each command's short help. A name that is no command gets click's
error with the closest names of all commands ("Did you mean 'sync'?"), importing none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click


class LazyGroup(click.Group):
    """A ``click.Group`` that imports ``lazy[name]`` and calls its ``register(self)`` when named."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = self.lazy.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(module).register(self)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.NoSuchCommand as e:
            # click suggests among the commands already loaded; suggest among them all
            raise click.NoSuchCommand(
                e.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None
