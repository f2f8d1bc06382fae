"""Lines of cells to the three canonical tables.

Every text form we meet (HTML grids, tab- or pipe-separated PDF text, one cell per line, space
separated) is read the same way: the lines become a stream of *runs* — the label text seen since
the last numbers, followed by the numbers. A run's label is matched to a canonical row through
the catalogue; its numbers are laid on the table's columns. Header text lands in the label of the
first run, which is where the applicant columns are read from.

Nothing is guessed: a run whose numbers do not fit the columns is left out with a warning, and
the only split of run-together digits we accept is the one the row total forces.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .. import catalogue as cat
from ..cells import parse_cell
from ..model import Cell, Line


@dataclass
class Run:
    label_parts: list[str]
    values: list[str]  # raw cell texts; "" is a blank cell between (or, in grids, after) numbers
    exact: bool
    where: list[tuple[int | None, float | None]] = field(default_factory=list)  # (page, OCR confidence)
    last: bool = False  # the run is the last thing in its part of the document

    @property
    def label(self) -> str:
        return " ".join(self.label_parts)


def runs(lines: list[Line]) -> list[Run]:
    out: list[Run] = []
    label: list[str] = []
    values: list[str] | None = None
    where: list = []
    exact = True
    for line in lines:
        pending = 0
        in_run = False
        for i, cell in enumerate(line.cells):
            if not cell:
                if in_run:
                    pending += 1
                continue
            if (parse_cell(cell)[0] and (line.exact or cell.strip() != "无" or in_run)) \
                    or (in_run and _illegible(cell)):
                if values is None:
                    values, where, exact = [], [], True
                values.extend([""] * pending)
                where.extend([(line.page, None)] * pending)
                pending = 0
                values.append(cell)
                where.append((line.page, line.conf[i] if line.conf and i < len(line.conf) else None))
                exact = exact and line.exact
                in_run = True
            else:
                if values is not None:
                    out.append(Run(label, values, exact, where))
                    label, values = [], None
                in_run = False
                pending = 0
                label.append(cell)
        if line.exact and in_run and values is not None:
            values.extend([""] * pending)
            where.extend([(line.page, None)] * pending)
    if values is not None:
        out.append(Run(label, values, exact, where))
    if out:
        out[-1].last = values is not None  # numbers ran to the very end: maybe cut off
    return out


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _illegible(cell: str) -> bool:
    """A one- or two-character mark between numbers that is no number (OCR's ε for 3, a stray
    |): a cell that could not be read, kept in its place as a blank, never guessed."""
    t = cell.strip()
    return 0 < len(t) <= 2 and not _CJK.search(t) and not any(ch.isdigit() for ch in t)


def read_cell(raw: str, warnings: list[str] | None = None, where: str = "",
              at: tuple[int | None, float | None] = (None, None)) -> Cell:
    """A count cell (money goes through _amount_cell, which knows the printed unit)."""
    ok, value, _ = parse_cell(raw)
    if not ok:
        value = None
        if warnings is not None and raw.strip():
            warnings.append(f"{where}: unreadable cell {raw!r} left blank")
    return Cell(value, raw, *at)


# ---------------------------------------------------------------- format version
def detect_format(squashed_text: str) -> str | None:
    hits = {fmt: sum(m in squashed_text for m in markers) for fmt, markers in cat.FORMAT_MARKERS.items()}
    if not any(hits.values()):
        return None
    return max(hits, key=lambda f: (hits[f], f))


# ---------------------------------------------------------------- table 二
_AMOUNT_UNIT = {
    "fees": re.compile(r"收费金额[(（]?(?:单位[:：])?(万元|元)"),
    "procurement": re.compile(r"采购总金额[(（]?(?:单位[:：])?(万元|元)"),
}


def parse_proactive(lines: list[Line], fmt: str, warnings: list[str], truncated: bool,
                    section_text: str) -> dict[str, dict[str, Cell]]:
    """`section_text` is the squashed text of the section (where the amount units are printed)."""
    rows = cat.PROACTIVE_ROWS.get(fmt)
    if not rows:
        return {}
    by_label = {n: r for r in rows for n in r.needles}
    out: dict[str, dict[str, Cell]] = {}
    for run in runs(lines):
        if not run.label_parts:
            continue
        label = cat.strip_numbering(cat.compact(run.label_parts[-1]))
        row = by_label.get(label) or by_label.get(_t2s(label))
        if row is None or row.key in out:
            continue
        vals = _drop_phantom_columns(run.values, len(row.cols))
        extra = [v for v in vals[len(row.cols):] if v.strip()]
        if extra:
            warnings.append(f"proactive.{row.key}: {len(vals)} numbers for {len(row.cols)} columns; "
                            f"ignored {' '.join(extra)!r}")
        cells: dict[str, Cell] = {}
        for col, raw, at in zip(row.cols, vals, run.where):
            if cat.PROACTIVE_UNITS[col] == "amount_wan":
                cells[col] = _amount_cell(row.key, raw, section_text, warnings, at)
            else:
                cells[col] = read_cell(raw, warnings, f"proactive.{row.key}.{col}", at)
        out[row.key] = cells
        if len(vals) < len(row.cols):
            warnings.append(f"incomplete: proactive.{row.key} has {len(vals)} of {len(row.cols)} numbers")
    missing = [r.key for r in rows if r.key not in out]
    if out and missing:
        why = "document cut off" if truncated else "rows not found"
        warnings.append(f"incomplete: table proactive lacks {', '.join(missing)} ({why})")
    return out


def _amount_cell(row_key: str, raw: str, section_text: str, warnings: list[str],
                 at: tuple[int | None, float | None]) -> Cell:
    """Money in 万元: the unit printed in the cell, else in the header, else (fees) the template's."""
    where = f"proactive.{row_key}.amount"
    cell = read_cell(raw, warnings, where, at)
    cell_unit = parse_cell(raw)[2]
    m = _AMOUNT_UNIT[row_key].search(section_text)
    unit = cell_unit if cell_unit in ("万元", "元") else m.group(1) if m else ("万元" if row_key == "fees" else None)
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
    """The applicant columns in printed order. The rows' own widths come first (3, 7 or 8
    numbers); the header text above the first row places an org subtotal column."""
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
    if width == 3:
        return ["natural_person", "org_subtotal", "total"]
    if width == 8:
        org = list(cat.ORG_COLS)
        if "org_subtotal" in found and len(subs) == 5 and found["org_subtotal"] < found["commercial"]:
            org = ["org_subtotal", *org]  # 小计 printed before the sub-columns
        else:
            org = [*org, "org_subtotal"]
        return ["natural_person", *org, "total"]
    return ["natural_person", *cat.ORG_COLS, "total"]


