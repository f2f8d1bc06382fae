"""Stage 5 — tidy DataFrames for notebooks and charts, from the warehouse.

    from pipeline import analysis as an
    con = an.connect()                                  # the published snapshot, read-only
    an.rates(con, by=["year"])                          # every rate with its numerator, denominator, N
    an.areas(con, year=2023)                            # jurisdictions compared: aggregate or sum, with coverage

Rules every aggregate follows:

* it sums numerators and denominators, never averages rates, and each rate only over the reports
  where *both* its numerator and its denominator are given: ``grant_rate`` comes with
  ``grant_rate_num``, ``grant_rate_den`` and ``grant_rate_reports``;
* it counts one population (``scope``): ``agency`` (each body's own report), ``jurisdiction``
  (an area's aggregate, as published) or ``area`` (the aggregate where an area publishes one,
  else the sum of its bodies' own reports — :func:`areas` says how many bodies that covers).
  Summing agency reports and aggregates together double-counts, so no function does;
* it uses each body's current report only;
* generated example reports (the bundled corpus) are left out unless ``include_generated=True``;
  a row built on them says so (``generated_reports``);
* every row says how many reports and applications stand behind it.

Rate names are the warehouse's (``metrics``; :data:`pipeline.store.schema.RATES`): ``grant_rate``
is over requests processed, ``grant_rate_decided`` over requests that reached a decision.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from .. import catalogue as cat
from ..errors import WarehouseUnavailable
from ..settings import DEFAULT_DB, PROJECT, SNAPSHOT
from ..store.schema import RATES, decided_sql

SCOPES = ("agency", "jurisdiction", "area")
SCOPE_LABELS = {
    "agency": "各机关自身报告 / agency reports",
    "jurisdiction": "地区汇总报告 / jurisdiction aggregates",
    "area": "地区（汇总报告或各机关之和）/ areas (aggregate, else sum of agencies)",
}

# Outcome groups in template order, with Chinese labels and English alternatives.
OUTCOMES = [
    ("granted", "予以公开", "granted"),
    ("partially_granted", "部分公开", "partially granted"),
    ("denied", "不予公开", "denied"),
    ("unavailable", "无法提供", "unavailable"),
    ("not_processed", "不予处理", "not processed"),
    ("other", "其他处理", "other"),
]

# Each rate: (numerator, denominator, multiplier). Counts come from the `units` columns below.
RATE_PARTS = {
    "grant_rate": ("granted", "total_processed", 1),
    "grant_rate_decided": ("granted", "decided", 1),
    "disclosure_rate": ("granted + partially_granted", "total_processed", 1),
    "denial_rate": ("denied", "total_processed", 1),
    "denial_rate_decided": ("denied", "decided", 1),
    "not_held_rate": ("not_held", "total_processed", 1),
    "reconsideration_per_100_applications": ("reconsideration", "applications", 100),
    "litigation_per_100_applications": ("litigation", "applications", 100),
    "reconsideration_correction_rate": ("reconsideration_corrected", "reconsideration_decided", 1),
    "litigation_correction_rate": ("litigation_corrected", "litigation_decided", 1),
}
assert set(RATE_PARTS) == set(RATES)  # one naming of each rate across metrics, analysis, charts


def warehouse_path(db: str | Path | None = None) -> Path:
    """`db`, else $OGI_DB, else the published snapshot (in the working directory or in the
    project a notebook lives in), else the warehouse itself."""
    import os

    if db or os.environ.get("OGI_DB"):
        return Path(db or os.environ["OGI_DB"])
    options = [SNAPSHOT, PROJECT / SNAPSHOT, Path(DEFAULT_DB), PROJECT / DEFAULT_DB]
    return next((p for p in options if p.exists()), SNAPSHOT)


def connect(db: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the warehouse :func:`warehouse_path` names."""
    path = warehouse_path(db)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise WarehouseUnavailable(f"cannot open {path}: {str(exc).splitlines()[0]}") from None


