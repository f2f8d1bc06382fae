"""Lines of cells to the three canonical tables.

Every text form we meet (HTML grids, tab- or pipe-separated PDF text, one cell per line, space
separated) is read the same way: the lines become a stream of *runs* — the label text seen since
the last numbers, followed by the numbers. A run's label is matched to a canonical row through
the catalogue; its numbers are laid on the table's columns. Header text lands in the label of the
first run, which is where the applicant columns are read from.

On a grid (HTML, DOCX) the applicant columns come from where the header cells sit
(:mod:`.grid`); elsewhere from the rows' widths and the header words. Numbers whose cell
boundaries were lost (run together, or split over two lines) are read with the identities
(:mod:`.digits`), row by row and then over the whole table; a row whose label lost characters is
placed by the template's row order when its neighbours agree. Nothing is guessed: a reading the
identities do not force is left out with a warning.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache

from .. import catalogue as cat
from ..cells import parse_cell
from ..model import Cell, Line
from . import digits as dg
from .grid import cells_by_column, column_map, header_text


@dataclass
class Run:
    label_parts: list[str]
    values: list[str]  # raw cell texts; "" is a blank cell between (or, in grids, after) numbers
    exact: bool
    # (page, OCR confidence[, OCR alternatives]) of each value: the Cell fields after value and raw
    where: list[tuple] = field(default_factory=list)
    last: bool = False  # the run is the last thing in its part of the document
    pos: list[int] = field(default_factory=list)  # grid column of each value (grid lines)
    spans: list[int] = field(default_factory=list)  # Line.spans of each value (grid lines)
    line: int = 0  # index of the line holding the run's first number
    no: int | None = None  # that line's place in the document (Line.no)
    glued: list[bool] = field(default_factory=list)  # each value cut from a run-together cell

    @property
    def label(self) -> str:
        return " ".join(self.label_parts)

    @property
    def grid(self) -> bool:
        return self.exact and len(self.spans) == len(self.values)


def runs(lines: list[Line]) -> list[Run]:
    out: list[Run] = []
    label: list[str] = []
    run: Run | None = None
    for li, line in enumerate(lines):
        pending: list[int] = []
        # Blank cells of a table row between its label and its first number are cells too (a
        # blank first column, an OCR box the recogniser dropped): kept in their place, so the
        # numbers after them are not read one column to the left. Covered positions of a
        # merged cell (span <= 0) are not cells.
        lead: list[int] | None = None
        in_run = False
        spans, exact, conf, alts = line.spans, line.exact, line.conf, line.alts
        n_spans = len(spans) if spans is not None else 0
        for i, cell in enumerate(line.cells):
            if not cell:
                if in_run:
                    pending.append(i)
                elif lead is not None and (i >= n_spans or spans[i] > 0):
                    lead.append(i)
                continue
            if (parse_cell(cell)[0] and (exact or in_run or cell.strip() != "无")) or (
                in_run and _illegible(cell, exact)
            ):
                if run is None:
                    run = Run(label, [], True, line=li, no=line.no)
                    pending = lead or []
                for p in pending:
                    _add(run, line, "", p, None, spans)
                pending = []
                _add(
                    run,
                    line,
                    cell,
                    i,
                    conf[i] if conf and i < len(conf) else None,
                    spans,
                    alts[i] if alts and i < len(alts) else None,
                )
                run.exact = run.exact and exact
                in_run = True
            else:
                if run is not None:
                    out.append(run)
                    label, run = [], None
                in_run = False
                pending = []
                lead = [] if exact else None
                label.append(cell)
        if exact and in_run and run is not None:
            for p in pending:
                _add(run, line, "", p, None, spans)
    if run is not None:
        out.append(run)
    if out:
        out[-1].last = run is not None  # numbers ran to the very end: maybe cut off
    return out


def _prose(run: Run) -> bool:
    """Whether the text before a run's numbers is running text rather than a row label: the
    label from its last row number on (a label broken over lines joined again), else its last
    part, is a sentence."""
    if not run.label_parts or not any(cat.is_sentence(p) for p in run.label_parts[-2:]):
        return False  # (a clause mark in neither of the last two parts: no sentence)
    label = cat.compact(run.label)
    starts = [m.start() for m in cat.ROW_NUMBER.finditer(label)]
    return cat.is_sentence(label[starts[-1] :] if starts else run.label_parts[-1])


def without_page_chrome(lines: list[Line]) -> list[Line]:
    """A table's lines without what a page break repeats inside it: the running title (…政府信息
    公开工作年度报告) and the table's header printed again once its rows have begun — a block of
    two or more header lines, or one header line of several cells (a lone 总计 or 其他 may be
    the tail of a row's label). Page numbers (- 5 -, 第 6 页 共 9 页) never become lines
    (pipeline.extract.text)."""
    out: list[Line] = []
    header: set[str] = set()
    rows_begun = False
    block: list[Line] = []

    def flush() -> None:
        cells = sum(1 for l in block for c in l.cells if c.strip())
        if not (len(block) >= 2 or cells >= 2):
            out.extend(block)
        block.clear()

    for line in lines:
        if any(c and c.strip() and parse_cell(c)[0] for c in line.cells):
            flush()
            rows_begun = True
            out.append(line)
            continue
        text = cat.compact(line.text)
        if len(text) <= 60 and cat.REPORT_TITLE_WORDS.search(text):
            continue
        if rows_begun and text in header:
            block.append(line)
            continue
        flush()
        if not rows_begun:
            header.add(text)
        out.append(line)
    flush()
    return out


def _add(
    run: Run,
    line: Line,
    cell: str,
    i: int,
    conf: float | None,
    spans: list[int] | None,
    alts: list[str] | None = None,
) -> None:
    run.values.append(cell)
    run.glued.append(i in line.glued)
    run.where.append((line.page, conf, alts) if alts else (line.page, conf))
    if spans is not None and i < len(spans):
        run.pos.append(i)
        run.spans.append(spans[i])


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _illegible(cell: str, in_table: bool = False) -> bool:
    """A one- or two-character mark between numbers that is no number (OCR's ε for 3, a stray
    |): a cell that could not be read, kept in its place as a blank, never guessed. In a table
    row (`in_table`) the mark may hold a digit (∠7 for 97): the cell is still one cell of the
    row, not the label of a new one."""
    t = cell.strip()
    return (
        0 < len(t) <= 2 and not _CJK.search(t) and (in_table or not any(ch.isdigit() for ch in t))
    )


def read_cell(
    raw: str, warnings: list[str] | None = None, where: str = "", at: tuple = (None, None)
) -> Cell:
    """A count cell (money goes through _amount_cell, which knows the printed unit)."""
    ok, value, _ = parse_cell(raw)
    if not ok:
        value = None
        if warnings is not None and raw.strip():
            warnings.append(f"{where}: unreadable cell {raw!r} left blank")
    elif value is not None and len(raw) > 1 and dg.leading_zero(raw.strip()):
        # No whole number is printed with a leading 0: "07" is two cells run together or a
        # slip, never 7.
        value = None
        if warnings is not None:
            warnings.append(f"{where}: {raw.strip()!r} starts with 0 — not read as a number")
    return Cell(value, raw, *at)


def locate(
    cells: dict[str, Cell],
    run: Run,
    row_label: str | None,
    col_labels: dict[str, str | None],
    row_index: int,
) -> dict[str, Cell]:
    """Record where a row's cells were printed (the table's index is set by the caller)."""
    for col, cell in cells.items():
        cell.row_label = row_label
        cell.col_label = col_labels.get(col)
        cell.row_index = row_index
        cell.line = run.no
    return cells


def printed_label(run: Run, needles: tuple[str, ...]) -> str:
    """The row's own label as printed: the last of the run's label parts, or as many of the
    last as it takes to hold one of the row's label words (a label broken over lines). Header
    text above the first row is not part of it."""
    parts = [p.strip() for p in run.label_parts if p.strip()]
    for i in range(len(parts) - 1, -1, -1):
        joined = " ".join(parts[i:])
        if not needles or any(n in cat.compact(joined) for n in needles):
            return joined
    return parts[-1] if parts else ""


def printed_col_labels(text: str, cols) -> dict[str, str | None]:
    """Each column's label as the table prints it: the first of the catalogue's labels for it
    (``本年收费金额 / 采购总金额（万元）``) whose words the table's text holds; else None."""
    squashed = cat.compact(text)
    out: dict[str, str | None] = {}
    for col in cols:
        names = [re.sub(r"[（(][^）)]*[）)]", "", n).strip() for n in col.label.split(" / ")]
        out[col.key] = next((n for n in names if n and cat.compact(n) in squashed), None)
    return out