def parse_applications(lines: list[Line], warnings: list[str], truncated: bool, fmt: str) -> dict[str, dict[str, Cell]]:
    rs = runs(lines)
    group: str | None = None
    matched: list[tuple[str, Run]] = []
    for run in rs:
        # Text before the last numbered part is usually the tail of the previous row's label,
        # wrapped below its numbers (PDF text, OCR): match the row on what follows it.
        label = cat.compact(run.label)
        starts = [m.start() for m in cat.ROW_NUMBER.finditer(label)]
        _, group = match_application_row(run.label, group)
        key, _ = match_application_row(label[starts[-1]:], group) if starts and starts[-1] else (None, group)
        if key is None:
            key, group = match_application_row(run.label, group)
        if key is None and matched and matched[-1][0] in ("other_no_correction", "other_no_fee") \
                and cat.strip_numbering(label[starts[-1]:] if starts else label) in cat.OTHER_OTHER_LABELS:
            key = "other_other"  # the group header 其他处理 was lost (wrapped, OCR), the order is not
        if key is None:
            if run.label.strip():
                warnings.append(f"applications: unrecognised row {run.label[:40]!r} with {len(run.values)} numbers")
            continue
        matched.append((key, run))
    if not matched:
        return {}
    header = matched[0][1].label if matched[0][0] == "new_received" else ""
    widths = Counter(len(r.values) for _, r in matched)
    cols = application_columns(header, widths)
    n = len(cols)
    short_rows = sum(1 for _, r in matched if not r.exact and len(r.values) == n - 1)
    out: dict[str, dict[str, Cell]] = {}
    for key, run in matched:
        if key in out:
            warnings.append(f"applications.{key}: printed twice; kept the first")
            continue
        raws = _fit(key, run, cols, short_rows, warnings)
        if raws is None:
            continue
        at = _positions(run, raws)
        out[key] = {c: read_cell(r, warnings, f"applications.{key}.{c}", a)
                    for c, r, a in zip(cols, raws, at)}
    _derive_other(out, cols)
    missing = [k for k in expected_application_rows(fmt) if k not in out]
    if missing:
        why = "document cut off" if truncated else "rows not found"
        warnings.append(f"incomplete: table applications lacks {len(missing)} rows from {missing[0]} ({why})")
    return out


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
    return [r.key for r in cat.APPLICATION_ROWS if not r.key.endswith("_subtotal") and r.key not in skip]