_NULLABLE = {
    pa.int8(): pd.Int64Dtype(),
    pa.int16(): pd.Int64Dtype(),
    pa.int32(): pd.Int64Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.float32(): pd.Float64Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def _df(con, sql: str, params=None) -> pd.DataFrame:
    """A query's rows with pandas' nullable types: counts stay integers (2019, not 2019.0) and a
    blank is one marker, pd.NA, in every column (exact decimals arrive as Float64)."""
    table = con.execute(sql, params or []).to_arrow_table()
    casts = [  # sums of counts come as DECIMAL(38, 0): integers; exact amounts: floats
        pa.field(f.name, pa.int64() if f.type.scale == 0 else pa.float64())
        if pa.types.is_decimal(f.type)
        else f
        for f in table.schema
    ]
    return table.cast(pa.schema(casts)).to_pandas(types_mapper=_NULLABLE.get)


GROUP_KEYS = (
    "year",
    "level",
    "scope",
    "province",
    "format",
    "issuer",
    "jurisdiction",
    "series_key",
    "place",
)


def _group(by: list[str] | None) -> tuple[str, str]:
    keys = list(by or [])
    bad = set(keys) - set(GROUP_KEYS)
    if bad:
        raise ValueError(f"cannot group by {sorted(bad)}; use {list(GROUP_KEYS)}")
    return "".join(f"{k}, " for k in keys), ", ".join(keys)


def units(scope: str = "agency", include_generated: bool = False) -> str:
    """SQL of the population: one row per current report, with the counts the rates use."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}")
    where = {
        "agency": "rp.scope = 'agency'",
        "jurisdiction": "rp.scope = 'jurisdiction'",
        "area": "(rp.scope = 'jurisdiction' OR (rp.scope = 'agency' AND NOT EXISTS ("
        "SELECT 1 FROM reports j WHERE j.is_current AND j.scope = 'jurisdiction' AND j.year = rp.year "
        "AND coalesce(j.jurisdiction_id, j.jurisdiction_simplified) "
        "= coalesce(rp.jurisdiction_id, rp.jurisdiction_simplified))))",
    }[scope]
    generated = "" if include_generated else "AND NOT coalesce(rp.generated, false)"
    decided = decided_sql()
    return f"""
    SELECT rp.report_id, rp.series_key, rp.issuer, rp.jurisdiction,
           coalesce(rp.jurisdiction_id, rp.jurisdiction_simplified) AS place,
           coalesce(rp.level, 'unknown') AS level, rp.scope, rp.year,
           rp.format, rp.province, coalesce(rp.generated, false) AS generated,
           a.new_received_total AS applications, a.total_processed_total AS total_processed,
           a.granted_total AS granted, a.partially_granted_total AS partially_granted,
           {cat.outcome_sum_sql("denied")} AS denied,
           {cat.outcome_sum_sql("unavailable")} AS unavailable, a.unavailable_not_held_total AS not_held,
           {cat.outcome_sum_sql("not_processed")} AS not_processed, a.other_total AS other, {decided} AS decided,
           p.reconsideration_total AS reconsideration, p.reconsideration_corrected AS reconsideration_corrected,
           p.reconsideration_total - p.reconsideration_pending AS reconsideration_decided,
           p.litigation_direct_total + p.litigation_after_reconsideration_total AS litigation,
           p.litigation_direct_corrected + p.litigation_after_reconsideration_corrected AS litigation_corrected,
           p.litigation_direct_total - p.litigation_direct_pending + p.litigation_after_reconsideration_total
               - p.litigation_after_reconsideration_pending AS litigation_decided,
           w.normative_documents_issued, w.licensing_decisions, w.penalty_decisions
    FROM reports rp JOIN applications_wide a USING (report_id)
    LEFT JOIN appeals_wide p USING (report_id) LEFT JOIN proactive_wide w USING (report_id)
    WHERE rp.is_current AND rp.status <> 'error' AND {where} {generated}"""


def left_out(con, scope: str = "agency", include_generated: bool = False) -> pd.DataFrame:
    """The current reports a population leaves out, and why: another scope (an agency's own
    report is never summed with an aggregate), a scope the reader could not decide, generated
    examples, no table of applications. Every aggregate carries this table in
    ``df.attrs["left_out"]`` and every chart says it under its title."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}")
    inside = {
        "agency": "'agency'",
        "jurisdiction": "'jurisdiction'",
        "area": "'agency', 'jurisdiction'",
    }[scope]
    return _df(
        con,
        f"""
        SELECT CASE WHEN coalesce(r.generated, false) AND NOT {include_generated}
                      THEN 'generated example (示例数据)'
                    WHEN r.scope = 'unknown' THEN 'scope unknown (范围不明)'
                    WHEN r.scope NOT IN ({inside}) THEN 'another scope: ' || r.scope
                    ELSE 'no table of applications (无申请表)' END AS why,
               count(*) AS reports
        FROM reports r LEFT JOIN applications_wide a USING (report_id)
        WHERE r.is_current AND r.status <> 'error'
          AND NOT (r.scope IN ({inside}) AND a.new_received_total IS NOT NULL
                   AND (NOT coalesce(r.generated, false) OR {include_generated}))
        GROUP BY 1 ORDER BY 2 DESC, 1""",
    )