# ---------------------------------------------------------------- format version
def detect_format(squashed_text: str) -> str | None:
    hits = {
        fmt: sum(m in squashed_text for m in markers) for fmt, markers in cat.FORMAT_MARKERS.items()
    }
    if not any(hits.values()):
        return None
    return max(hits, key=lambda f: (hits[f], f))


# ---------------------------------------------------------------- table 二
_AMOUNT_UNIT = {
    "fees": re.compile(r"收费金额[(（]?(?:单位[:：])?(万元|元)"),
    "procurement": re.compile(r"采购总金额[(（]?(?:单位[:：])?(万元|元)"),
}


def parse_proactive(
    lines: list[Line], fmt: str, warnings: list[str], truncated: bool, section_text: str
) -> dict[str, dict[str, Cell]]:
    """`section_text` is the squashed text of the section (where the amount units are printed)."""
    rows = cat.PROACTIVE_ROWS.get(fmt)
    if not rows:
        return {}
    keyed: list[tuple[str | None, Run]] = []
    for run in runs(without_page_chrome(lines)):
        if not run.label_parts:
            continue
        if _prose(run):
            continue  # prose counting the table's items (…办理行政许可 / 2629 / 件), no row
        row = _proactive_row(rows, cat.compact(run.label))
        keyed.append((row.key if row else None, run))
    template = [(r.key, r.label) for r in rows]
    keyed = recover_by_order(
        keyed, template, "proactive", warnings, label_of=lambda run: run.label_parts[-1]
    )
    by_key = {r.key: r for r in rows}
    col_labels = printed_col_labels(section_text, cat.PROACTIVE_COLS)
    out: dict[str, dict[str, Cell]] = {}
    for row_index, (key, run) in enumerate(keyed):
        if key is None or key in out:
            continue
        row = by_key[key]
        n = len(row.cols)
        vals = _drop_phantom_columns(run.values, n)
        cut_off = run.last and truncated  # the document ends inside this row
        short = len(vals) < n
        crowded = len(vals) > n and any(not v.strip() for v in vals[:n])
        if run.exact and not cut_off and (short or crowded):
            # A table row's blank cells are kept in their places (runs()): cells missing (merged
            # away) or left over around blanks leave more than one layout — none is guessed.
            warnings.append(
                f"proactive.{key}: {len(vals)} cells {'|'.join(vals)!r} for {n} columns; "
                "no layout is forced — not read"
            )
            continue
        if not run.exact and len(vals) != n and not cut_off:
            glued = [g for v, g in zip(run.values, run.glued) if v.strip()]
            read = _proactive_reading(key, [v for v in vals if v.strip()], n, glued, warnings)
            if read is None:
                continue
            vals = read
        extra = [v for v in vals[n:] if v.strip()]
        if extra:
            warnings.append(
                f"proactive.{key}: {len(vals)} numbers for {n} columns; ignored {' '.join(extra)!r}"
            )
        where = (
            run.where
            if len(run.where) >= len(vals)
            else [run.where[0][:2] if run.where else (None, None)] * len(vals)
        )
        cells: dict[str, Cell] = {}
        for col, raw, at in zip(row.cols, vals, where):
            if cat.PROACTIVE_UNITS[col] == "amount_wan":
                cells[col] = _amount_cell(key, raw, section_text, warnings, at)
            else:
                cells[col] = read_cell(raw, warnings, f"proactive.{key}.{col}", at)
        out[key] = locate(cells, run, printed_label(run, row.needles), col_labels, row_index)
        if len(vals) < n:
            warnings.add_incomplete(f"proactive.{key} has {len(vals)} of {n} numbers")
    missing = [r.key for r in rows if r.key not in out]
    if out and missing:
        why = "document cut off" if truncated else "rows not found"
        warnings.add_incomplete(f"table proactive lacks {', '.join(missing)} ({why})")
    return out


