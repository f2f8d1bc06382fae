"""Columns of a table grid by where its header cells sit, not by counting cells.

Word-pasted tables put colspans in the middle of the grid: a header cell spans two grid columns
while the data cell under it spans one, or the other way round. Counting cells then shifts every
value after the span by one column while row totals still hold. On a grid (HTML, DOCX: lines
with ``spans``) each grid column instead takes the key of the lowest non-empty header cell that
covers it, and each data cell the key of the columns it covers. A grid column that no header
names of its own is no column.
"""

from __future__ import annotations

from typing import Callable

from ..model import Line


def header_text(lines: list[Line], col: int) -> tuple[str | None, bool]:
    """The text of the lowest non-empty header cell covering grid column `col`, and whether it
    is the lowest header cell there (False when an empty header cell lies below it)."""
    leaf = True
    for line in reversed(lines):
        if col >= len(line.cells):
            continue
        span = line.spans[col] if line.spans and col < len(line.spans) else 1
        if span == -1:
            continue  # covered from a row above: look there
        origin = col
        if span == 0:
            origin = next((j for j in range(col - 1, -1, -1) if line.spans[j] > 0), None)
            if origin is None:
                continue
        text = line.cells[origin].strip()
        if text:
            return text, leaf
        leaf = False
    return None, leaf


def column_map(
    header: list[Line], key_of: Callable[[str, bool], str | None]
) -> dict[int, str | None]:
    """Grid column -> column key (None for label and unnamed columns). `key_of(text, leaf)` is
    told whether the header cell is the lowest one in its column: a group header (法人或其他组织)
    names a column of its own only then."""
    width = max((len(l.cells) for l in header), default=0)
    out: dict[int, str | None] = {}
    for col in range(width):
        text, leaf = header_text(header, col)
        out[col] = key_of(text, leaf) if text else None
    return out


def cells_by_column(
    values: list[str], positions: list[int], spans: list[int], colmap: dict[int, str | None]
) -> tuple[dict[str, int], list[str]]:
    """A data row's cells keyed by column (as indexes into `values`), and the problems met (a
    number under no header, or under two). Covered positions are not cells; a cell covering
    several grid columns takes the one key they share."""
    out: dict[str, int] = {}
    problems: list[str] = []
    for i, (raw, pos, span) in enumerate(zip(values, positions, spans)):
        if span <= 0:
            continue
        if span == 1:  # most cells: one grid column
            key = colmap.get(pos)
            keys = {key} if key is not None else set()
        else:
            keys = {colmap.get(c) for c in range(pos, pos + span)} - {None}
        if len(keys) != 1:
            if raw.strip():
                problems.append(
                    f"{raw!r} at grid column {pos} sits under "
                    + (
                        "no column header"
                        if not keys
                        else f"several headers ({', '.join(sorted(keys))})"
                    )
                )
            continue
        key = keys.pop()
        if key in out and values[out[key]].strip() and raw.strip():
            problems.append(
                f"two numbers ({values[out[key]]!r}, {raw!r}) under the header of {key}"
            )
            continue
        if key not in out or raw.strip():
            out[key] = i
    return out, problems