def _with_left_out(df: pd.DataFrame, con, scope: str, include_generated: bool) -> pd.DataFrame:
    df.attrs["left_out"] = left_out(con, scope, include_generated).to_dict("records")
    return df


def left_out_note(df: pd.DataFrame) -> str:
    """'12 reports left out: 7 another scope: jurisdiction, 5 scope unknown' (or '')."""
    rows = df.attrs.get("left_out") or []
    n = sum(r["reports"] for r in rows)
    if not n:
        return ""
    return f"{n} 份报告未计入 / reports left out: " + ", ".join(
        f"{r['reports']} {r['why']}" for r in rows
    )


def _balanced(scope: str, include_generated: bool) -> str:
    """SQL of the series present in every year of the population's range (a balanced panel):
    a change in a count over time is then not a change in who reported."""
    return f"""series_key IN (
        SELECT series_key FROM ({units(scope, include_generated)}) b GROUP BY series_key
        HAVING count(DISTINCT year) = (SELECT max(year) - min(year) + 1
                                       FROM ({units(scope, include_generated)}) c))"""


def _ratio_sql(name: str) -> str:
    num, den, k = RATE_PARTS[name]
    both = f"({num}) IS NOT NULL AND ({den}) IS NOT NULL"
    return (
        f"sum({num}) FILTER (WHERE {both}) AS {name}_num, sum({den}) FILTER (WHERE {both}) AS {name}_den, "
        f"count(*) FILTER (WHERE {both}) AS {name}_reports"
    )


def _finish_rates(df: pd.DataFrame, names) -> pd.DataFrame:
    for name in names:
        k = RATE_PARTS[name][2]
        den = df[f"{name}_den"].astype("Float64")
        df[name] = (k * df[f"{name}_num"].astype("Float64") / den.where(den > 0)).astype("Float64")
    return df


def _aggregate(
    con, by, scope, include_generated, rates: list[str], extra: str = "", balanced: bool = False
) -> pd.DataFrame:
    sel, grp = _group(by)
    only = f"WHERE {_balanced(scope, include_generated)}" if balanced else ""
    df = _df(
        con,
        f"""
        WITH units AS ({units(scope, include_generated)})
        SELECT {sel} count(*) AS reports, count(*) FILTER (WHERE generated) AS generated_reports,
               sum(applications) AS applications, count(applications) AS reports_with_applications,
               {", ".join(_ratio_sql(r) for r in rates)} {extra}
        FROM units {only} {("GROUP BY " + grp) if grp else ""} {("ORDER BY " + grp) if grp else ""}""",
    )
    df = _finish_rates(df, rates)
    df.insert(
        0, "scope_label", SCOPE_LABELS[scope] + (" · 平衡面板 / balanced panel" if balanced else "")
    )
    return _with_left_out(df, con, scope, include_generated)