def _proactive_row(rows, label: str):
    """The row whose label ends the run's label text (header words, a broken label, the end of
    the previous group glued before it: …对外公开总数量规章). The longest label wins."""
    for text in (label, _t2s(label)):
        best = max(
            ((len(n), r) for r in rows for n in r.needles if text.endswith(n)),
            default=None,
            key=lambda t: t[0],
        )
        if best:
            return best[1]
    return None


def _proactive_reading(
    key: str, vals: list[str], n: int, glued: list[bool], warnings: list[str]
) -> list[str] | None:
    """A text row of table 二 whose numbers do not fit its columns. The table has no totals, so
    nothing can say where a whole number printed on its own would go, or where digits run
    together divide: a row is read only when its digits leave one reading at all — as n cells,
    and none as fewer (a blank cell vanishes from text) — like ``000`` for three cells."""
    where = f"proactive.{key}"
    tokens = dg.digit_tokens(vals)
    found = dg.readings(tokens, n, splittable=glued) if tokens else None
    fewer = tokens and any(dg.readings(tokens, m, splittable=glued) != [] for m in range(1, n))
    if found is not None and len(found) == 1 and not fewer:
        read = [str(v) for v in found[0]]
        warnings.append(
            f"{where}: numbers printed as {' '.join(vals)!r}; read as {'|'.join(read)}, "
            f"the only reading of {n} cells"
        )
        return read
    why = (
        "no identity can tell where the cells divide or which columns are blank"
        if tokens and (found or fewer)
        else "they cannot be laid on the columns"
    )
    warnings.append(
        f"{where}: {len(vals)} numbers {' '.join(vals)!r} for {n} columns; {why} — not read"
    )
    return None


def recover_by_order(
    keyed: list[tuple[str | None, Run]],
    template: list[tuple[str, str]],
    table: str,
    warnings: list[str],
    label_of=lambda run: run.label,
) -> list[tuple[str | None, Run]]:
    """Rows of the mandated tables come in template order. A run with numbers whose label
    matches no row, between two matched rows with exactly one template row missing between
    them, is read as that row when its label is close to the row's (lost glyphs in PDF text:
    2.其他法律行政止公开). Never when the neighbours do not agree."""
    order = {k: i for i, (k, _) in enumerate(template)}
    labels = dict(template)
    matched = {k for k, _ in keyed if k}
    out = list(keyed)
    for i, (key, run) in enumerate(keyed):
        if key is not None or not run.values or not run.label.strip():
            continue
        prev = next((k for k, _ in reversed(out[:i]) if k in order), None)
        nxt = next((k for k, _ in keyed[i + 1 :] if k in order), None)
        if prev is None or nxt is None or order[prev] >= order[nxt]:
            continue
        between = [k for k, _ in template[order[prev] + 1 : order[nxt]] if k not in matched]
        if len(between) != 1:
            continue
        cand = between[0]
        label = cat.strip_numbering(cat.compact(label_of(run)))
        want = cat.strip_numbering(cat.compact(labels[cand].split(" ")[-1]))
        if SequenceMatcher(None, label, want).ratio() >= 0.6:
            warnings.append(
                f"{table}: row label {label_of(run)[:40]!r} matches no row; read as {cand} "
                f"(the one row missing between {prev} and {nxt}, label {want!r})"
            )
            out[i] = (cand, run)
            matched.add(cand)
    return out


def _amount_cell(row_key: str, raw: str, section_text: str, warnings: list[str], at: tuple) -> Cell:
    """Money in 万元: the unit printed in the cell, else in the header, else (fees) the template's."""
    where = f"proactive.{row_key}.amount"
    cell = read_cell(raw, warnings, where, at)
    cell_unit = parse_cell(raw)[2]
    m = _AMOUNT_UNIT[row_key].search(section_text)
    unit = (
        cell_unit
        if cell_unit in ("万元", "元")
        else m.group(1)
        if m
        else ("万元" if row_key == "fees" else None)
    )
    if cell.value is None:
        return cell
    if unit is None:
        warnings.append(f"{where}: '{raw}' printed without a unit; not stored as a number")
        cell.value = None
    elif unit == "元":
        cell.value = (Decimal(cell.value) / Decimal(10000)).normalize()
        warnings.append(f"{where}: '{raw}' printed in 元, stored as {cell.value} 万元")
    return cell


# ---------------------------------------------------------------- table 三
@lru_cache(maxsize=1)
def _needles() -> list[tuple[str, str]]:
    pairs = [(n, r.key) for r in cat.APPLICATION_ROWS for n in r.needles]
    return sorted(pairs, key=lambda p: -len(p[0]))


@lru_cache(maxsize=16384)
def match_application_row(label: str, group: str | None) -> tuple[str | None, str | None]:
    """(row_key, group after this label). The needle that ends last wins (a label can carry
    the group header and earlier text), ties go to the longest needle."""
    c = cat.compact(label)
    row, group = _match(c, group)
    if row is None:
        t = _t2s(c)
        if t != c:
            row, group = _match(t, group)
    return row, group


