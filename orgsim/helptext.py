"""Command help in plain words: a list argument or a repeatable option names one item's type.

Typer prints a list's Python annotation after its name (``FILE <list[Path]>``, ``--set <list[str]>``), which a
reader of ``orgsim report --help`` has to translate. Here a list argument reads ``FILE... <path>`` (one or more
files) and a repeatable option ``--set <str>`` with ``[repeatable]`` beside its help, as click writes
``[required]``. Everything else is typer's own help record.
"""

from __future__ import annotations

import re
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