def reports(con, scope: str | None = None, include_generated: bool = False) -> pd.DataFrame:
    """One row per current report: who, where, when, format, status."""
    where = (
        ["is_current"]
        + (["scope = ?"] if scope else [])
        + ([] if include_generated else ["NOT generated"])
    )
    return _df(
        con,
        f"""SELECT report_id, issuer, jurisdiction, coalesce(jurisdiction_code, jurisdiction_id) AS code,
                               level, scope, year, format, status, method, generated
                        FROM reports WHERE {" AND ".join(where)} ORDER BY issuer, year""",
        [scope] if scope else [],
    )


def volumes(
    con,
    by: list[str] | None = None,
    scope: str = "agency",
    include_generated: bool = False,
    balanced: bool = False,
) -> pd.DataFrame:
    """Applications received and proactive decisions, summed over `by`. Each sum says how many
    reports gave the number (a blank is not a zero): ``<column>_reports``. A count summed over
    the years changes when who reported changes: ``balanced=True`` keeps only the bodies that
    reported in every year of the range."""
    sel, grp = _group(by)
    only = f"WHERE {_balanced(scope, include_generated)}" if balanced else ""
    cols = [
        "applications",
        "normative_documents_issued",
        "licensing_decisions",
        "penalty_decisions",
    ]
    df = _df(
        con,
        f"""
        WITH units AS ({units(scope, include_generated)})
        SELECT {sel} count(*) AS reports, count(*) FILTER (WHERE generated) AS generated_reports,
               {", ".join(f"sum({c}) AS {c}, count({c}) AS {c}_reports" for c in cols)}
        FROM units {only} {("GROUP BY " + grp) if grp else ""} {("ORDER BY " + grp) if grp else ""}""",
    )
    df.insert(
        0, "scope_label", SCOPE_LABELS[scope] + (" · 平衡面板 / balanced panel" if balanced else "")
    )
    return _with_left_out(df, con, scope, include_generated)


def rates(
    con,
    by: list[str] | None = None,
    scope: str = "agency",
    include_generated: bool = False,
    balanced: bool = False,
) -> pd.DataFrame:
    """Grant, disclosure, denial and not-held rates, each with its numerator, denominator and
    the number of reports behind it. Two denominators, as UK FOI statistics give them:
    ``grant_rate`` over all requests processed, ``grant_rate_decided`` over requests that
    reached a decision (granted, partially granted or denied)."""
    names = [
        "grant_rate",
        "grant_rate_decided",
        "disclosure_rate",
        "denial_rate",
        "denial_rate_decided",
        "not_held_rate",
    ]
    return _aggregate(con, by, scope, include_generated, names, balanced=balanced)


def appeals(
    con, by: list[str] | None = None, scope: str = "agency", include_generated: bool = False
) -> pd.DataFrame:
    """Reconsideration and litigation per 100 applications, and correction rates; each summed
    over the reports that give both its numerator and its denominator."""
    names = [
        "reconsideration_per_100_applications",
        "litigation_per_100_applications",
        "reconsideration_correction_rate",
        "litigation_correction_rate",
    ]
    return _aggregate(con, by, scope, include_generated, names)