def _match(c: str, group: str | None) -> tuple[str | None, str | None]:
    for marker, g in cat.APPLICATION_GROUP_MARKERS.items():
        if marker in c:
            group = g
    bare = cat.strip_numbering(c)
    # Bare labels that only mean something inside their group: "3.其他", "小计".
    if bare in cat.OTHER_OTHER_LABELS and group == "other":
        return "other_other", group
    if bare in cat.SUBTOTAL_LABELS and group in ("denied", "unavailable", "not_processed"):
        return f"{group}_subtotal", group
    best: tuple[int, int, str] | None = None
    for needle, key in _needles():
        pos = c.rfind(needle)
        if pos < 0:
            continue
        cand = (pos + len(needle), len(needle), key)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None:
        return None, group
    return best[2], group


def application_columns(header: str, counts: Counter) -> list[str]:
    """The applicant columns in printed order, where the grid cannot tell: the rows' own widths
    (3, 7 or 8 numbers) and the header words above the first row. A row of 8 is read with an org
    subtotal only when the header prints 小计 (or lost its words); otherwise the eighth cell is a
    phantom column of the layout and is dropped where it is blank."""
    h = cat.compact(header)
    for org in cat.ORG_HEADER:
        h = h.replace(org, "|")
    h = h.replace("其他处理", "")
    found = {}
    for key, needles in cat.APPLICATION_COL_NEEDLES.items():
        for n in needles:
            pos = h.find(n)
            if pos >= 0:
                found[key] = pos
                break
    subs = [k for k in cat.ORG_COLS if k in found]
    widths = {n: counts[n] for n in (3, 7, 8) if counts.get(n)}
    if widths:
        width = max(widths, key=lambda n: widths[n])
    elif len(subs) >= 3:
        width = 8 if "org_subtotal" in found else 7
    else:
        width = 3 if "natural_person" in found and "|" in h else 7
    if width == 8 and len(subs) == 5 and "org_subtotal" not in found:
        width = 7  # five sub-columns named and no 小计: the eighth is no column of its own
    if width == 3:
        return ["natural_person", "org_subtotal", "total"]
    if width == 8:
        org = list(cat.ORG_COLS)
        if (
            "org_subtotal" in found
            and len(subs) == 5
            and found["org_subtotal"] < found["commercial"]
        ):
            org = ["org_subtotal", *org]  # 小计 printed before the sub-columns
        else:
            org = [*org, "org_subtotal"]
        return ["natural_person", *org, "total"]
    return ["natural_person", *cat.ORG_COLS, "total"]


def applicant_key(text: str, leaf: bool = True) -> str | None:
    """The column key a header cell names (自然人, 商业企业, …, 小计, 总计), or None. 法人或其他组织
    names the org subtotal column only when no sub-header cell lies below it (`leaf`)."""
    c = cat.compact(text)
    if len(c) > 14:
        return None
    for org in cat.ORG_HEADER:
        if org in c:
            rest = c.replace(org, "")
            return "org_subtotal" if rest == "小计" or (rest == "" and leaf) else None
    for key, needles in cat.APPLICATION_COL_NEEDLES.items():
        if key == "other_org":
            if c in ("其他", "其它", "其他组织"):
                return key
        elif any(n in c for n in needles):
            return key
    return None


def grid_columns(lines: list[Line], first_row: Run) -> dict[int, str | None] | None:
    """Grid column -> applicant key, from the header rows just above the table's first row.
    None when there is no grid header to read (PDF text, a table cut off above its first row)."""
    if not first_row.grid:
        return None
    header = _grid_header(lines, first_row)
    if not header:
        return None
    colmap = column_map(header, applicant_key)
    colmap = _fill_by_order(colmap, first_row)
    if colmap is None:
        return None
    keys = [k for k in colmap.values() if k]
    if "natural_person" not in keys or "total" not in keys:
        return None
    # each key must name one block of neighbouring columns
    seen: list[str] = []
    for k in (colmap[c] for c in sorted(colmap)):
        if k and (not seen or seen[-1] != k):
            if k in seen:
                return None
            seen.append(k)
    return colmap


def _grid_header(lines: list[Line], first_row: Run) -> list[Line]:
    """The grid's header rows: the grid lines just above the table's first row."""
    header: list[Line] = []
    for line in reversed(lines[: first_row.line]):
        if not (line.exact and line.spans):
            break
        header.insert(0, line)
    return header


def _fill_by_order(colmap: dict[int, str | None], first_row: Run) -> dict[int, str | None] | None:
    """Header words a scan or a text layer lost (商业企业 unread) leave value cells of the first
    row under no key. The applicant columns always come in template order: when the row has one
    value cell per template column and the columns that are named sit at their template places,
    the unnamed ones take the keys between them. Otherwise the grid cannot be trusted (None)."""
    cells = [
        (p, sp) for v, p, sp in zip(first_row.values, first_row.pos, first_row.spans) if sp > 0
    ]
    cells = [(p, sp) for p, sp in cells if p >= min((c for c, k in colmap.items() if k), default=0)]
    named = [{colmap.get(c) for c in range(p, p + sp)} - {None} for p, sp in cells]
    if all(len(k) == 1 for k in named):
        return colmap
    for template in (
        ["natural_person", *cat.ORG_COLS, "total"],
        ["natural_person", *cat.ORG_COLS, "org_subtotal", "total"],
        ["natural_person", "org_subtotal", *cat.ORG_COLS, "total"],
    ):
        if len(template) != len(cells):
            continue
        if all(not k or k == {want} for k, want in zip(named, template)):
            filled = dict(colmap)
            for (p, sp), want in zip(cells, template):
                for c in range(p, p + sp):
                    filled[c] = want
            return filled
    return None


