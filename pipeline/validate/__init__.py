"""Stage 3 — the identities a report's own numbers must satisfy.

Each check is recorded with what was expected, what was found and why; a report that breaks one
is flagged, never corrected. A check whose operands are not all given (a blank 总计 cell, a row
cut off) is not run: "not given" is not a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from .. import catalogue as cat
from ..model import LOW_CONFIDENCE, Check, Report

Key = tuple[str, str, str]  # (table, row, col)


@dataclass
class Identity:
    """One linear identity of a report: the cells in `left` sum to the cells in `right`."""

    id: str
    left: tuple[Key, ...]
    right: tuple[Key, ...]
    describe: Callable[[list, list], str]  # (left values, right values) -> detail

    @property
    def cells(self) -> tuple[Key, ...]:
        return self.left + self.right

    def values(self, report: Report) -> tuple[list, list]:
        return [report.value(*k) for k in self.left], [report.value(*k) for k in self.right]

    def holds(self, report: Report) -> bool | None:
        """True or False, or None when an operand is not given (the identity is then not run)."""
        a, b = self.values(report)
        if None in a or None in b:
            return None
        return sum(a) == sum(b)


def run_checks(report: Report) -> list[Check]:
    checks: list[Check] = []
    for ident in identities(report):
        a, b = ident.values(report)
        if None in a or None in b:
            continue
        ok = sum(a) == sum(b)
        blame = None if ok else _blame(report, ident.cells)
        checks.append(Check(ident.id, ok, sum(a), sum(b), ident.describe(a, b), blame))
    apps = report.tables["applications"]
    if apps:
        checks += _layout(report, _columns(apps))
    checks += _types(report)
    checks += _narrative(report)
    if report.tables.get("legacy"):
        checks += _legacy(report)
    for c in checks:
        if not c.ok and c.blame is None:
            # a column read off by one or a value of the wrong kind is a reading's mark; prose
            # against a table, or the 2008–2018 figures' looser sums, may be either side's
            c.blame = "reading" if c.id in ("applications.layout", "values.types") else "unclear"
    report.checks = checks
    return checks


def _blame(report: Report, cells: tuple[Key, ...]) -> str:
    """ "publisher" when every cell of a broken identity was printed (not derived or inferred),
    read with full confidence and under no warning naming its row; else "reading"."""
    rows = set()
    for table, row, col in cells:
        cell = report.tables.get(table, {}).get(row, {}).get(col)
        if cell is None or cell.derived or not (cell.raw or "").strip():
            return "reading"
        if cell.confidence is not None and cell.confidence < LOW_CONFIDENCE:
            return "reading"
        rows.add(row)
    named = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(rows))) + r")\b")
    if any(named.search(w) for w in report.warnings):
        return "reading"
    return "publisher"


def identities(report: Report) -> list[Identity]:
    """Every linear identity the report's tables define, whether or not its cells are given."""
    out: list[Identity] = []
    apps = report.tables["applications"]
    if apps:
        cols = _columns(apps)
        flow = ("new_received", "carried_over", "total_processed", "carried_forward")
        if all(r in apps for r in flow):
            for col in cols:
                out.append(
                    Identity(
                        "applications.balance",
                        (_a(flow[0], col), _a(flow[1], col)),
                        (_a(flow[2], col), _a(flow[3], col)),
                        _balance_detail(col),
                    )
                )
        for row, cells in apps.items():
            if "total" not in cells:
                continue
            if all(k in cells for k in cat.APPLICANT_COLS):
                parts, label = cat.APPLICANT_COLS, "sum of the six applicant columns"
            elif "org_subtotal" in cells and "natural_person" in cells:
                parts, label = ("natural_person", "org_subtotal"), "natural_person + org_subtotal"
            else:
                parts = None
            if parts:
                out.append(
                    Identity(
                        "applications.row_total",
                        (_a(row, "total"),),
                        tuple(_a(row, c) for c in parts),
                        lambda a, b, row=row, label=label: f"{row}: total vs {label}",
                    )
                )
            if "org_subtotal" in cells and all(k in cells for k in cat.ORG_COLS):
                out.append(
                    Identity(
                        "applications.org_subtotal",
                        (_a(row, "org_subtotal"),),
                        tuple(_a(row, c) for c in cat.ORG_COLS),
                        lambda a, b, row=row: (
                            f"{row}: org_subtotal vs the five organisation columns"
                        ),
                    )
                )
        rows = outcome_parts(report)
        if "total_processed" in apps and all(r in apps for r in rows):
            for col in cols:
                out.append(
                    Identity(
                        "applications.outcome_sum",
                        (_a("total_processed", col),),
                        tuple(_a(r, col) for r in rows),
                        lambda a, b, col=col, n=len(rows): (
                            f"{col}: total_processed vs the sum of {n} outcome rows"
                        ),
                    )
                )
    for row, cells in report.tables["appeals"].items():
        parts = ("upheld", "corrected", "other", "pending")
        if "total" in cells and all(k in cells for k in parts):
            out.append(
                Identity(
                    "appeals.row_total",
                    (("appeals", row, "total"),),
                    tuple(("appeals", row, k) for k in parts),
                    lambda a, b, row=row: f"{row}: total vs upheld + corrected + other + pending",
                )
            )
    return out


def _a(row: str, col: str) -> Key:
    return ("applications", row, col)


def _balance_detail(col: str):
    return lambda a, b: (
        f"{col}: new_received {a[0]} + carried_over {a[1]} vs total_processed {b[0]} "
        f"+ carried_forward {b[1]}"
    )


def _columns(table) -> list[str]:
    seen: dict[str, None] = {}
    for cells in table.values():
        for c in cells:
            seen[c] = None
    return list(seen)