def outcomes(
    con, by: list[str] | None = None, scope: str = "agency", include_generated: bool = False
) -> pd.DataFrame:
    """Long table: outcome (template order), count, share of total_processed, per group. Only
    reports whose outcome rows and total are all given count, so shares add up to their total."""
    sel, grp = _group(by)
    keys = [o[0] for o in OUTCOMES]
    complete = " AND ".join(f"{k} IS NOT NULL" for k in ["total_processed", *keys])
    df = _df(
        con,
        f"""
        WITH units AS ({units(scope, include_generated)})
        SELECT {sel} count(*) AS reports, count(*) FILTER (WHERE generated) AS generated_reports,
               sum(applications) AS applications, sum(total_processed) AS total_processed,
               {", ".join(f"sum({k}) AS {k}" for k in keys)}
        FROM units WHERE {complete} {("GROUP BY " + grp) if grp else ""}""",
    )
    ids = list(by or []) + ["reports", "generated_reports", "applications", "total_processed"]
    long = df.melt(id_vars=ids, value_vars=keys, var_name="outcome", value_name="count")
    long["share"] = long["count"] / long["total_processed"].where(long["total_processed"] > 0)
    labels = {k: (zh, en) for k, zh, en in OUTCOMES}
    long["label_zh"] = long.outcome.map(lambda k: labels[k][0])
    long["label_en"] = long.outcome.map(lambda k: labels[k][1])
    long["order"] = long.outcome.map(keys.index)
    long.insert(0, "scope_label", SCOPE_LABELS[scope])
    long = long.sort_values(list(by or []) + ["order"]).reset_index(drop=True)
    return _with_left_out(long, con, scope, include_generated)


def areas(
    con, year: int | None = None, level: str | None = None, include_generated: bool = False
) -> pd.DataFrame:
    """Jurisdictions compared: one row per area and year — its published aggregate, or, where it
    publishes none, the sum of its bodies' own reports with the coverage of that sum ("3 of 7
    bodies reported": bodies that published a report that year, of those that published one in
    any year). Areas of one level only — a prefecture is not set against counties: `level`, by
    default the level with the most areas."""
    gen = "" if include_generated else "AND NOT coalesce(generated, false)"
    df = _df(
        con,
        f"""
        WITH u AS ({units("area", include_generated)}),
        known AS (SELECT coalesce(jurisdiction_id, jurisdiction_simplified) AS place,
                         count(DISTINCT series_key) AS bodies_known
                  FROM reports WHERE scope = 'agency' AND status <> 'error' {gen} GROUP BY ALL)
        SELECT u.place, any_value(u.jurisdiction ORDER BY length(u.jurisdiction)) AS jurisdiction,
               any_value(u.level ORDER BY u.scope DESC) AS level, u.year,
               CASE WHEN bool_or(u.scope = 'jurisdiction') THEN 'aggregate' ELSE 'sum_of_agencies' END AS source,
               count(*) AS reports, count(*) FILTER (WHERE u.generated) AS generated_reports,
               CASE WHEN bool_or(u.scope = 'jurisdiction') THEN NULL ELSE count(*) END AS bodies_reported,
               CASE WHEN bool_or(u.scope = 'jurisdiction') THEN NULL ELSE any_value(k.bodies_known) END AS bodies_known,
               sum(u.applications) AS applications, {_ratio_sql("grant_rate")}, {_ratio_sql("disclosure_rate")},
               {_ratio_sql("litigation_per_100_applications")}
        FROM u LEFT JOIN known k USING (place)
        WHERE u.place IS NOT NULL {"AND u.year = ?" if year is not None else ""}
        GROUP BY u.place, u.year ORDER BY u.year, applications DESC NULLS LAST""",
        [year] if year is not None else [],
    )
    df = _finish_rates(df, ["grant_rate", "disclosure_rate", "litigation_per_100_applications"])
    if level is None and len(df):
        level = df.level.value_counts().idxmax()
    df = df[df.level == level].reset_index(drop=True)
    df["coverage"] = [
        f"{int(n)} of {int(m)} bodies reported"
        if pd.notna(n) and pd.notna(m)
        else ("published aggregate" if s == "aggregate" else "")
        for n, m, s in zip(df.bodies_reported, df.bodies_known, df.source)
    ]
    return _with_left_out(df, con, "area", include_generated)


