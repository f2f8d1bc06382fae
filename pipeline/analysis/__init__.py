"""Stage 5 — tidy DataFrames for notebooks and charts, from the warehouse.

    from pipeline import analysis as an
    con = an.connect()                      # the published snapshot, read-only
    an.rates(con, by=["year"])              # grant rates with numerators, denominators, n reports

Rules every aggregate follows:
* sums numerators and denominators, never averages rates;
* counts agency reports and jurisdiction aggregates apart (``scope``: summing both double-counts);
* uses each body's current report only;
* says how many reports it covers (``reports``).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd

from .. import catalogue as cat
from ..store import DEFAULT_DB

SNAPSHOT = Path("data/snapshot/ogi.duckdb")

# Outcome groups in template order, with Chinese labels and English alternatives.
OUTCOMES = [
    ("granted", "予以公开", "granted"),
    ("partially_granted", "部分公开", "partially granted"),
    ("denied", "不予公开", "denied"),
    ("unavailable", "无法提供", "unavailable"),
    ("not_processed", "不予处理", "not processed"),
    ("other", "其他处理", "other"),
]
DENIAL_REASONS = [(r.key, r.label.split(".")[-1].split(" ")[-1]) for r in cat.APPLICATION_ROWS
                  if r.group == "denied" and not r.key.endswith("_subtotal")]


def publish_snapshot(db: str | Path = DEFAULT_DB, snapshot: str | Path = SNAPSHOT) -> Path:
    """Copy the warehouse for readers: a notebook holding the snapshot open never blocks ingest."""
    snapshot = Path(snapshot)
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    tmp = snapshot.with_suffix(".tmp")
    shutil.copyfile(db, tmp)
    tmp.replace(snapshot)
    return snapshot


PROJECT = Path(__file__).resolve().parents[2]


def connect(db: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Read-only connection to `db`, else the published snapshot (in the working directory or in
    the project a notebook lives in), else the warehouse itself."""
    if db:
        path = Path(db)
    else:
        options = [SNAPSHOT, PROJECT / SNAPSHOT, Path(DEFAULT_DB), PROJECT / DEFAULT_DB]
        path = next((p for p in options if p.exists()), SNAPSHOT)
    return duckdb.connect(str(path), read_only=True)


