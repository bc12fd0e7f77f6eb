"""Labels for designs, kept free of plotting imports so the CLI can use them cheaply."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["short_names"]


def short_names(names: Sequence[str]) -> list[str]:
    """Drop a shared "Company — " prefix so labels say what differs.

    >>> short_names(["Acme — by network", "Acme — by audience"])
    ['by network', 'by audience']
    >>> short_names(["only one"])
    ['only one']
    """
    if len(names) < 2:
        return list(names)
    first = names[0]
    cut = 0
    while True:
        i = first.find(" — ", cut)
        if i < 0 or not all(n.startswith(first[:i + 3]) for n in names):
            break
        cut = i + 3
    return [n[cut:] or n for n in names]