def parse_applications(
    lines: list[Line], warnings: list[str], truncated: bool, fmt: str
) -> dict[str, dict[str, Cell]]:
    lines = without_page_chrome(lines)
    rs = runs(lines)
    group: str | None = None
    keyed: list[tuple[str | None, Run]] = []
    for run in rs:
        prev = next((k for k, _ in reversed(keyed) if k), None)
        key, group = _match_run(run, group, prev)
        keyed.append((key, run))
    template = [
        (k, cat.TABLES["applications"].row(k).label) for k in expected_application_rows(fmt)
    ]
    keyed = _join_wrapped_labels(keyed, [k for k, _ in template], warnings)
    keyed = recover_by_order(keyed, template, "applications", warnings)
    for key, run in keyed:
        if key is None and run.label.strip():
            warnings.append(
                f"applications: unrecognised row {run.label[:40]!r} with {len(run.values)} numbers"
            )
    matched = [(k, r) for k, r in keyed if k]
    if not matched:
        return {}
    colmap = grid_columns(lines, matched[0][1]) if matched[0][0] == "new_received" else None
    if colmap is not None:
        cols = list(dict.fromkeys(k for _, k in sorted(colmap.items()) if k))
    else:
        header = matched[0][1].label if matched[0][0] == "new_received" else ""
        cols = application_columns(header, Counter(len(r.values) for _, r in matched))
    n = len(cols)
    col_labels = _application_col_labels(lines, matched[0], colmap)
    short_rows = sum(1 for _, r in matched if not r.exact and len(r.values) == n - 1)
    # The header's grid columns name the cells of rows in the same grid only: a table carried
    # over to the next page of a scan or PDF is a grid of its own, its columns ruled anew, often
    # a label column more: its rows are laid on the columns in order, like text rows.
    first = lines[matched[0][1].line]
    other_grid: list[str] = []
    out: dict[str, dict[str, Cell]] = {}
    unfitted: dict[str, tuple[Run, list[tuple[int, ...]]]] = {}
    short: dict[str, Run] = {}
    for row_index, (key, run) in enumerate(matched):
        if key in out or key in unfitted or key in short:
            warnings.append(f"applications.{key}: printed twice; kept the first")
            continue
        row = lines[run.line]
        in_grid = colmap is not None and run.grid
        same_grid = in_grid and (row.page, len(row.cells)) == (first.page, len(first.cells))
        if in_grid and not same_grid:
            other_grid.append(key)
        if same_grid:
            by_col, problems = cells_by_column(run.values, run.pos, run.spans, colmap)
            if problems:
                warnings.append(f"applications.{key}: {'; '.join(problems)} — row not read")
                continue
            raws = [run.values[by_col[c]] if c in by_col else "" for c in cols]
            at = [run.where[by_col[c]] if c in by_col else (None, None) for c in cols]
        else:
            if truncated and _cut_off(key, run, n, warnings):
                continue
            raws = _fit(run, cols, short_rows)
            if raws is None:
                if _whole_and_short(run, len(cols)):
                    short[key] = run  # whole numbers, cells missing: the totals may place them
                    continue
                found = _row_readings(key, run, cols, warnings)
                if found:
                    unfitted[key] = (run, found)
                continue
            at = _positions(run, raws)
        out[key] = {
            c: read_cell(r, warnings, f"applications.{key}.{c}", a)
            for c, r, a in zip(cols, raws, at)
        }
        locate(out[key], run, _row_label(run, key), col_labels, row_index)
    if other_grid:
        warnings.append(
            f"applications: {len(other_grid)} rows from {other_grid[0]} on are in a table of "
            "another grid than the header's; laid on the columns in order"
        )
    if unfitted:
        _read_unfitted(out, unfitted, cols, warnings)
    if short:
        _read_short_rows(out, short, cols, warnings)
    if unfitted or short:
        for row_index, (key, run) in enumerate(matched):
            if (key in unfitted or key in short) and key in out:
                locate(out[key], run, _row_label(run, key), col_labels, row_index)
    _derive_other(out, cols)
    expected = expected_application_rows(fmt)
    if "other" in out and not any(c.derived for c in out["other"].values()):
        # a 2021 table that prints the single （六）其他处理 row of 2019 (a hybrid template)
        expected = [k for k in expected if k not in cat.OTHER_PARTS]
    missing = [k for k in expected if k not in out]
    if missing:
        why = "document cut off" if truncated else "rows not found"
        warnings.add_incomplete(
            f"table applications lacks {len(missing)} rows from {missing[0]} ({why})"
        )
    return out


def _match_run(run: Run, group: str | None, prev: str | None) -> tuple[str | None, str | None]:
    """(row key, group) of a run of table 三, `prev` the row matched before it."""
    if _prose(run):
        return None, group  # prose that counts applications (…共受理申请 / 81 / 件), no row
    # Text before the last numbered part is usually the tail of the previous row's label,
    # wrapped below its numbers (PDF text, OCR): match the row on what follows it.
    label = cat.compact(run.label)
    starts = [m.start() for m in cat.ROW_NUMBER.finditer(label)]
    _, group = match_application_row(run.label, group)
    key, _ = (
        match_application_row(label[starts[-1] :], group)
        if starts and starts[-1]
        else (None, group)
    )
    if key is None:
        key, group = match_application_row(run.label, group)
    if (
        key is None
        and prev in ("other_no_correction", "other_no_fee")
        and cat.strip_numbering(label[starts[-1] :] if starts else label) in cat.OTHER_OTHER_LABELS
    ):
        key = "other_other"  # the group header 其他处理 was lost (wrapped, OCR), the order is not
    return key, group