def _df(con, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


GROUP_KEYS = ("year", "level", "scope", "province", "format", "issuer", "jurisdiction")


def _group_sql(by: list[str] | None, prefix: str = "") -> tuple[str, str]:
    keys = list(by or [])
    bad = set(keys) - set(GROUP_KEYS)
    if bad:
        raise ValueError(f"cannot group by {bad}; use {list(GROUP_KEYS)}")
    sel = "".join(f"{prefix}{k} AS {k}, " for k in keys)
    return sel, ", ".join(f"{prefix}{k}" for k in keys)


_BASE = """
WITH base AS (
    SELECT a.*, r.province
    FROM applications_wide a JOIN reports r USING (report_id)
    WHERE a.is_current AND a.scope = ?)
"""


def reports(con, scope: str | None = None) -> pd.DataFrame:
    """One row per current report: who, where, when, format, status."""
    where = "AND scope = ?" if scope else ""
    return _df(con, f"""SELECT report_id, issuer, jurisdiction, coalesce(jurisdiction_code, jurisdiction_id) AS code,
                               level, scope, year, format, status, method
                        FROM reports WHERE is_current {where} ORDER BY issuer, year""", [scope] if scope else [])


def volumes(con, by: list[str] | None = None, scope: str = "agency") -> pd.DataFrame:
    """Applications received, proactive items and decisions, summed over `by`."""
    sel, grp = _group_sql(by, "r.")
    return _df(con, f"""
        SELECT {sel} count(*) AS reports,
               sum(a.new_received_total) AS applications,
               sum(p.normative_documents_issued) AS normative_documents_issued,
               sum(p.licensing_decisions) AS licensing_decisions,
               sum(p.penalty_decisions) AS penalty_decisions
        FROM applications_wide a JOIN proactive_wide p USING (report_id) JOIN reports r USING (report_id)
        WHERE a.is_current AND a.scope = ? {('GROUP BY ' + grp) if grp else ''} {('ORDER BY ' + grp) if grp else ''}""",
               [scope])


def _outcome_sql() -> str:
    parts = {
        "granted": "granted_total",
        "partially_granted": "partially_granted_total",
        "denied": "coalesce(" + " + ".join(f"{k}_total" for k in cat.outcome_rows("denied")) + ", denied_subtotal_total)",
        "unavailable": "coalesce(" + " + ".join(f"{k}_total" for k in cat.outcome_rows("unavailable")) + ", unavailable_subtotal_total)",
        "not_processed": "coalesce(" + " + ".join(f"{k}_total" for k in cat.outcome_rows("not_processed")) + ", not_processed_subtotal_total)",
        "other": "other_total",
    }
    return ", ".join(f"{v} AS {k}" for k, v in parts.items())


def outcomes(con, by: list[str] | None = None, scope: str = "agency") -> pd.DataFrame:
    """Long table: outcome (template order), count, share of total_processed, per group.
    Only reports whose outcome rows are all given count, so shares add up to their total."""
    sel, grp = _group_sql(by)
    keys = [o[0] for o in OUTCOMES]
    df = _df(con, _BASE.replace("SELECT a.*", f"SELECT a.*, {_outcome_sql()}") + f"""
        SELECT {sel} count(*) AS reports, sum(total_processed_total) AS total_processed,
               {', '.join(f'sum({k}) AS {k}' for k in keys)}
        FROM base WHERE total_processed_total IS NOT NULL AND {' AND '.join(f'{k} IS NOT NULL' for k in keys)}
        {('GROUP BY ' + grp) if grp else ''}""", [scope])
    ids = list(by or []) + ["reports", "total_processed"]
    long = df.melt(id_vars=ids, value_vars=keys, var_name="outcome", value_name="count")
    long["share"] = long["count"] / long["total_processed"].where(long["total_processed"] > 0)
    labels = {k: (zh, en) for k, zh, en in OUTCOMES}
    long["label_zh"] = long.outcome.map(lambda k: labels[k][0])
    long["label_en"] = long.outcome.map(lambda k: labels[k][1])
    long["order"] = long.outcome.map(keys.index)
    return long.sort_values(list(by or []) + ["order"]).reset_index(drop=True)


def rates(con, by: list[str] | None = None, scope: str = "agency") -> pd.DataFrame:
    """Rates with explicit numerators and denominators. Two grant rates, as UK FOI statistics give
    them: over all requests handled, and over requests that reached a decision (granted,
    partially granted or denied; unavailable, not processed and other left out)."""
    sel, grp = _group_sql(by)
    df = _df(con, _BASE.replace("SELECT a.*", f"SELECT a.*, {_outcome_sql()}") + f"""
        SELECT {sel} count(*) AS reports,
               sum(granted) AS granted, sum(partially_granted) AS partially_granted, sum(denied) AS denied,
               sum(unavailable_not_held_total) AS not_held,
               sum(total_processed_total) AS handled,
               sum(granted + partially_granted + denied) AS decided
        FROM base WHERE total_processed_total IS NOT NULL AND granted IS NOT NULL AND partially_granted IS NOT NULL
                        AND denied IS NOT NULL
        {('GROUP BY ' + grp) if grp else ''} {('ORDER BY ' + grp) if grp else ''}""", [scope])
    handled = df.handled.where(df.handled > 0)
    decided = df.decided.where(df.decided > 0)
    df["grant_rate_handled"] = df.granted / handled
    df["grant_rate_decided"] = df.granted / decided
    df["disclosure_rate_handled"] = (df.granted + df.partially_granted) / handled
    df["denial_rate_decided"] = df.denied / decided
    df["not_held_rate_handled"] = df.not_held / handled
    return df


def appeals(con, by: list[str] | None = None, scope: str = "agency") -> pd.DataFrame:
    """Reconsideration and litigation per 100 applications, and correction rates."""
    sel, grp = _group_sql(by, "r.")
    df = _df(con, f"""
        SELECT {sel} count(*) AS reports, sum(a.new_received_total) AS applications,
               sum(p.reconsideration_total) AS reconsideration,
               sum(p.reconsideration_corrected) AS reconsideration_corrected,
               sum(p.reconsideration_total - p.reconsideration_pending) AS reconsideration_decided,
               sum(p.litigation_direct_total + p.litigation_after_reconsideration_total) AS litigation,
               sum(p.litigation_direct_corrected + p.litigation_after_reconsideration_corrected) AS litigation_corrected,
               sum(p.litigation_direct_total - p.litigation_direct_pending + p.litigation_after_reconsideration_total
                   - p.litigation_after_reconsideration_pending) AS litigation_decided
        FROM applications_wide a JOIN appeals_wide p USING (report_id) JOIN reports r USING (report_id)
        WHERE a.is_current AND a.scope = ? AND a.new_received_total IS NOT NULL AND p.reconsideration_total IS NOT NULL
        {('GROUP BY ' + grp) if grp else ''} {('ORDER BY ' + grp) if grp else ''}""", [scope])
    apps = df.applications.where(df.applications > 0)
    df["reconsideration_per_100_applications"] = 100 * df.reconsideration / apps
    df["litigation_per_100_applications"] = 100 * df.litigation / apps
    df["reconsideration_correction_rate"] = df.reconsideration_corrected / df.reconsideration_decided.where(
        df.reconsideration_decided > 0)
    df["litigation_correction_rate"] = df.litigation_corrected / df.litigation_decided.where(df.litigation_decided > 0)
    return df


def year_over_year(con, metric: str = "applications", scope: str = "agency") -> pd.DataFrame:
    """Per body: the metric by year and its change from the previous year it reported."""
    per = volumes(con, by=["issuer", "year"], scope=scope)
    per = per.sort_values(["issuer", "year"])
    per["previous"] = per.groupby("issuer")[metric].shift()
    per["previous_year"] = per.groupby("issuer")["year"].shift()
    per["change"] = per[metric] - per["previous"]
    per["change_pct"] = per["change"] / per["previous"].where(per["previous"] > 0)
    return per[["issuer", "year", metric, "previous_year", "previous", "change", "change_pct"]]


def rankings(con, metric: str = "grant_rate_handled", year: int | None = None, level: str | None = None,
             scope: str = "agency", min_handled: int = 1) -> pd.DataFrame:
    """Bodies ranked on a rate within one level (and year)."""
    df = rates(con, by=["issuer", "level", "year"], scope=scope)
    if year is not None:
        df = df[df.year == year]
    if level is not None:
        df = df[df.level == level]
    df = df[df.handled >= min_handled].copy()
    df["rank"] = df.groupby(["level", "year"])[metric].rank(ascending=False, method="min")
    return df.sort_values(["year", "level", "rank"]).reset_index(drop=True)


def quality(con) -> pd.DataFrame:
    """Data quality per year: reports, how many are partial or failed a check, by check."""
    return _df(con, """
        SELECT r.year, count(DISTINCT r.report_id) AS reports,
               count(DISTINCT r.report_id) FILTER (WHERE r.status = 'partial') AS partial,
               count(DISTINCT c.report_id) FILTER (WHERE NOT c.ok) AS with_failed_checks,
               count(*) FILTER (WHERE NOT c.ok) AS failed_checks
        FROM reports r LEFT JOIN checks c USING (report_id)
        WHERE r.status <> 'error' AND r.year IS NOT NULL
        GROUP BY r.year ORDER BY r.year""")


def sankey_flows(con, report_id: str) -> pd.DataFrame:
    """Applicant type -> outcome -> carried forward flows of one report (source, target, value)."""
    row = _df(con, "SELECT * FROM applications_wide WHERE report_id = ?", [report_id])
    if row.empty:
        return pd.DataFrame(columns=["source", "target", "value"])
    r = row.iloc[0]
    applicants = [("natural_person", "自然人"), ("commercial", "商业企业"), ("research", "科研机构"),
                  ("public_interest", "社会公益组织"), ("legal_services", "法律服务机构"), ("other_org", "其他")]
    flows = []
    for col, zh in applicants:
        for key, ozh, _ in OUTCOMES:
            parts = [f"{k}_{col}" for k in (cat.outcome_rows(key) if key in ("denied", "unavailable", "not_processed")
                                                else [key])]
            v = sum(int(r[p]) for p in parts if pd.notna(r.get(p)))
            if v:
                flows.append((zh, ozh, v))
        fwd = r.get(f"carried_forward_{col}")
        if pd.notna(fwd) and fwd:
            flows.append((zh, "结转下年度", int(fwd)))
    return pd.DataFrame(flows, columns=["source", "target", "value"])
