"""Data quality of a warehouse: what `ogi check` prints, as pandas DataFrames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..settings import DEFAULT_DB
from ..store import Warehouse

QUALITY_QUERIES = {
    "reports": "SELECT status, count(*) AS n FROM reports GROUP BY status ORDER BY status",
    "failed_checks": """
        SELECT c.check_id, count(*) AS failures, count(DISTINCT c.report_id) AS reports
        FROM checks c JOIN reports r USING (report_id) WHERE NOT c.ok GROUP BY c.check_id ORDER BY c.check_id""",
    # where to look: the page (PDFs, scans) and line where the checked table starts
    "failed_check_details": """
        WITH place AS (
            SELECT report_id, table_name, min(page) AS page, min(line) AS line,
                   any_value(table_index) AS table_index
            FROM facts GROUP BY report_id, table_name)
        SELECT r.issuer, r.year, c.check_id, c.expected, c.actual, c.detail,
               concat_ws(', ', 'p. ' || p.page, 'table ' || p.table_index, 'line ' || p.line) AS printed_at,
               d.source_url
        FROM checks c JOIN reports r USING (report_id) LEFT JOIN documents d USING (doc_id)
        LEFT JOIN place p ON p.report_id = c.report_id AND p.table_name = split_part(c.check_id, '.', 1)
        WHERE NOT c.ok ORDER BY r.issuer, r.year, c.check_id""",
    "missing_tables": """
        WITH present AS (SELECT report_id, list(DISTINCT table_name) AS tables FROM facts GROUP BY report_id),
        gaps AS (
            SELECT r.issuer, r.year, r.format, d.source_url,
                   list_filter(['proactive', 'applications', 'appeals'],
                               t -> NOT list_contains(coalesce(p.tables, []::VARCHAR[]), t)) AS missing
            FROM reports r LEFT JOIN present p USING (report_id) LEFT JOIN documents d USING (doc_id)
            WHERE r.status <> 'error' AND r.format IN ('2019', '2021'))
        SELECT * FROM gaps WHERE len(missing) > 0 ORDER BY issuer, year""",
    "without_numbers": """
        SELECT r.status, r.issuer, r.year, r.format, d.source_url
        FROM reports r LEFT JOIN documents d USING (doc_id)
        WHERE r.status IN ('pre2019', 'no_tables') ORDER BY r.status, r.issuer, r.year""",
    # tables the document shows but no cell of which was read: what was seen, and where
    "unread": """
        SELECT r.issuer, r.year, r.format,
               array_to_string(list_filter(r.warnings, w -> starts_with(w, 'unread:')), ' | ') AS seen,
               d.source_url
        FROM reports r LEFT JOIN documents d USING (doc_id)
        WHERE r.status = 'unread' ORDER BY r.issuer, r.year""",
    "errors": "SELECT source_url, error FROM extraction_errors ORDER BY source_url",
    "cross_report": """
        SELECT check_id, issuer, year, other_issuer, other_year, expected, actual, detail
        FROM cross_checks WHERE NOT ok ORDER BY check_id, issuer, year""",
    "jurisdictions": """
        SELECT issuer, year, scope, level, jurisdiction, coalesce(jurisdiction_code, jurisdiction_id) AS code,
               parent, jurisdiction_flag AS flag
        FROM reports WHERE status <> 'error' ORDER BY issuer, year""",
}


def quality_summary(db: str | Path = DEFAULT_DB) -> dict:
    """Data-quality tables (pandas DataFrames) of a warehouse: what `ogi check` prints."""
    with Warehouse(db, read_only=True) as wh:
        return {name: wh.query(sql) for name, sql in QUALITY_QUERIES.items()}


def coverage(db: str | Path, sources: str | Path, years: str | None = None):
    """Which registry bodies have no report for a year, and which published after the legal
    deadline (departments 31 January, governments 31 March of the next year) — a DataFrame."""
    from crawlers.registry import load

    rows = load(sources)
    with Warehouse(db, read_only=True) as wh:
        reports = wh.query(
            "SELECT source_id, year, published_on FROM reports "
            "WHERE status <> 'error' AND source_id IS NOT NULL AND year IS NOT NULL"
        )
    if years:
        lo, _, hi = years.partition("-")
        span = range(int(lo), int(hi or lo) + 1)
    else:
        span = (
            range(int(reports.year.min()), int(reports.year.max()) + 1)
            if len(reports)
            else range(0)
        )
    out = []
    for s in rows:
        mine = reports[reports.source_id == s.source_id]
        for year in span:
            got = mine[mine.year == year]
            if got.empty:
                out.append((s.source_id, s.name, year, "missing", None, None))
                continue
            deadline = (
                dt.date(year + 1, 1, 31) if s.level == "department" else dt.date(year + 1, 3, 31)
            )
            published = [p.date() if hasattr(p, "date") else p for p in got.published_on.dropna()]
            if published and min(published) > deadline:
                out.append((s.source_id, s.name, year, "late", min(published), deadline))
    return pd.DataFrame(
        out, columns=["source_id", "name", "year", "finding", "published_on", "deadline"]
    )