def _join_wrapped_labels(
    keyed: list[tuple[str | None, Run]], order: list[str], warnings: list[str]
) -> list[tuple[str | None, Run]]:
    """A label that wraps *below* its row's numbers (a transcription's | 一、本年新收政府 | 20 | …
    then | 信息公开申请数量 | | …) leaves its tail at the head of the next run's label. A run whose
    label matches no row of the template takes the next run's first label part when together they
    name exactly
    the template's next row after the last one matched, and the next run keeps a label of its
    own (a label on a line of its own before its numbers stays theirs)."""
    out = list(keyed)
    index = {k: i for i, k in enumerate(order)}
    for i in range(len(out) - 1):
        key, run = out[i]
        nkey, nrun = out[i + 1]
        if not run.values or len(nrun.label_parts) < 2:
            continue
        if key is not None and key in index and nkey not in (None, key):
            continue  # both matched, to different rows: nothing wrapped
        prev = next((k for k, _ in reversed(out[:i]) if k in index), None)
        tail = nrun.label_parts[0]
        joined = dataclasses.replace(run, label_parts=[*run.label_parts, tail])
        rest = dataclasses.replace(nrun, label_parts=nrun.label_parts[1:])
        if key is not None and key in index:
            # Matched already, on the head of its label (3.补正后申请 | 5 …): the tail (内容仍
            # 不明确) is its own when the next run's label then names the row after it.
            after = order[index[key] + 1] if index[key] + 1 < len(order) else None
            if (
                nkey in (None, key)
                and after is not None
                and _match_run(joined, None, prev)[0] == key
                and _match_run(rest, None, key)[0] == after
            ):
                warnings.append(
                    f"applications: row label {run.label[:30]!r} continues below its numbers "
                    f"({tail[:20]!r})"
                )
                out[i] = (key, joined)
                out[i + 1] = (after, rest)
            continue
        # (a label matching a row this template does not print — 其他处理 alone in a 2021
        # table — is as unmatched as none)
        want = order[index[prev] + 1] if prev is not None and index[prev] + 1 < len(order) else None
        if want is None:
            continue
        got, _ = _match_run(joined, None, prev)
        if got != want:
            continue
        warnings.append(
            f"applications: row label {run.label[:30]!r} continues below its numbers "
            f"({tail[:20]!r}): read as {want}"
        )
        out[i] = (want, joined)
        out[i + 1] = (_match_run(rest, None, want)[0], rest)
    return out


def _row_label(run: Run, key: str) -> str:
    return printed_label(run, cat.TABLES["applications"].row(key).needles)


def _application_col_labels(lines: list[Line], first: tuple[str | None, Run], colmap) -> dict:
    """Each applicant column's header as printed: the grid's header cell over it, or the header
    word the text prints for it above the first row."""
    key, run = first
    if colmap is not None:
        header = _grid_header(lines, run)
        out: dict[str, str | None] = {}
        for col, k in sorted(colmap.items()):
            if k and k not in out:
                out[k] = header_text(header, col)[0]
        return out
    text = cat.compact(run.label) if key == "new_received" else ""
    for org in cat.ORG_HEADER:
        text = text.replace(org, "|")
    return {
        k: next((n for n in needles if n in text), None)
        for k, needles in cat.APPLICATION_COL_NEEDLES.items()
    }


def _drop_phantom_columns(vals: list[str], n: int) -> list[str]:
    """A grid row wider than the table: trailing blanks go; if then exactly n cells are filled,
    the blanks between them were columns split by other rows (PDF rulings, Word grids), not cells."""
    vals = list(vals)
    while len(vals) > n and not vals[-1].strip():
        vals.pop()
    if len(vals) > n and sum(1 for v in vals if v.strip()) == n:
        return [v for v in vals if v.strip()]
    return vals


def expected_application_rows(fmt: str) -> list[str]:
    """Rows the template prints: 2021 has the three 其他处理 parts, 2019 the single row."""
    skip = {"other"} if fmt == "2021" else set(cat.OTHER_PARTS)
    return [
        r.key for r in cat.APPLICATION_ROWS if not r.key.endswith("_subtotal") and r.key not in skip
    ]


def _cut_off(key: str, run: Run, n: int, warnings: list[str]) -> bool:
    """The document ends inside this row (fewer numbers than columns and nothing after them)."""
    vals = [v for v in run.values if v.strip()]
    if run.last and len(vals) < n and not (len(vals) == 1 and len(vals[0]) >= n):
        warnings.add_incomplete(
            f"applications.{key} has {len(vals)} of {n} numbers (document cut off)"
        )
        return True
    return False


def _fit(run: Run, cols: list[str], short_rows: int) -> list[str] | None:
    """The row's cells when its numbers lie on the columns as printed; None when they do not
    (the caller then tries the readings the identities allow)."""
    vals, n = _drop_phantom_columns(run.values, len(cols)), len(cols)
    if len(vals) > n and not any(v.strip() for v in vals[n:]):
        vals = vals[:n]
    if len(vals) == n:
        return vals
    if run.exact and len(vals) < n:
        # A grid row short of cells (runs() keeps its blank cells, so cells were merged away):
        # which columns lost them is not printed, and a blank is no operand of any identity, so
        # no check would see a guess one place off — not read (as in table 二).
        return None
    if len(vals) == n - 1 and cols[-1] == "total" and short_rows >= 2:
        nums = [parse_cell(v)[1] for v in vals]
        if None not in nums and sum(nums[:-1]) != nums[-1]:
            return vals + [""]  # the 总计 column left blank, as on most rows of this table
    return None


def row_identity(cols: list[str]):
    """The identity one row of table 三 must satisfy, as a predicate on its values in `cols`."""
    idx = {c: i for i, c in enumerate(cols)}
    orgs = [idx[c] for c in cat.ORG_COLS if c in idx]
    sub, total, person = idx.get("org_subtotal"), idx.get("total"), idx.get("natural_person")

    def ok(v: tuple[int, ...]) -> bool:
        if sub is not None and len(orgs) == 5 and sum(v[i] for i in orgs) != v[sub]:
            return False
        if total is None:
            return False  # nothing to confirm a reading with
        if sub is not None and person is not None:
            return v[person] + v[sub] == v[total]
        return sum(v[i] for i in range(len(v)) if i != total) == v[total]

    return ok


