"""Checks across reports: one body over the years, and an area's aggregate against its agency.

Pure functions over plain rows (the warehouse supplies them, pipeline.api stores the results):

* cross_year.carry      carried_forward of year N = carried_over of year N+1, every applicant column
* proactive.stock_flow  2021+: in_force(N+1) = in_force(N) + issued(N+1) − repealed(N+1) (soft)
* copy_paste            tables identical to the same issuer's previous year (with any non-zero
                        number), or a section 一 mostly identical to last year's
* aggregate_vs_agency   a jurisdiction aggregate is not smaller than its own government's report

Each result names the report it is filed on and the other report involved.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import catalogue as cat

COLUMNS = (*cat.APPLICANT_COLS, "total")


@dataclass
class ReportFacts:
    report_id: str
    series: str  # the same body across years: issuer key (or jurisdiction id) + scope
    year: int
    format: str
    scope: str
    place: str | None
    level: str | None
    values: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (table, row, col) -> value
    narrative: str = ""


@dataclass
class CrossCheck:
    report_id: str
    check_id: str
    ok: bool
    expected: float | None
    actual: float | None
    detail: str
    other_report_id: str


def run(reports: list[ReportFacts]) -> list[CrossCheck]:
    out: list[CrossCheck] = []
    series: dict[str, list[ReportFacts]] = {}
    for r in reports:
        series.setdefault(r.series, []).append(r)
    for items in series.values():
        items.sort(key=lambda r: r.year)
        for prev, cur in zip(items, items[1:]):
            if cur.year != prev.year + 1:
                continue
            out += _carry(prev, cur) + _stock_flow(prev, cur) + _copy_paste(prev, cur)
    out += _aggregate_vs_agency(reports)
    return out


def _carry(prev: ReportFacts, cur: ReportFacts) -> list[CrossCheck]:
    out = []
    for col in COLUMNS:
        a = prev.values.get(("applications", "carried_forward", col))
        b = cur.values.get(("applications", "carried_over", col))
        if a is None or b is None:
            continue
        out.append(CrossCheck(cur.report_id, "cross_year.carry", a == b, a, b,
                              f"{col}: carried_forward of {prev.year} vs carried_over of {cur.year}", prev.report_id))
    return out


def _stock_flow(prev: ReportFacts, cur: ReportFacts) -> list[CrossCheck]:
    if prev.format != "2021" or cur.format != "2021":
        return []
    out = []
    for row in ("regulations", "normative_documents"):
        before = prev.values.get(("proactive", row, "in_force"))
        now = cur.values.get(("proactive", row, "in_force"))
        issued = cur.values.get(("proactive", row, "issued"))
        repealed = cur.values.get(("proactive", row, "repealed"))
        if None in (before, now, issued, repealed):
            continue
        expected = before + issued - repealed
        out.append(CrossCheck(cur.report_id, "proactive.stock_flow", expected == now, expected, now,
                              f"{row}: in_force {prev.year} {before:g} + issued {issued:g} − repealed {repealed:g} "
                              f"vs in_force {cur.year} (soft: amendments blur it)", prev.report_id))
    return out


def _copy_paste(prev: ReportFacts, cur: ReportFacts) -> list[CrossCheck]:
    out = []
    for table in ("applications", "proactive"):
        a = {k: v for k, v in prev.values.items() if k[0] == table}
        b = {k: v for k, v in cur.values.items() if k[0] == table}
        if a and a == b and any(v for v in a.values()):
            out.append(CrossCheck(cur.report_id, "copy_paste", False, None, None,
                                  f"table {table} is identical to {prev.year}'s ({len(a)} cells)", prev.report_id))
    sim = similarity(prev.narrative, cur.narrative)
    if sim is not None and sim >= 0.9:
        out.append(CrossCheck(cur.report_id, "copy_paste", False, None, round(sim, 3),
                              f"section 一 is {sim:.0%} identical to {prev.year}'s", prev.report_id))
    return out


def similarity(a: str, b: str, n: int = 4) -> float | None:
    """Jaccard similarity of character n-grams (None when either text is too short to judge)."""
    a, b = "".join(a.split()), "".join(b.split())
    if len(a) < 80 or len(b) < 80:
        return None
    ga = {a[i:i + n] for i in range(len(a) - n + 1)}
    gb = {b[i:i + n] for i in range(len(b) - n + 1)}
    return len(ga & gb) / len(ga | gb)


def _aggregate_vs_agency(reports: list[ReportFacts]) -> list[CrossCheck]:
    out = []
    by_place: dict[tuple[str, int], list[ReportFacts]] = {}
    for r in reports:
        if r.place:
            by_place.setdefault((r.place, r.year), []).append(r)
    for (place, year), items in by_place.items():
        aggregates = [r for r in items if r.scope == "jurisdiction"]
        agencies = [r for r in items if r.scope == "agency" and r.level != "department"]
        for j in aggregates:
            for a in agencies:
                jv = j.values.get(("applications", "new_received", "total"))
                av = a.values.get(("applications", "new_received", "total"))
                if jv is None or av is None:
                    continue
                out.append(CrossCheck(j.report_id, "aggregate_vs_agency", jv >= av, av, jv,
                                      f"{place} {year}: the aggregate's new_received total vs its own government's",
                                      a.report_id))
    return out