def outcome_parts(report: Report) -> list[str]:
    """The outcome rows whose sum is total_processed (catalogue.outcome_terms)."""
    apps = report.tables["applications"]
    return cat.outcome_terms(apps.keys(), _printed_other(apps))


def _printed_other(apps) -> bool:
    other = apps.get("other")
    return bool(other) and not any(c.derived for c in other.values())


def _layout(report: Report, cols: list[str]) -> list[Check]:
    """A column blank in every row while the columns either side hold numbers is the mark of a
    layout read one column off (a phantom grid column): no identity sees it, this check does."""
    apps = report.tables["applications"]
    rows = [cells for cells in apps.values() if not any(c.derived for c in cells.values())]
    if len(rows) < 3:
        return []

    def filled(col: str) -> bool:
        return any(col in cells and cells[col].raw.strip() for cells in rows)

    empty = [
        c
        for i, c in enumerate(cols)
        if 0 < i < len(cols) - 1 and not filled(c) and filled(cols[i - 1]) and filled(cols[i + 1])
    ]
    return [
        Check(
            "applications.layout",
            not empty,
            0,
            len(empty),
            "no column is blank in every row between filled ones"
            if not empty
            else f"column(s) {', '.join(empty)} blank in every row while their neighbours hold numbers: "
            "the columns may be read one place off",
        )
    ]


def _types(report: Report) -> list[Check]:
    bad = []
    for name, rows in report.tables.items():
        for row, cells in rows.items():
            for col, cell in cells.items():
                v = cell.value
                if v is None:
                    continue
                unit = cat.PROACTIVE_UNITS.get(col, "count") if name == "proactive" else "count"
                if name == "legacy":
                    unit = cat.LEGACY[row.removesuffix(cat.LEGACY_CUMULATIVE)].unit
                if unit in ("amount_wan", "yuan", "wan_yuan"):
                    ok = v >= 0
                elif unit == "change":
                    ok = isinstance(v, int) or v == v.to_integral_value()
                else:
                    ok = v >= 0 and (isinstance(v, int) or v == Decimal(v).to_integral_value())
                if not ok:
                    bad.append(f"{name}.{row}.{col}={cell.raw}")
    return [
        Check(
            "values.types",
            not bad,
            0,
            len(bad),
            "all counts are non-negative integers" if not bad else "; ".join(bad[:10]),
        )
    ]


def _legacy(report: Report) -> list[Check]:
    """The identities of the 2008–2018 figures: channels add up to the applications received
    (where the 统计表 prints them), parts never exceed their whole, 历年累计 is at least the
    year's, and replies are set against the applications received."""
    leg = report.tables["legacy"]

    def value(key: str):
        cell = leg.get(key, {}).get("value")
        return cell.value if cell else None

    out: list[Check] = []
    for suffix in ("", cat.LEGACY_CUMULATIVE):
        for whole, parts in cat.LEGACY_SUMS.items():
            printed = [
                p
                for p in parts
                if leg.get(p + suffix, {}).get("value")
                and leg[p + suffix]["value"].source == "table"
            ]
            total = value(whole + suffix)
            if total is not None and len(printed) >= 2:
                got = sum(value(p + suffix) for p in printed)
                out.append(
                    Check(
                        f"legacy.{whole}_sum",
                        got == total,
                        total,
                        got,
                        f"{whole}{suffix}: {' + '.join(printed)} vs the total",
                    )
                )
        for whole in cat.LEGACY_DISJOINT:
            total = value(whole + suffix)
            parts = [
                i.key
                for i in cat.LEGACY_INDICATORS
                if i.part_of == whole and value(i.key + suffix) is not None
            ]
            if total is None or not parts or whole in cat.LEGACY_SUMS:
                continue
            got = sum(value(p + suffix) for p in parts)
            out.append(
                Check(
                    f"legacy.{whole}_parts",
                    got <= total,
                    total,
                    got,
                    f"{whole}{suffix}: its parts ({', '.join(parts)}) add up to no more than it",
                )
            )
    pairs = [
        (
            k.removesuffix(cat.LEGACY_CUMULATIVE),
            value(k.removesuffix(cat.LEGACY_CUMULATIVE)),
            value(k),
        )
        for k in leg
        if k.endswith(cat.LEGACY_CUMULATIVE)
    ]
    pairs = [(k, y, c) for k, y, c in pairs if y is not None and c is not None]
    if pairs:
        below = [f"{k}: {c} < {y}" for k, y, c in pairs if c < y]
        out.append(
            Check(
                "legacy.cumulative",
                not below,
                0,
                len(below),
                "every 历年累计 figure is at least the year's"
                if not below
                else "; ".join(below[:10]),
            )
        )
    received, replies = value("applications_received"), value("replies_total")
    if received is not None and replies is not None:
        out.append(
            Check(
                "legacy.replies_vs_received",
                replies <= received,
                received,
                replies,
                "replies (申请答复数) vs applications received: more replies than applications is possible "
                "only with applications carried over from the year before",
            )
        )
    return out


def _narrative(report: Report) -> list[Check]:
    stated = report.narrative.get("applications")
    table = report.value("applications", "new_received", "total")
    if stated is None or table is None:
        return []
    carried = report.value("applications", "carried_over", "total") or 0
    ok = stated == table or (carried and stated == table + carried)
    return [
        Check(
            "narrative.applications",
            bool(ok),
            stated,
            table,
            f"section 一 states {stated} applications; the table's new_received total is {table}"
            + (f" (+{carried} carried over)" if carried and stated == table + carried else ""),
        )
    ]
