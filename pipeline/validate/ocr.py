"""Numbers read by OCR, held against the identities before they are trusted.

A scan's cell comes with the recogniser's confidence and, where it was unsure, its next
likeliest readings (pipeline.extract.ocr.digit_alternatives). Two rules, in this order:

1. **Choose between readings.** Where an identity fails and exactly one cell of it has an
   alternative reading that makes every identity the cell takes part in hold, that reading is
   taken — it is still the recogniser's own reading, and the report says so in a warning. Two
   such candidates, or none: nothing is changed.
2. **Withhold what nothing confirms.** A cell read below the confidence threshold that no
   holding identity confirms is left blank, with a warning: a blank is honest, a wrong number
   is not.

Printed numbers that break an identity on their own (the report's own error) are untouched: an
alternative is only ever one the recogniser offered for a cell it was unsure of.
"""

from __future__ import annotations

from collections import defaultdict

from ..cells import parse_cell
from ..model import LOW_CONFIDENCE, Report
from . import Identity, identities


def settle_ocr(report: Report) -> None:
    ids = identities(report)
    by_cell: dict[tuple, list[Identity]] = defaultdict(list)
    for ident in ids:
        for key in ident.cells:
            by_cell[key].append(ident)
    for ident in ids:
        if ident.holds(report) is not False:
            continue
        found = []
        for key in dict.fromkeys(ident.cells):
            cell = _cell(report, key)
            if cell is None or not cell.alternatives:
                continue
            old = cell.value
            for alt in cell.alternatives:
                ok, value, _ = parse_cell(alt)
                if not ok or value is None:
                    continue
                cell.value = value
                if all(i.holds(report) is not False for i in by_cell[key]):
                    found.append((key, cell, alt, value))
                cell.value = old
        if len(found) == 1:
            key, cell, alt, value = found[0]
            report.warnings.append(
                f"{'.'.join(key)}: OCR read {cell.raw!r} (confidence {cell.confidence:.2f}); its next reading "
                f"{alt!r} is the only one that makes {ident.id} and the other identities hold: taken"
            )
            cell.raw, cell.value = alt, value
    confirmed = {key for ident in ids if ident.holds(report) for key in ident.cells}
    for key, cell in _cells(report):
        if (
            cell.confidence is not None
            and cell.confidence < LOW_CONFIDENCE
            and cell.value is not None
            and key not in confirmed
        ):
            report.warnings.append(
                f"{'.'.join(key)}: OCR reading {cell.raw!r} has confidence "
                f"{cell.confidence:.2f} and no identity confirms it: left blank"
            )
            cell.value = None


def _cell(report: Report, key):
    table, row, col = key
    return report.tables[table].get(row, {}).get(col)


def _cells(report: Report):
    for table, rows in report.tables.items():
        for row, cells in rows.items():
            for col, cell in cells.items():
                yield (table, row, col), cell