def _row_readings(
    key: str, run: Run, cols: list[str], warnings: list[str]
) -> list[tuple[int, ...]] | None:
    """The readings of a text row whose numbers do not lie on the columns (run together, or a
    number split over two lines) that satisfy the row's own identity."""
    where = f"applications.{key}"
    vals = [v for v in run.values if v.strip()] if not run.exact else run.values
    # Digits may be divided where they were cut from a run-together cell, or where they are the
    # row's only number (a whole row's digits run together); never a number printed among others.
    glued = [g for v, g in zip(run.values, run.glued) if v.strip()]
    glued = glued if len(glued) > 1 else [True] * len(glued)
    n = len(cols)
    if not vals:
        return None
    tokens = dg.digit_tokens(vals)
    if tokens is None or run.exact:
        warnings.append(f"{where}: {len(vals)} numbers for {n} columns — not read")
        return None
    found = dg.readings(
        tokens, n, row_identity(cols), total_last=cols[-1] == "total", splittable=glued
    )
    if not found:
        why = (
            "too many ways to divide them"
            if found is None
            else "no division satisfies the row total"
        )
        warnings.append(
            f"{where}: {len(vals)} numbers for {n} columns ({' '.join(vals)!r}); {why} — not read"
        )
        return None
    return found


def _read_unfitted(
    out: dict[str, dict[str, Cell]], unfitted: dict, cols: list[str], warnings: list[str]
) -> None:
    """Choose the readings of the unfitted rows that the whole table's identities force."""
    fixed = {
        k: tuple(
            cells[c].value if c in cells and isinstance(cells[c].value, int) else None for c in cols
        )
        for k, cells in out.items()
    }
    candidates = {k: found for k, (_, found) in unfitted.items()}
    keys = set(out) | set(unfitted)
    equations = [
        dg.Equation(("new_received", "carried_over"), ("total_processed", "carried_forward")),
        dg.Equation(("total_processed",), tuple(cat.outcome_terms(keys, "other" in keys))),
    ]
    sol = dg.solve(candidates, fixed, equations)
    for key, (run, found) in unfitted.items():
        tokens = [v for v in run.values if v.strip()]
        printed = " ".join(tokens)
        how = "cells run together" if len(tokens) < len(cols) else "numbers split across cells"
        where = f"applications.{key}"
        if key in sol.chosen:
            vals = sol.chosen[key]
            by = "row total allows" if len(found) == 1 else "table's identities allow"
            warnings.append(
                f"{where}: {how} {printed!r}; read as {'|'.join(map(str, vals))}, "
                f"the only reading the {by}"
            )
            first = (
                run.where[0][:2] if run.where else (None, None)
            )  # one place, no per-cell readings
            out[key] = {c: Cell(v, str(v), *first) for c, v in zip(cols, vals)}
        else:
            warnings.append(
                f"{where}: {how} {printed!r}; {sol.undecided.get(key, len(found))} "
                "readings satisfy the identities — not read"
            )


def _whole_and_short(run: Run, n: int) -> bool:
    """A text row printed with fewer numbers than columns, each printed whole (none cut from a
    run-together cell, none holding digits for several cells): cells were left blank or merged,
    and text does not show which."""
    vals = [v for v, g in zip(run.values, run.glued) if v.strip()]
    glued = any(g for v, g in zip(run.values, run.glued) if v.strip())
    tokens = dg.digit_tokens(vals)
    return (
        not run.exact
        and 0 < len(vals) < n
        and not glued
        and tokens is not None
        and (len(vals) > 1 or sum(map(len, tokens)) < n)
    )


def _forced_row(
    key: str, out: dict[str, dict[str, Cell]], cols: list[str], keys: set[str]
) -> tuple[int, ...] | None:
    """The values a row must hold for a column identity to balance, when it is the one row of
    that identity not read (new + carried over = processed + carried forward; processed = the
    outcome rows): per column, the other rows' sum or difference."""

    def known(k: str) -> list[int] | None:
        cells = out.get(k)
        if not cells:
            return None
        vals = [cells[c].value if c in cells else None for c in cols]
        return vals if all(isinstance(v, int) for v in vals) else None

    outcome = cat.outcome_terms(keys, "other" in keys and "other" not in cat.OTHER_PARTS)
    equations = [
        (("new_received", "carried_over"), ("total_processed", "carried_forward")),
        (("total_processed",), tuple(outcome)),
    ]
    for plus, minus in equations:
        if key not in plus + minus:
            continue
        mine, theirs = (plus, minus) if key in plus else (minus, plus)
        values = {k: known(k) for k in plus + minus}
        if any(values[k] is None for k in theirs):
            continue
        unknown = [k for k in mine if values[k] is None]
        rest = [
            sum(values[k][c] for k in theirs)
            - sum(values[k][c] for k in mine if values[k] is not None)
            for c in range(len(cols))
        ]
        if any(v < 0 for v in rest):
            return None
        if unknown == [key] or not any(rest):
            # the one row left, or several whose sum is 0 in every column: each is all zeros
            return tuple(rest)
    return None


def _read_short_rows(
    out: dict[str, dict[str, Cell]], short: dict[str, Run], cols: list[str], warnings: list[str]
) -> None:
    """Rows printed with fewer whole numbers than columns (blank cells dropped by the text, a
    merged cell printed once). Where a column identity fixes the row, its printed numbers are
    laid on the columns that hold them: a cell whose value is not 0 is printed, so it is read;
    a 0 is read only where every way of laying the numbers prints it there (else it may be the
    blank, and stays null). A row printed as one 0 whose every cell the identities force to 0 is
    a merged cell: zeros. Nothing else is placed."""
    keys = set(out) | set(short)
    for _ in range(2):  # a row placed may complete another row's identity
        for key, run in list(short.items()):
            forced = _forced_row(key, out, cols, keys)
            if forced is None:
                continue
            tokens = [int(t) for t in dg.digit_tokens([v for v in run.values if v.strip()])]
            printed = " ".join(map(str, tokens))
            where = f"applications.{key}"
            at = run.where[0][:2] if run.where else (None, None)
            if tokens == [0] and not any(forced):
                out[key] = {c: Cell(0, "0", *at) for c in cols}
                warnings.append(
                    f"{where}: printed as one 0 (a merged cell); the column totals make every "
                    "cell 0 — read as zeros"
                )
            else:
                placed = _placements(tokens, forced)
                if not placed:
                    warnings.append(
                        f"{where}: {len(tokens)} numbers {printed!r} for {len(cols)} columns; the "
                        f"column totals ask for {'|'.join(map(str, forced))} — not read"
                    )
                    del short[key]
                    continue
                cells = {}
                for i, c in enumerate(cols):
                    if forced[i] != 0 or all(i in p for p in placed):
                        cells[c] = Cell(forced[i], str(forced[i]), *at)
                    else:
                        cells[c] = Cell(None, "", *at)
                out[key] = cells
                unsure = [c for c in cols if cells[c].value is None]
                warnings.append(
                    f"{where}: {len(tokens)} numbers {printed!r} for {len(cols)} columns; laid "
                    f"where the column totals put them"
                    + (f", {', '.join(unsure)} left null (0 or blank)" if unsure else "")
                )
            del short[key]
    for key, run in short.items():
        vals = [v for v in run.values if v.strip()]
        warnings.append(
            f"applications.{key}: {len(vals)} numbers {' '.join(vals)!r} for {len(cols)} columns; "
            "nothing forces which columns they belong to — not read"
        )