def year_over_year(
    con, metric: str = "applications", scope: str = "agency", include_generated: bool = False
) -> pd.DataFrame:
    """Per body (series): the metric by year and its change from the previous year it reported."""
    per = volumes(
        con, by=["series_key", "issuer", "year"], scope=scope, include_generated=include_generated
    )
    per = per.sort_values(["series_key", "year"])
    g = per.groupby("series_key")
    per["previous"] = g[metric].shift()
    per["previous_year"] = g["year"].shift()
    per["change"] = per[metric] - per["previous"]
    per["change_pct"] = per["change"] / per["previous"].where(per["previous"] > 0)
    return per[
        ["issuer", "year", metric, "previous_year", "previous", "change", "change_pct"]
    ].reset_index(drop=True)


PANEL_MEASURES = [m for m, *_ in cat.PANEL_MEASURES]
PANEL_NOTES = {m: note for m, _, _, note in cat.PANEL_MEASURES}
BREAK_YEAR = 2019  # the mandated tables (国办公开办函〔2019〕60号) change what is counted


def long_panel(
    con,
    by: list[str] | None = None,
    scope: str = "agency",
    include_generated: bool = False,
    measures: list[str] | None = None,
) -> pd.DataFrame:
    """One long series 2008–2025 on the measures 2008–2018 and 2019+ reports share (view
    ``panel``): per year (and ``by``) and per set of definitions (``definitions``: ``legacy`` for
    the 统计表 and prose of 2008–2018, ``mandated`` for the 2019/2021 tables), the sum of
    each measure with the number of reports giving it (``<measure>_reports``), and
    ``grant_rate_decided`` = granted / (granted + partially granted + denied) over the reports
    giving all three. ``<measure>_comparable`` says where the definitions differ: a line across
    2019 joins two different counts, so the charts draw the break (charts.long_series)."""
    if scope not in SCOPES[:2]:
        raise ValueError(f"scope must be one of {SCOPES[:2]}")
    names = list(measures or PANEL_MEASURES)
    bad = set(names) - set(PANEL_MEASURES)
    if bad:
        raise ValueError(f"unknown measures {sorted(bad)}; use {PANEL_MEASURES}")
    keys = ["year", "definitions"] + [k for k in (by or []) if k not in ("year", "definitions")]
    _group([k for k in keys if k != "definitions"])
    grp = ", ".join(keys)
    gen = "" if include_generated else "AND NOT coalesce(generated, false)"
    decided = "granted IS NOT NULL AND partially_granted IS NOT NULL AND denied IS NOT NULL"
    df = _df(
        con,
        f"""
        SELECT {grp}, count(*) AS reports, count(*) FILTER (WHERE generated) AS generated_reports,
               {", ".join(f"sum({m}) AS {m}, count({m}) AS {m}_reports" for m in names)},
               sum(granted) FILTER (WHERE {decided}) AS grant_rate_decided_num,
               sum(granted + partially_granted + denied) FILTER (WHERE {decided}) AS grant_rate_decided_den,
               count(*) FILTER (WHERE {decided}) AS grant_rate_decided_reports
        FROM panel WHERE is_current AND scope = ? AND year IS NOT NULL {gen}
        GROUP BY {grp} ORDER BY {grp}""",
        [scope],
    )
    df = _finish_rates(df, ["grant_rate_decided"])
    for m in names:
        df[f"{m}_comparable"] = PANEL_NOTES[m]
    df.insert(0, "scope_label", SCOPE_LABELS[scope])
    return df


