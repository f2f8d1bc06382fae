"""Plain text and PDF-text dumps to lines of cells.

A line is split on tabs when it has them (pdfplumber / copy-paste of a table), on '|' when it is a
pipe-flattened table, otherwise on runs of spaces with neighbouring label words joined again, so
"1. 属于国家秘密 2 0 0" becomes ["1. 属于国家秘密", "2", "0", "0"]. Page markers ("- 4 -",
"第 4 页 共 9 页") are dropped.
"""
from __future__ import annotations

import re

from ..model import Line
from ..cells import is_value_text

_PAGE_MARKER = re.compile(r"^\s*(?:[-－—]\s*\d+\s*[-－—]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")
_SPACES = re.compile(r"[ \u3000\xa0]+")


def split_line(raw: str) -> list[str] | None:
    line = raw.rstrip("\r\n")
    if not line.strip() or _PAGE_MARKER.match(line):
        return None
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    if "|" in line:
        return [c.strip() for c in line.split("|")]
    tokens = _SPACES.split(line.strip())
    cells: list[str] = []
    for tok in tokens:
        if cells and not is_value_text(tok) and not is_value_text(cells[-1]):
            cells[-1] = cells[-1] + " " + tok
        else:
            cells.append(tok)
    return cells


def text_to_lines(text: str) -> list[Line]:
    out = []
    for raw in text.splitlines():
        cells = split_line(raw)
        if cells is not None:
            out.append(Line(cells, raw=None if "\t" in raw or "|" in raw else raw.strip()))
    return out
