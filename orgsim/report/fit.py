"""Does a text fit its box? Line-wrapped width and height of text in a font, measured from the font's glyphs.

The deck (:mod:`orgsim.report.deck`) sizes every text frame with these functions, and the tests read the
deck back and measure each frame again. Widths come from DejaVu Sans, the font matplotlib ships (so it is
always there): it is wider than Arial, the font the deck names, by about a tenth, so text measured to fit
in DejaVu Sans fits in Arial too, and on a machine without Arial (LibreOffice here draws DejaVu Sans) it
fits exactly. Lines are 1.2 × the font size apart, PowerPoint's and LibreOffice's single spacing.

>>> round(text_width("Scorecard", 20), 2)  # inches
1.4
>>> wrap("one two three four", 20, 1.5)
['one two', 'three four']
>>> fits("one two three four", 20, 1.5, 0.7), fits("one two three four", 20, 1.5, 0.6)
(True, False)
"""

from __future__ import annotations

import functools
import os

__all__ = ["LINE", "fit_size", "fits", "text_height", "text_width", "wrap"]

#: line pitch as a multiple of the font size (single spacing)
LINE = 1.2


class _Font:
    """DejaVu Sans (bold or regular): each character's advance in points at 1 pt, read from the font on first use."""

    def __init__(self, bold: bool) -> None:
        from matplotlib import ft2font
        from matplotlib.font_manager import FontProperties, findfont

        path = findfont(FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal"))
        self.font = ft2font.FT2Font(path)
        self.font.set_size(100, 72)
        self.flags = ft2font.LoadFlags.NO_HINTING  # unhinted: the outline's own advances, as a slide renderer scales them
        self.known: dict[str, float] = {}

    def advance(self, ch: str) -> float:
        if ch not in self.known:
            code = ord(ch) if self.font.get_char_index(ord(ch)) else ord("M")  # a glyph the font lacks: a wide one
            self.known[ch] = self.font.load_char(code, flags=self.flags).linearHoriAdvance / 65536 / 100
        return self.known[ch]


@functools.cache
def _font(bold: bool) -> _Font:
    return _Font(bold)


# A forked child opens the font itself, as matplotlib does for its own fonts: FreeType reads glyphs from the
# file as they are asked for, and a child sharing the parent's open file shares its read position, so two
# processes measuring at once (the page's charts are drawn on forked processes) read each other's glyphs
# ("invalid outline").
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_font.cache_clear)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of one line of ``text`` at ``size`` points, in inches."""
    font = _font(bold)
    return sum(font.advance(ch) for ch in text) * size / 72


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` inches at word boundaries; explicit newlines kept.

    A word wider than the box stays whole on its own line, as a text frame would show it overflowing.
    """
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width(trial, size, bold) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def text_height(text: str, size: float, width: float, bold: bool = False, space_after: float = 0.0) -> float:
    """The height in inches of ``text`` wrapped to ``width`` inches (``space_after`` points after each paragraph)."""
    lines = len(wrap(text, size, width, bold))
    paragraphs = text.count("\n") + 1
    return (lines * size * LINE + paragraphs * space_after) / 72


def fits(text: str, size: float, width: float, height: float, bold: bool = False, space_after: float = 0.0) -> bool:
    """Does ``text`` at ``size`` points fit a box ``width`` × ``height`` inches (inside its margins)?"""
    if any(text_width(word, size, bold) > width for word in text.split()):
        return False
    return text_height(text, size, width, bold, space_after) <= height


def fit_size(text: str, width: float, height: float, largest: float, smallest: float, bold: bool = False,
             space_after: float = 0.0) -> float | None:
    """The largest size from ``largest`` down to ``smallest`` (whole points) at which ``text`` fits; None if none."""
    size = largest
    while size >= smallest:
        if fits(text, size, width, height, bold, space_after):
            return size
        size -= 1
    return None