def _fit(key: str, run: Run, cols: list[str], short_rows: int, warnings: list[str]) -> list[str] | None:
    vals, n = _drop_phantom_columns(run.values, len(cols)), len(cols)
    where = f"applications.{key}"
    if len(vals) > n and not any(v.strip() for v in vals[n:]):
        vals = vals[:n]
    if len(vals) == n:
        return vals
    if run.exact and len(vals) < n:
        return [""] * (n - len(vals)) + vals  # a grid: blanks on the left were skipped cells
    if n > 1 and len(vals) == 1 and re.fullmatch(r"\d+", vals[0]) and len(vals[0]) >= n:
        split = split_run_together(vals[0], cols)
        if split is not None:
            warnings.append(f"{where}: cells run together {vals[0]!r}; split {'|'.join(split)} forced by the row total")
            return split
        warnings.append(f"{where}: cells run together {vals[0]!r}; the row total does not force one split — not read")
        return None
    if run.last and len(vals) < n:
        warnings.append(f"incomplete: {where} has {len(vals)} of {n} numbers (document cut off)")
        return None
    if len(vals) == n - 1 and cols[-1] == "total" and short_rows >= 2:
        nums = [parse_cell(v)[1] for v in vals]
        if None not in nums and sum(nums[:-1]) != nums[-1]:
            return vals + [""]  # the 总计 column left blank, as on most rows of this table
    warnings.append(f"{where}: {len(vals)} numbers for {n} columns — not read")
    return None


def _positions(run: Run, raws: list[str]) -> list[tuple[int | None, float | None]]:
    """(page, confidence) for each fitted cell: the run's own where they line up, else the
    run's first (a split or padded row comes from one place)."""
    if len(raws) <= len(run.where) and raws == run.values[:len(raws)]:
        return run.where[:len(raws)]
    first = run.where[0] if run.where else (None, None)
    return [first] * len(raws)


def split_run_together(digits: str, cols: list[str]) -> list[str] | None:
    """Split '5300109' into len(cols) cells; accept only if exactly one split satisfies the
    row-total identity (and org subtotal, when printed)."""
    n = len(cols)
    if len(digits) > 24:
        return None
    solutions: list[list[str]] = []

    def ok(parts: list[str]) -> bool:
        v = dict(zip(cols, map(int, parts)))
        if "org_subtotal" in v and all(k in v for k in cat.ORG_COLS):
            if sum(v[k] for k in cat.ORG_COLS) != v["org_subtotal"]:
                return False
            return v["natural_person"] + v["org_subtotal"] == v["total"]
        return sum(v[k] for k in cols if k != "total") == v["total"]

    def rec(i: int, parts: list[str]):
        if len(solutions) > 1:
            return
        if len(parts) == n - 1:
            rest = digits[i:]
            if rest and (rest == "0" or rest[0] != "0") and ok(parts + [rest]):
                solutions.append(parts + [rest])
            return
        for j in range(i + 1, len(digits) - (n - 1 - len(parts)) + 1):
            piece = digits[i:j]
            if len(piece) > 1 and piece[0] == "0":
                break
            rec(j, parts + [piece])

    rec(0, [])
    return solutions[0] if len(solutions) == 1 else None


def _derive_other(out: dict[str, dict[str, Cell]], cols: list[str]) -> None:
    """2021 reports print 其他处理 as three rows; `other` is their sum (the 2019 single row)."""
    if "other" in out or not all(k in out for k in cat.OTHER_PARTS):
        return
    derived = {}
    for c in cols:
        parts = [out[k][c].value for k in cat.OTHER_PARTS]
        value = None if None in parts else sum(parts)
        derived[c] = Cell(value, "=" + "+".join(cat.OTHER_PARTS))
    out["other"] = derived


# ---------------------------------------------------------------- table 四
def parse_appeals(lines: list[Line], warnings: list[str], truncated: bool) -> dict[str, dict[str, Cell]]:
    start = next((i for i, l in enumerate(lines) if "行政复议" in "".join(l.cells)), None)
    if start is None:
        return {}
    values: list[str] = []
    where: list = []
    for run in runs(lines[start:]):
        values.extend(run.values)
        where.extend(run.where)
        if len(values) >= 15:
            break
    if not values:
        if truncated:
            warnings.append("incomplete: table appeals has no numbers (document cut off)")
        return {}
    if len(values) > 15 and not any(v.strip() for v in values[15:]):
        values = values[:15]
    if len(values) != 15:
        if len(values) < 15 and truncated:
            warnings.append(f"incomplete: table appeals has {len(values)} of 15 numbers (document cut off)")
        else:
            warnings.append(f"appeals: {len(values)} numbers where the table has 15 — not read")
        return {}
    out: dict[str, dict[str, Cell]] = {}
    i = 0
    for row in cat.APPEAL_ROWS:
        out[row.key] = {}
        for col in cat.APPEAL_COLS:
            out[row.key][col.key] = read_cell(values[i], at=where[i] if i < len(where) else (None, None))
            i += 1
    return out


@lru_cache(maxsize=4096)
def _t2s(text: str) -> str:
    from .names import t2s
    return t2s(text)