def _placements(tokens: list[int], row: tuple[int, ...], limit: int = 256) -> list[set[int]]:
    """The ways to lay printed numbers on a row's cells in order, each on a cell of its value,
    every cell not printed on being 0 (a blank)."""
    out: list[set[int]] = []

    def rec(t: int, start: int, chosen: list[int]) -> None:
        if len(out) >= limit:
            return
        if t == len(tokens):
            if all(row[i] == 0 for i in range(start, len(row))):
                out.append(set(chosen))
            return
        for i in range(start, len(row)):
            if row[i] == tokens[t]:
                rec(t + 1, i + 1, chosen + [i])
            if row[i] != 0:
                break  # a cell that is not 0 must be printed: the next number is its
        return

    rec(0, 0, [])
    return out


def _positions(run: Run, raws: list[str]) -> list[tuple]:
    """(page, confidence) for each fitted cell: the run's own where they line up, else the
    run's first (a split or padded row comes from one place)."""
    if len(raws) <= len(run.where) and raws == run.values[: len(raws)]:
        return run.where[: len(raws)]
    first = run.where[0][:2] if run.where else (None, None)
    return [first] * len(raws)


def _derive_other(out: dict[str, dict[str, Cell]], cols: list[str]) -> None:
    """2021 reports print 其他处理 as three rows; `other` is their sum (the 2019 single row)."""
    if "other" in out or not all(k in out for k in cat.OTHER_PARTS):
        return
    derived = {}
    for c in cols:
        parts = [out[k][c].value for k in cat.OTHER_PARTS]
        value = None if None in parts else sum(parts)
        derived[c] = Cell(value, "=" + "+".join(cat.OTHER_PARTS), derived=True)
    out["other"] = derived


# ---------------------------------------------------------------- table 四
def parse_appeals(
    lines: list[Line], warnings: list[str], truncated: bool
) -> dict[str, dict[str, Cell]]:
    # the header may be broken over lines (行政 / 复议)
    start = next(
        (
            i
            for i in range(len(lines))
            if "行政复议" in cat.squash("".join("".join(l.cells) for l in lines[i : i + 2]))
        ),
        None,
    )
    if start is None:
        return {}
    values: list[str] = []
    where: list = []
    glued: list[bool] = []
    nos: list[int | None] = []  # the line each value's row starts on
    for run in runs(lines[start:]):
        values.extend(run.values)
        filled = sum(1 for v in run.values if v.strip())
        glued.extend(run.glued if filled > 1 else [True] * len(run.values))
        where.extend(run.where)
        nos.extend([run.no] * len(run.values))
        if len(values) >= 15:
            break
    if not values:
        if truncated:
            warnings.add_incomplete("table appeals has no numbers (document cut off)")
        return {}
    if len(values) > 15 and not any(v.strip() for v in values[15:]):
        values = values[:15]
    if len(values) != 15:
        tokens = dg.digit_tokens([v for v in values if v.strip()])
        splittable = [g for v, g in zip(values, glued) if v.strip()]
        found = (
            dg.readings(tokens, 15, dg.sum_is_last, group=5, splittable=splittable)
            if tokens and sum(map(len, tokens)) >= 15
            else None
        )
        if found is not None and len(found) == 1:
            read = [str(v) for v in found[0]]
            warnings.append(
                f"appeals: numbers printed as {' '.join(values)!r}; read as {'|'.join(read)}, "
                "the only reading the three row totals allow"
            )
            where = [where[0][:2] if where else (None, None)] * 15
            values = read
        elif len(values) < 15 and truncated and not found:
            warnings.add_incomplete(
                f"table appeals has {len(values)} of 15 numbers (document cut off)"
            )
            return {}
        else:
            why = (
                f"{len(found)} readings satisfy the row totals"
                if found
                else "they cannot be laid on its 15 cells"
            )
            warnings.append(
                f"appeals: {len(values)} numbers where the table has 15; {why} — not read"
            )
            return {}
    out: dict[str, dict[str, Cell]] = {}
    section = "".join("".join(l.cells) for l in lines)
    col_labels = printed_col_labels(section, cat.APPEAL_COLS)
    i = 0
    for row_index, row in enumerate(cat.APPEAL_ROWS):
        out[row.key] = {}
        for col in cat.APPEAL_COLS:
            out[row.key][col.key] = cell = read_cell(
                values[i], at=where[i] if i < len(where) else (None, None)
            )
            printed = row.label.split("·")[-1]  # 行政复议, 未经复议直接起诉, 复议后起诉
            cell.row_label = printed if cat.compact(printed) in cat.compact(section) else None
            cell.col_label = col_labels[col.key]
            cell.row_index = row_index
            cell.line = nos[i] if i < len(nos) else (nos[0] if nos else None)
            i += 1
    return out


@lru_cache(maxsize=4096)
def _t2s(text: str) -> str:
    from .names import t2s

    return t2s(text)