def rankings(
    con,
    metric: str = "grant_rate",
    year: int | None = None,
    level: str | None = None,
    scope: str = "agency",
    min_applications: int = 20,
    include_generated: bool = False,
) -> pd.DataFrame:
    """Bodies ranked on one rate within one year, one level and one scope — like with like. A
    body needs at least `min_applications` behind the rate's denominator (a township with three
    requests does not top a list of counties). Ties share a rank (``tied``); N is shown.
    Defaults: the latest year with data, the level with the most bodies."""
    if metric not in RATE_PARTS:
        raise ValueError(f"metric must be one of {list(RATE_PARTS)}")
    df = _aggregate(
        con, ["series_key", "issuer", "level", "year"], scope, include_generated, [metric]
    )
    df = df[df[metric].notna()]
    if year is None and len(df):
        year = int(df.year.max())
    df = df[df.year == year]
    if level is None and len(df):
        level = df.level.value_counts().idxmax()
    df = df[(df.level == level) & (df[f"{metric}_den"] >= min_applications)].copy()
    df["rank"] = df[metric].rank(ascending=False, method="min").astype("Int64")
    df["tied"] = df.duplicated("rank", keep=False)
    df["n"] = df[f"{metric}_den"]
    df["ranking"] = f"{metric} · {year} · {level} · {scope} · N ≥ {min_applications}"
    cols = [
        "rank",
        "tied",
        "issuer",
        "level",
        "year",
        metric,
        f"{metric}_num",
        f"{metric}_den",
        "n",
        "reports",
        "generated_reports",
        "scope_label",
        "ranking",
    ]
    return df.sort_values(["rank", "issuer"])[cols].reset_index(drop=True)


def quality(con, include_generated: bool = False) -> pd.DataFrame:
    """Data quality per year: reports, how many are partial, have a table they show unread, carry
    no numbers (2008–2018 prose, no mandated tables), failed a check; extraction errors apart."""
    gen = "" if include_generated else "AND NOT coalesce(r.generated, false)"
    return _df(
        con,
        f"""
        SELECT r.year, count(DISTINCT r.report_id) AS reports,
               count(DISTINCT r.report_id) FILTER (WHERE r.status = 'ok') AS ok,
               count(DISTINCT r.report_id) FILTER (WHERE r.status = 'partial') AS partial,
               count(DISTINCT r.report_id) FILTER (WHERE r.status = 'unread') AS unread,
               count(DISTINCT r.report_id) FILTER (WHERE r.status IN ('pre2019', 'no_tables')) AS without_numbers,
               count(DISTINCT c.report_id) FILTER (WHERE NOT c.ok) AS with_failed_checks,
               count(*) FILTER (WHERE NOT c.ok) AS failed_checks,
               count(DISTINCT r.report_id) FILTER (WHERE r.generated) AS generated_reports
        FROM reports r LEFT JOIN checks c USING (report_id)
        WHERE r.status <> 'error' AND r.year IS NOT NULL {gen}
        GROUP BY r.year ORDER BY r.year""",
    )


def sankey_flows(con, report_id: str) -> pd.DataFrame:
    """Applicant type -> outcome -> carried forward flows of one report (source, target, value)."""
    row = _df(con, "SELECT * FROM applications_wide WHERE report_id = ?", [report_id])
    if row.empty:
        return pd.DataFrame(columns=["source", "target", "value"])
    r = row.iloc[0]
    generated = bool(r.get("generated"))
    applicants = [(c.key, c.label) for c in cat.APPLICATION_COLS if c.key in cat.APPLICANT_COLS]
    flows = []
    for col, zh in applicants:
        for key, ozh, _ in OUTCOMES:
            parts = [
                f"{k}_{col}"
                for k in (
                    cat.outcome_rows(key)
                    if key in ("denied", "unavailable", "not_processed")
                    else [key]
                )
            ]
            v = sum(int(r[p]) for p in parts if pd.notna(r.get(p)))
            if v:
                flows.append((zh, ozh, v))
        fwd = r.get(f"carried_forward_{col}")
        if pd.notna(fwd) and fwd:
            flows.append((zh, "结转下年度", int(fwd)))
    out = pd.DataFrame(flows, columns=["source", "target", "value"])
    out.attrs["generated_reports"] = int(generated)  # the chart marks an example as such
    return out
