"""Labels for designs, kept free of plotting imports so the CLI can use them cheaply."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["company_note", "full_name", "short_names"]


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


def full_name(name: str, company: str | None) -> str:
    """A design's name with its company in front, for a line that stands alone (a terminal header).

    >>> full_name("by network", "Acme"), full_name("Acme — by network", "Acme"), full_name("by network", None)
    ('Acme — by network', 'Acme — by network', 'by network')
    """
    if not company or name.startswith(company + " — "):
        return name
    return f"{company} — {name}"


def company_note(companies: Sequence[str | None]) -> str:
    """A warning when designs compared side by side name different companies ("" when they agree).

    >>> company_note(["Acme", "Acme"]), company_note(["Acme", None])
    ('', '')
    >>> company_note(["Acme", "Northwind Outdoor"])
    "the designs name different companies (company:): 'Acme', 'Northwind Outdoor'; the report is titled after the baseline's, 'Acme'"
    """
    named = list(dict.fromkeys(c for c in companies if c))
    if len(named) < 2:
        return ""
    return (f"the designs name different companies (company:): {', '.join(map(repr, named))}; the report is titled "
            f"after the baseline's, {companies[0]!r}" if companies[0] else
            f"the designs name different companies (company:): {', '.join(map(repr, named))}; the baseline names "
            "none, so the report has no company in its title")
