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
        checks += _outcome_sum(report, cols)
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
        if "org_subtotal" in cells and all(k in cells for k in cat.ORG_COLS):
            sub = [cells[k].value for k in cat.ORG_COLS]
            if cells["org_subtotal"].value is not None and None not in sub:
                out.append(Check("applications.row_total", sum(sub) == cells["org_subtotal"].value,
                                 cells["org_subtotal"].value, sum(sub), f"{row}: org_subtotal vs its five columns"))
    return out


def outcome_parts(report: Report) -> list[str]:
    """The outcome rows whose sum is total_processed: each group's detail rows, or its subtotal
    when the details are absent; `other` or its three parts, never both."""
    apps = report.tables["applications"]
    rows = ["granted", "partially_granted"]
    for group in ("denied", "unavailable", "not_processed"):
        detail = [k for k in cat.outcome_rows(group)]
        if all(k in apps for k in detail) or f"{group}_subtotal" not in apps:
            rows += detail
        else:
            rows.append(f"{group}_subtotal")
    rows += list(cat.OTHER_PARTS) if all(k in apps for k in cat.OTHER_PARTS) and not _printed_other(apps) else ["other"]
    return rows


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
