"""Measuring and wrapping text: the layouts need widths and line heights before anything
is drawn. Widths are DejaVu Sans advances (matplotlib ships the font), unhinted, without
kerning, which only narrows DejaVu Sans: text never outgrows what was measured."""
from __future__ import annotations

import functools
import re
from typing import Any, Sequence

from matplotlib.font_manager import FontProperties, findfont, get_font

from .figures import FONT_SIZE

__all__ = ["text_width", "block_width", "wrap", "line_metrics"]


@functools.lru_cache(maxsize=2)
def _font(bold: bool) -> Any:
    weight = "bold" if bold else "normal"
    return get_font(findfont(FontProperties(family="DejaVu Sans", weight=weight)))


@functools.lru_cache(maxsize=4096)
def _advance(ch: str, bold: bool) -> float:
    """The advance of one character, in points at 1 pt (unhinted, no kerning)."""
    font = _font(bold)
    font.set_size(100.0, 72.0)
    return font.load_char(ord(ch)).linearHoriAdvance / 65536.0 / 100.0


@functools.lru_cache(maxsize=1)
def line_metrics() -> tuple[float, float]:
    """(line height, first baseline below a block's top) in points at ``FONT_SIZE``: what
    matplotlib's "normal" line spacing gives from the font's OS/2 typographic metrics.
    Every line of a multi-line Text then sits exactly one line height below the last,
    so whole columns can be one Text on a grid of line slots."""
    font = _font(False)
    os2 = font.get_sfnt_table("OS/2")
    k = FONT_SIZE / font.get_sfnt_table("head")["unitsPerEm"]
    gap = os2["sTypoLineGap"]
    return ((os2["sTypoAscender"] - os2["sTypoDescender"] + gap) * k,
            (os2["sTypoAscender"] + gap / 2) * k)


def text_width(s: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of s in points: the sum of its advances, never less than matplotlib's ink box
    (kerning only narrows DejaVu Sans)."""
    return size * sum(_advance(ch, bold) for ch in s)


def block_width(lines: Sequence[str], bold: bool = False) -> float:
    """Width of the widest line, in points at ``FONT_SIZE``."""
    return max((text_width(line, bold=bold) for line in lines), default=0.0)


_STRONG_BREAK = re.compile(r"(?<=[ ,\\/])|(?<=\w\()")                       # after space , \ / name(
_WEAK_BREAK = re.compile(r"(?<=[-_=.|:])|(?<=->)|(?<=[a-z0-9])(?=[A-Z])")   # inside a name


def wrap(text: str, width: float, size: float = FONT_SIZE, bold: bool = False) -> list[str]:
    """text in lines no wider than width (points). Breaks after a space, comma, slash,
    backslash or a call's "("; a piece still too wide breaks inside the name (after "-",
    "_", "=", "." or at a camelCase join), and only then between characters. Nothing is
    cut or elided. (textwrap counts characters; a proportional font needs widths.)"""
    text = " ".join(text.split())
    pieces: list[str] = []
    for piece in _STRONG_BREAK.split(text):
        if text_width(piece.rstrip(), size, bold) > width:
            pieces += [p for p in _WEAK_BREAK.split(piece) if p]
        elif piece:
            pieces.append(piece)
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and text_width((current + piece).rstrip(), size, bold) > width:
            lines.append(current.rstrip())
            current = piece
        else:
            current += piece
        while len(current) > 1 and text_width(current.rstrip(), size, bold) > width:
            cut = max(1, _fitting(current, width, size, bold))
            lines.append(current[:cut].rstrip())
            current = current[cut:].lstrip()
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _fitting(s: str, width: float, size: float, bold: bool) -> int:
    """How many of s's first characters fit in width."""
    total, n = 0.0, 0
    for ch in s:
        total += size * _advance(ch, bold)
        if total > width:
            break
        n += 1
    return n
