"""An ordinary scenario file read by libyaml's C parser: the same data and positions as the round-trip reader.

The reader in :mod:`orgsim.scenario.loading` that keeps every key's line and
column is ruamel's round-trip loader, pure Python: 0.14 CPU-s for
``scenarios/base.yaml``, a fifth of ``orgsim validate``. libyaml's event
parser (ruamel.yaml.clib) walks the same file in 3 ms, and building the
plain data from its events in Python takes about 10 ms more.

Only what that reader reads plainly is read here: mappings (``!replace`` ones
too), lists, and scalars whose round-trip value is a string, a number, a bool
or null, constructed by ruamel's own resolver and round-trip constructor
(YAML 1.2: ``yes`` is a string, ``0o10`` is 8, floats are ``ScalarFloat``).
Anything else — a parse error, a tag, an anchor or alias, a ``<<`` merge, a
key that is not a string or is repeated, a date, a ``%`` directive, more than
one document, a top level that is no mapping, a BOM or an unusual line break,
nesting past the limit — answers ``None``, and the round-trip reader reads
the file as before, with its own values and its own error messages (libyaml's
messages are never shown).
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import ScalarNode

from orgsim.scenario.limits import MAX_DEPTH, MAX_NODES
from orgsim.scenario.paths import KeyPath, Positions

__all__ = ["Replace", "read_plain"]

#: characters the two readers treat differently: a BOM shifts the round-trip reader's first line by a column;
#: NEL and the Unicode line and paragraph separators are line breaks to YAML 1.1; libyaml takes a tab after
#: ``key:`` as a space where the round-trip reader refuses it
_UNUSUAL = ("\ufeff", "\x85", "\u2028", "\u2029", "\t")

#: the resolved tags of plain scalars built here; any other (a date, ``<<``, ``=``) leaves the file to the
#: round-trip reader
_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_BUILT = {"tag:yaml.org,2002:bool": "construct_yaml_bool", "tag:yaml.org,2002:int": "construct_yaml_int",
          "tag:yaml.org,2002:float": "construct_yaml_float"}


class Replace(dict):  # type: ignore[type-arg]
    """A mapping tagged ``!replace``: merged over a base, it replaces instead."""


class _Unusual(Exception):
    """Something this reader leaves to the round-trip reader."""


class _Scalars:
    """Plain scalars resolved and constructed by ruamel's round-trip resolver and constructor, as it loads them."""

    def __init__(self) -> None:
        rt = YAML(typ="rt", pure=True)
        self.resolver = rt.resolver
        self.constructor = rt.constructor
        #: each plain text's resolved tag: a file repeats its names and numbers, and resolving is half the time
        self.tags: dict[str, Any] = {}

    def value(self, event: ScalarEvent) -> Any:
        if event.style:  # quoted, literal (|) or folded (>): a string, whatever it reads like
            return str(event.value)
        tag = self.tags.get(event.value)
        if tag is None:
            tag = self.tags[event.value] = self.resolver.resolve(ScalarNode, event.value, (True, False))
        name = getattr(tag, "value", tag)
        if name == _STR:
            return str(event.value)
        if name == _NULL:
            return None
        method = _BUILT.get(name)
        if method is None:
            raise _Unusual(name)
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        try:
            return getattr(self.constructor, method)(node)
        except (ValueError, TypeError, YAMLError) as exc:
            raise _Unusual(str(exc)) from None


class _Open:
    """A mapping or list being filled, where it sits, and (a mapping) the key whose value comes next."""

    __slots__ = ("data", "key", "path")

    def __init__(self, data: dict[str, Any] | list[Any], path: KeyPath) -> None:
        self.data = data
        self.path = path
        self.key: str | None = None


def read_plain(text: str, shown: str, positions: Positions) -> dict[str, Any] | None:
    """The file's top mapping as plain data, each key's (file, line, column) added to ``positions``.

    ``None`` (and ``positions`` untouched) when libyaml is missing or the file
    holds anything out of the ordinary; the round-trip reader then reads it.
    """
    reader = YAML(typ="safe", pure=False)
    if reader.Parser.__name__ != "CParser" or any(ch in text for ch in _UNUSUAL):
        return None
    found: Positions = {}
    try:
        data = _build(reader.parse(text), shown, found)
    except (_Unusual, YAMLError):
        return None
    positions.update(found)
    return data


def _build(events: Any, shown: str, positions: Positions) -> dict[str, Any]:
    scalars = _Scalars()
    opened: list[_Open] = []
    root: dict[str, Any] | None = None
    documents = values = 0
    for event in events:
        if isinstance(event, ScalarEvent):
            if event.anchor is not None or event.tag is not None:
                raise _Unusual("an anchor or a tag")
            top = opened[-1] if opened else None
            if top is not None and isinstance(top.data, dict) and top.key is None:
                top.key = _key(event, top, scalars, shown, positions)
                continue
            value: Any = scalars.value(event)
        elif isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            if event.anchor is not None or event.tag not in (None, "!replace") or (
                    event.tag is not None and isinstance(event, SequenceStartEvent)):
                raise _Unusual("an anchor or a tag")
            value = [] if isinstance(event, SequenceStartEvent) else Replace() if event.tag else {}
        elif isinstance(event, CollectionEndEvent):
            opened.pop()
            continue
        elif isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1 or event.version is not None or event.tags:
                raise _Unusual("a directive or a second document")
            continue
        elif isinstance(event, AliasEvent):
            raise _Unusual("an alias")
        else:  # the stream's and the document's start and end
            continue
        values += 1
        if values > MAX_NODES:
            raise _Unusual("too many values")
        path = _place(value, event, opened, shown, positions)
        if path is None:
            if not isinstance(value, dict):
                raise _Unusual("the top level is no mapping")
            root = value
        if isinstance(value, (dict, list)):
            opened.append(_Open(value, path or ()))
    if root is None:
        raise _Unusual("no document")
    return root


def _key(event: ScalarEvent, top: _Open, scalars: _Scalars, shown: str, positions: Positions) -> str:
    key = scalars.value(event)
    if not isinstance(key, str) or key == "<<" or key in top.data:
        raise _Unusual("a key that is not a string, a merge, or a repeated key")
    mark = event.start_mark
    positions[(*top.path, key)] = (shown, mark.line + 1, mark.column + 1)
    return key


def _place(value: Any, event: Any, opened: list[_Open], shown: str, positions: Positions) -> KeyPath | None:
    """Put ``value`` where it belongs; its key path (``None`` for the top level)."""
    if not opened:
        return None
    top = opened[-1]
    if isinstance(top.data, dict):
        if top.key is None:
            raise _Unusual("a mapping or list used as a key")
        path: KeyPath = (*top.path, top.key)
        top.data[top.key] = value
        top.key = None
    else:
        path = (*top.path, len(top.data))
        mark = event.start_mark
        positions[path] = (shown, mark.line + 1, mark.column + 1)
        top.data.append(value)
    if len(path) > MAX_DEPTH:
        raise _Unusual("nested past the limit")
    return path
