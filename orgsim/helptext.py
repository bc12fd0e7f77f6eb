"""Command help in plain words: a list argument or a repeatable option names one item's type.

Typer prints a list's Python annotation after its name (``FILE <list[Path]>``, ``--set <list[str]>``), which a
reader of ``orgsim report --help`` has to translate. Here a list argument reads ``FILE... <path>`` (one or more
files) and a repeatable option ``--set <str>`` with ``[repeatable]`` beside its help, as click writes
``[required]``. Everything else is typer's own help record.

The app also builds only the command it is asked to run (:meth:`PlainTyper.__call__`).
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperCommand

__all__ = ["PlainCommand", "PlainTyper", "plain_record"]

#: typer's type column for a list ("<list[Path]>"), at the end of a help record's name; older typers print none
_LIST = re.compile(r" <list\[(?P<item>[^\]]+)\]>$")


def plain_record(param: Any, ctx: Any) -> tuple[str, str] | None:
    """A parameter's help record, a list's type named by its items (see the module).

    ``param`` and ``ctx`` are click's (typed ``Any``: typer 0.22 and later carry their own copy of click).
    """
    record: tuple[str, str] | None = param.get_help_record(ctx)
    found = _LIST.search(record[0]) if record is not None else None
    if record is None or found is None:
        return record
    name, text = record[0][:found.start()], record[1]
    item = "path" if found["item"] == "Path" else found["item"]  # as typer shows a single Path
    if param.param_type_name == "argument":
        return f"{name if name.endswith('...') else name + '...'} <{item}>", text
    return f"{name} <{item}>", f"{text}  [repeatable]" if text else "[repeatable]"


class PlainCommand(TyperCommand):
    """A typer command whose help names a list's items plainly (:func:`plain_record`)."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Arguments, then options, as typer lays them out, with :func:`plain_record` for each."""
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = plain_record(param, ctx)
            if record is not None:
                (args if param.param_type_name == "argument" else opts).append(record)
        for title, rows in (("Arguments", args), ("Options", opts)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class PlainTyper(typer.Typer):
    """A typer app whose commands are :class:`PlainCommand` unless told otherwise."""

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        """Typer's ``command``, with :class:`PlainCommand` as the default class."""
        return super().command(*args, cls=cls or PlainCommand, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app from the command line, building only the command it names.

        Typer turns every command's signature into click parameters before it parses anything: 0.044 CPU-s
        for orgsim's 17 commands, a tenth of ``orgsim validate``'s start-up. When the command line names a
        command, only that one is built; help, ``--version`` and a mistyped name (which gets typer's
        suggestions) build them all. Called with arguments (a test's ``app(["validate", ...])``), all too.
        """
        name = self.named_command(sys.argv[1:]) if not args and not kwargs else None
        return typer.Typer.__call__(self.only(name)) if name is not None else super().__call__(*args, **kwargs)

    def only(self, name: str) -> PlainTyper:
        """This app with one command, ``name``, and the app's own options."""
        trimmed = copy.copy(self)
        trimmed.registered_commands = [c for c in self.registered_commands if _name(c) == name]
        return trimmed

    def named_command(self, argv: Sequence[str]) -> str | None:
        """The name of the command ``argv`` runs, or None when it runs none or asks for help or the version.

        Every option before the command is the app's own flag (``--debug``, ``--allow-large``; none takes a
        value: ``tests/test_cli.py`` checks), so the first word that is not an option names the command.
        """
        for word in argv:
            if word in ("--help", "-h", "--version"):
                return None
            if word.startswith("-"):
                continue
            return word if any(_name(c) == word for c in self.registered_commands) else None
        return None


def _name(command: Any) -> str:
    """A registered command's name, as typer gives it (the function's name with dashes, unless named)."""
    return str(command.name or typer.main.get_command_name(command.callback.__name__))
