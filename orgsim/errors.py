"""The one domain error type: a problem the user can fix in their input."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["MAX_MESSAGE", "ArgumentError", "ArgumentTypeError", "OrgsimError", "Problem", "ScenarioError", "one_line"]


class OrgsimError(Exception):
    """Anything the user can fix: the CLI prints it as one line and exits 1."""


class ArgumentError(OrgsimError, ValueError):
    """A public function called with a value it cannot take (``replications=1`` for a comparison)."""


class ArgumentTypeError(OrgsimError, TypeError):
    """A public function called with the wrong kind of argument (``summarize([None])``)."""


#: the longest message a problem shows: a pasted value can be any length, an error line cannot
MAX_MESSAGE = 300


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line, cut to ``limit`` characters.

    >>> one_line("a  b"), one_line("x" * 10, 5)
    ('a b', 'xxxx…')
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario file, with where it is.

    ``key`` is the dotted path (``team.people.ava.hours``); ``line`` and
    ``column`` are 1-based and ``None`` when the key has no position (a value
    that comes from a default, say).
    """

    file: str
    key: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass
class ScenarioError(OrgsimError):
    """A scenario that cannot be loaded; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
