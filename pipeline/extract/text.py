"""Plain text and PDF-text dumps to lines of cells.

A line is split on tabs when it has them (pdfplumber / copy-paste of a table), on '|' when it is a
pipe-flattened table, otherwise on runs of spaces with neighbouring label words joined again, so
"1. 属于国家秘密 2 0 0" becomes ["1. 属于国家秘密", "2", "0", "0"]. Page markers ("- 4 -",
"第 4 页 共 9 页") are dropped.

Text layers and dumps also glue cells together: a label and its numbers with no separator
("一、本年新收政府信息公开申请数量640020470"), the next row's numbering after the numbers
("…国家秘密00000002.其他法律…"), a whole table or report on one line. Such a cell is cut where
label text and a run of digits meet (:func:`unglue`); the digits stay one cell, which the
normaliser reads with the table's identities. Numbers followed by a unit or a date word (21件,
2023年) and sentences (with 。 or ；) are prose and stay whole. A long line is also broken at the
numbered section headings it contains.
"""

from __future__ import annotations

import re

from ..catalogue import SECTION_HEADING_IN_TEXT, mostly_traditional, t2s
from ..cells import is_value_text
from ..model import Extracted, Line
from .decode import decode

_PAGE_MARKER = re.compile(
    r"^\s*(?:[-－—]\s*\d+\s*[-－—]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$"
)
_SPACES = re.compile(r"[ \u3000\xa0]+")


# A number (signed, decimal) inside a cell. It is a cell of its own where it follows label text
# (CJK, a closing bracket or quote) or, when signed, another number (860-21: 860 | -21).
_NUM = re.compile(r"[+-]?\d+(?:\.\d+)?")
_LABEL_END = re.compile(r"[\u4e00-\u9fff）)」”\"】]")
# After these, a number is a count or a date in a sentence, not a cell.
_PROSE_AFTER = set("件条个项次家份宗年月日时元万亿余多%％人号岁届期批类页篇张份台辆所名")


def unglue(cell: str) -> list[str]:
    """Cut a cell where label text and digits meet: 'X数量640020470二、Y' -> X数量 | 640020470 | 二、Y.
    The next row's numbering glued after the digits goes back to its label (…00000002.其他 ->
    0000000 | 2.其他)."""
    if not any(ch.isdigit() for ch in cell) or "。" in cell or "；" in cell:
        return [cell]
    out: list[str] = []
    start = 0
    for m in _NUM.finditer(cell):
        begin, end = m.span()
        before = cell[begin - 1] if begin else ""
        signed = m.group(0)[0] in "+-"
        if (
            not (_LABEL_END.match(before) or (signed and before.isdigit() and begin == start))
            or before == "第"
        ):
            continue
        after = cell[end : end + 1]
        if after in _PROSE_AFTER:
            continue
        digits = m.group(0)
        if (
            after in (".", "、", "．")
            and cell[end + 1 : end + 2]
            and _LABEL_END.match(cell[end + 1])
        ):
            if len(digits.lstrip("+-")) < 2 or "." in digits:
                continue  # 1.属于… is a numbered label, not a number
            digits, end = digits[:-1], end - 1  # the last digit numbers the next row
        out += [cell[start:begin].strip(), digits]
        start = end
    if not out:
        return [cell]
    out.append(cell[start:].strip())
    return [c for c in out if c]


# A Markdown table's rule under its header (|---|:---:|): layout, not cells.
_MD_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")


def split_line(raw: str, glued: set[int] | None = None) -> list[str] | None:
    """The cells of a line (None for a line that is layout: blank, a page marker, a Markdown
    rule). `glued`, when given, receives the indexes of cells cut out of a run-together cell."""
    line = raw.rstrip("\r\n")
    if not line.strip() or _PAGE_MARKER.match(line) or _MD_RULE.match(line):
        return None
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
    elif "|" in line:
        cells = [c.strip() for c in line.split("|")]
    else:
        tokens = _SPACES.split(line.strip())
        cells = []
        for tok in tokens:
            if cells and not is_value_text(tok) and not is_value_text(cells[-1]):
                cells[-1] = cells[-1] + " " + tok
            else:
                cells.append(tok)
    if any(ch.isdigit() for ch in line):
        out: list[str] = []
        for c in cells:
            parts = unglue(c) if c else [c]
            if glued is not None and len(parts) > 1:
                glued.update(len(out) + i for i, part in enumerate(parts) if part[-1:].isdigit())
            out += parts
        cells = out
    return cells


def break_at_headings(raw: str) -> list[str]:
    """A long line holding several sections (a report pasted on one line) as one line per
    heading and per stretch between headings (found in simplified characters, cut in the
    characters printed)."""
    if len(raw) < 60:
        return [raw]
    probe = raw
    if mostly_traditional(raw):
        probe = t2s(raw)
        if len(probe) != len(raw):
            return [raw]
    if not SECTION_HEADING_IN_TEXT.search(probe):
        return [raw]
    out, start = [], 0
    for m in SECTION_HEADING_IN_TEXT.finditer(probe):
        out += [raw[start : m.start()], raw[m.start() : m.end()]]
        start = m.end()
    out.append(raw[start:])
    return [p for p in out if p.strip()]


def extract(data: bytes, source: str, sha: str, kind, cores: int) -> Extracted:
    """A text dump (a crawler's text of a page, PDF text): lines split into cells."""
    text, encoding = decode(data)
    return Extracted(
        source, sha, kind.media_type, "text", text_to_lines(text), {"encoding": encoding}
    )


def text_to_lines(text: str) -> list[Line]:
    out = []
    for line in text.splitlines():
        for raw in break_at_headings(line):
            glued: set[int] = set()
            cells = split_line(raw, glued)
            if cells is not None:
                out.append(
                    Line(
                        cells,
                        raw=None if "\t" in raw or "|" in raw else raw.strip(),
                        glued=frozenset(glued),
                    )
                )
    return out
