"""Stage 3 — the identities a report's own numbers must satisfy.

Each check is recorded with what was expected, what was found and why; a report that breaks one
is flagged, never corrected. A check whose operands are not all given (a blank 总计 cell, a row
cut off) is not run: "not given" is not a failure.
"""
from __future__ import annotations

from decimal import Decimal

from .. import catalogue as cat
from ..model import Check, Number, Report


def run_checks(report: Report) -> list[Check]:
    checks: list[Check] = []
    apps = report.tables["applications"]
    if apps:
        cols = _columns(apps)
        checks += _balance(report, cols)
        checks += _row_totals(report)
        checks += _org_subtotals(report)
        checks += _outcome_sum(report, cols)
        checks += _layout(report, cols)
    if report.tables["appeals"]:
        checks += _appeal_totals(report)
    checks += _types(report)
    checks += _narrative(report)
    report.checks = checks
    return checks


def _columns(table) -> list[str]:
    seen: dict[str, None] = {}
    for cells in table.values():
        for c in cells:
            seen[c] = None
    return list(seen)


def _v(report: Report, row: str, col: str, table: str = "applications") -> Number | None:
    return report.value(table, row, col)


def _balance(report: Report, cols: list[str]) -> list[Check]:
    out = []
    for col in cols:
        a, b, c, d = (_v(report, r, col) for r in ("new_received", "carried_over", "total_processed", "carried_forward"))
        if None in (a, b, c, d):
            continue
        out.append(Check("applications.balance", a + b == c + d, a + b, c + d,
                         f"{col}: new_received {a} + carried_over {b} vs total_processed {c} + carried_forward {d}"))
    return out


def _row_totals(report: Report) -> list[Check]:
    out = []
    for row, cells in report.tables["applications"].items():
        total = cells.get("total")
        if total is None or total.value is None:
            continue
        if all(k in cells for k in cat.APPLICANT_COLS):
            parts = [cells[k].value for k in cat.APPLICANT_COLS]
            label = "sum of the six applicant columns"
        elif "org_subtotal" in cells and "natural_person" in cells:
            parts = [cells["natural_person"].value, cells["org_subtotal"].value]
            label = "natural_person + org_subtotal"
        else:
            continue
        if None in parts:
            continue
        s = sum(parts)
        out.append(Check("applications.row_total", s == total.value, total.value, s, f"{row}: total vs {label}"))
    return out


def _org_subtotals(report: Report) -> list[Check]:
    """Where 法人或其他组织 小计 is printed, it equals the five organisation columns."""
    out = []
    for row, cells in report.tables["applications"].items():
        sub = cells.get("org_subtotal")
        if sub is None or sub.value is None or not all(k in cells for k in cat.ORG_COLS):
            continue
        parts = [cells[k].value for k in cat.ORG_COLS]
        if None in parts:
            continue
        out.append(Check("applications.org_subtotal", sum(parts) == sub.value, sub.value, sum(parts),
                         f"{row}: org_subtotal vs the five organisation columns"))
    return out


def _layout(report: Report, cols: list[str]) -> list[Check]:
    """A column blank in every row while the columns either side hold numbers is the mark of a
    layout read one column off (a phantom grid column): no identity sees it, this check does."""
    apps = report.tables["applications"]
    rows = [cells for cells in apps.values() if not any(c.raw.startswith("=") for c in cells.values())]
    if len(rows) < 3:
        return []

    def filled(col: str) -> bool:
        return any(col in cells and cells[col].raw.strip() for cells in rows)

    empty = [c for i, c in enumerate(cols) if 0 < i < len(cols) - 1 and not filled(c)
             and filled(cols[i - 1]) and filled(cols[i + 1])]
    return [Check("applications.layout", not empty, 0, len(empty),
                  "no column is blank in every row between filled ones" if not empty else
                  f"column(s) {', '.join(empty)} blank in every row while their neighbours hold numbers: "
                  "the columns may be read one place off")]


def outcome_parts(report: Report) -> list[str]:
    """The outcome rows whose sum is total_processed (catalogue.outcome_terms)."""
    apps = report.tables["applications"]
    return cat.outcome_terms(apps.keys(), _printed_other(apps))


def _printed_other(apps) -> bool:
    other = apps.get("other")
    return bool(other) and not any(c.raw.startswith("=") for c in other.values())


def _outcome_sum(report: Report, cols: list[str]) -> list[Check]:
    apps = report.tables["applications"]
    rows = outcome_parts(report)
    if any(r not in apps for r in rows):
        return []
    out = []
    for col in cols:
        total = _v(report, "total_processed", col)
        parts = [_v(report, r, col) for r in rows]
        if total is None or None in parts:
            continue
        s = sum(parts)
        out.append(Check("applications.outcome_sum", s == total, total, s,
                         f"{col}: total_processed vs the sum of {len(rows)} outcome rows"))
    return out


def _appeal_totals(report: Report) -> list[Check]:
    out = []
    for row, cells in report.tables["appeals"].items():
        total = cells.get("total")
        parts = [cells[k].value for k in ("upheld", "corrected", "other", "pending") if k in cells]
        if total is None or total.value is None or len(parts) < 4 or None in parts:
            continue
        s = sum(parts)
        out.append(Check("appeals.row_total", s == total.value, total.value, s,
                         f"{row}: total vs upheld + corrected + other + pending"))
    return out


def _types(report: Report) -> list[Check]:
    bad = []
    for name, rows in report.tables.items():
        for row, cells in rows.items():
            for col, cell in cells.items():
                v = cell.value
                if v is None:
                    continue
                unit = cat.PROACTIVE_UNITS.get(col, "count") if name == "proactive" else "count"
                if unit == "amount_wan":
                    ok = v >= 0
                elif unit == "change":
                    ok = isinstance(v, int) or v == v.to_integral_value()
                else:
                    ok = v >= 0 and (isinstance(v, int) or v == Decimal(v).to_integral_value())
                if not ok:
                    bad.append(f"{name}.{row}.{col}={cell.raw}")
    return [Check("values.types", not bad, 0, len(bad),
                  "all counts are non-negative integers" if not bad else "; ".join(bad[:10]))]


def _narrative(report: Report) -> list[Check]:
    stated = report.narrative.get("applications")
    table = _v(report, "new_received", "total")
    if stated is None or table is None:
        return []
    carried = _v(report, "carried_over", "total") or 0
    ok = stated == table or (carried and stated == table + carried)
    return [Check("narrative.applications", bool(ok), stated, table,
                  f"section 一 states {stated} applications; the table's new_received total is {table}"
                  + (f" (+{carried} carried over)" if carried and stated == table + carried else ""))]
